import {
  formatReply,
  formatReplyText,
  parseEhloReply,
  parseReplies,
  ReplyReader,
  type SmtpReply,
  type SmtpReplyInput,
} from "@mailwire/smtp"
import { LocalProtocolError, RemoteProtocolError } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { byteAtATime, dec, enc, splitAt } from "./support.js"

/** (reply, wire bytes) pairs that drive the reader and the encoder alike. */
const GOLDEN: ReadonlyArray<readonly [SmtpReplyInput, SmtpReply, string]> = [
  [
    { code: 220, text: "mx.example ESMTP" },
    { code: 220, enhancedCode: null, lines: ["mx.example ESMTP"] },
    "220 mx.example ESMTP\r\n",
  ],
  [
    { code: 250, enhancedCode: "2.1.0", text: "Sender OK" },
    { code: 250, enhancedCode: "2.1.0", lines: ["Sender OK"] },
    "250 2.1.0 Sender OK\r\n",
  ],
  [
    { code: 250, text: ["mx.example greets c", "PIPELINING", "SIZE 1000"] },
    { code: 250, enhancedCode: null, lines: ["mx.example greets c", "PIPELINING", "SIZE 1000"] },
    "250-mx.example greets c\r\n250-PIPELINING\r\n250 SIZE 1000\r\n",
  ],
  [
    { code: 550, enhancedCode: "5.1.1", text: ["No such user", "Try again"] },
    { code: 550, enhancedCode: "5.1.1", lines: ["No such user", "Try again"] },
    "550-5.1.1 No such user\r\n550 5.1.1 Try again\r\n",
  ],
  [
    { code: 452, enhancedCode: "4.5.3", text: "Too many recipients" },
    { code: 452, enhancedCode: "4.5.3", lines: ["Too many recipients"] },
    "452 4.5.3 Too many recipients\r\n",
  ],
  [{ code: 354, text: "" }, { code: 354, enhancedCode: null, lines: [""] }, "354\r\n"],
]

function readAll(pieces: readonly Uint8Array[]): SmtpReply[] {
  const reader = new ReplyReader()
  const out: SmtpReply[] = []
  for (const piece of pieces) {
    reader.push(piece)
    for (let reply = reader.next(); reply !== null; reply = reader.next()) out.push(reply)
  }
  return out
}

describe("reply grammar (RFC 5321 §4.2, RFC 2034)", () => {
  for (const [input, reply, wire] of GOLDEN) {
    it(`reads and writes ${JSON.stringify(wire)}`, () => {
      expect(formatReplyText(input)).toBe(wire)
      expect(parseReplies(enc(wire))).toEqual([reply])
      expect(readAll(byteAtATime(enc(wire)))).toEqual([reply])
    })
  }

  it("reads the golden stream the same at any split", () => {
    const stream = enc(GOLDEN.map(([, , wire]) => wire).join(""))
    const expected = GOLDEN.map(([, reply]) => reply)
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
        expect(readAll(splitAt(cuts)(stream))).toEqual(expected)
      }),
    )
  })

  it("round-trips formatted replies", () => {
    const text = fc
      .string({ unit: fc.constantFrom("a", " ", "é", "-", "1", "."), maxLength: 20 })
      .map((t) => t.trim())
    const reply = fc.record({
      code: fc.constantFrom(211, 250, 354, 421, 450, 550, 554),
      lines: fc.array(
        text.filter((t) => !/^\d\.\d/.test(t)),
        { minLength: 1, maxLength: 4 },
      ),
    })
    fc.assert(
      fc.property(reply, ({ code, lines }) => {
        const [parsed] = parseReplies(formatReply({ code, text: lines }))
        expect(parsed).toEqual({ code, enhancedCode: null, lines })
      }),
    )
  })

  it("keeps an enhanced code whose class differs from the reply code as text", () => {
    expect(parseReplies(enc("250 5.1.1 odd\r\n"))).toEqual([
      { code: 250, enhancedCode: null, lines: ["5.1.1 odd"] },
    ])
  })

  it("accepts replies ended by a bare LF", () => {
    expect(parseReplies(enc("250-a\n250 b\n"))).toEqual([
      { code: 250, enhancedCode: null, lines: ["a", "b"] },
    ])
  })

  it.each([
    ["not a reply line", "hello\r\n"],
    ["a code out of range", "650 no\r\n"],
    ["a continuation with another code", "250-a\r\n251 b\r\n"],
    ["a line too long", `250 ${"x".repeat(5000)}\r\n`],
  ])("refuses %s with a RemoteProtocolError", (_name, wire) => {
    expect(() => parseReplies(enc(wire))).toThrow(RemoteProtocolError)
  })

  it("refuses a reply longer than maxLines", () => {
    const reader = new ReplyReader({ maxLines: 3 })
    reader.push(enc("250-a\r\n250-b\r\n250-c\r\n250 d\r\n"))
    expect(() => reader.next()).toThrow(RemoteProtocolError)
  })

  it("gives replies or a RemoteProtocolError for arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 6 }), (chunks) => {
        try {
          readAll(chunks)
        } catch (error) {
          expect(error).toBeInstanceOf(RemoteProtocolError)
        }
      }),
      { numRuns: 1000 },
    )
  })

  it.each<[string, SmtpReplyInput]>([
    ["a code out of range", { code: 199 }],
    ["a class mismatch", { code: 250, enhancedCode: "5.0.0" }],
    ["CRLF in the text", { code: 250, text: "ok\r\n250 injected" }],
    ["NUL in a line", { code: 250, text: ["a", "b\0"] }],
  ])("the encoder rejects %s", (_name, input) => {
    expect(() => formatReply(input)).toThrow(LocalProtocolError)
  })

  it("drops the enhanced code when asked (no ENHANCEDSTATUSCODES)", () => {
    expect(dec(formatReply({ code: 250, enhancedCode: "2.0.0", text: "OK" }, false))).toBe(
      "250 OK\r\n",
    )
  })
})

describe("EHLO reply (RFC 5321 §4.1.1.1)", () => {
  it("reads keywords and parameters, and the old AUTH= form", () => {
    const [reply] = parseReplies(
      enc(
        "250-mx.example hi\r\n250-size 1000\r\n250-AUTH=LOGIN PLAIN\r\n250-8BITMIME\r\n250 AUTH CRAM-MD5\r\n",
      ),
    )
    const caps = parseEhloReply(reply!)
    expect(caps.domain).toBe("mx.example")
    expect(Object.fromEntries(caps.extensions)).toEqual({
      SIZE: ["1000"],
      AUTH: ["LOGIN", "PLAIN", "CRAM-MD5"],
      "8BITMIME": [],
    })
  })

  it("reads replies split anywhere inside a multi-line reply", () => {
    const wire = enc("250-a\r\n250-b\r\n250 c\r\n")
    for (let cut = 0; cut <= wire.length; cut++) {
      expect(readAll([wire.subarray(0, cut), wire.subarray(cut)])).toEqual([
        { code: 250, enhancedCode: null, lines: ["a", "b", "c"] },
      ])
    }
  })
})

describe("formatReplyText's reply codes", () => {
  it("takes exactly the codes of RFC 5321 §4.2 (2-5, 0-5, 0-9)", () => {
    for (let code = -10; code <= 1000; code++) {
      const valid = /^[2-5][0-5][0-9]$/.test(String(code))
      const format = () => formatReplyText({ code, text: "x" })
      if (valid) expect(format()).toBe(`${code} x\r\n`)
      else expect(format).toThrow(LocalProtocolError)
    }
    for (const code of [250.5, Number.NaN, Number.POSITIVE_INFINITY, "250" as unknown as number]) {
      expect(() => formatReplyText({ code, text: "x" })).toThrow(LocalProtocolError)
    }
  })
})
