import {
  CAP_IMAP4REV2,
  CAP_LITERAL_PLUS,
  Encoder,
  encodeCommand,
  encodeResponse,
  encodeResponseParts,
  type FetchResponse,
  hasCapability,
  ResponseDecoder,
} from "@mailwire/imap"
import { concatBytes, LocalProtocolError } from "@mailwire/wire"
import { describe, expect, it } from "vitest"
import { latin1 } from "./helpers.js"

const parts = (p: ReturnType<typeof encodeCommand>) =>
  p.map((part) => ({ text: latin1(part.bytes), waits: part.waitsForContinuation }))

describe("literals and continuation", () => {
  const login = { tag: "A1", name: "LOGIN", username: "fred", password: "two\r\nlines" } as const

  it("splits the command after a synchronizing literal and says it must wait for +", () => {
    expect(parts(encodeCommand(login))).toEqual([
      { text: "A1 LOGIN fred {10}\r\n", waits: true },
      { text: "two\r\nlines\r\n", waits: false },
    ])
  })

  it("sends {n+} in one part with LITERAL+ (RFC 7888 §3)", () => {
    expect(parts(encodeCommand(login, { literalMode: "plus" }))).toEqual([
      { text: "A1 LOGIN fred {10+}\r\ntwo\r\nlines\r\n", waits: false },
    ])
  })

  it("uses {n+} with LITERAL- only up to 4,096 bytes (RFC 7888 §4)", () => {
    const big = "x".repeat(4097)
    const small = { ...login, password: "a\nb" }
    expect(parts(encodeCommand(small, { literalMode: "minus" }))).toHaveLength(1)
    const append = {
      tag: "A2",
      name: "APPEND",
      mailbox: "INBOX",
      messages: [
        {
          flags: null,
          date: null,
          isBinary: false,
          isUtf8: false,
          content: new TextEncoder().encode(big),
        },
      ],
    } as const
    const out = parts(encodeCommand(append, { literalMode: "minus" }))
    expect(out[0]).toEqual({ text: "A2 APPEND INBOX {4097}\r\n", waits: true })
  })

  it("never waits on the server side", () => {
    const bytes = encodeResponse({
      type: "fetch",
      seq: 1,
      items: [
        {
          type: "BODY[]",
          section: { part: [] },
          origin: null,
          value: new TextEncoder().encode("hi"),
        },
      ],
    })
    expect(latin1(bytes)).toBe("* 1 FETCH (BODY[] {2}\r\nhi)\r\n")
  })

  it("sends UTF-8 quoted only when allowed (IMAP4rev2 / UTF8=ACCEPT)", () => {
    const select = {
      tag: "A3",
      name: "SELECT",
      mailbox: "Entwürfe",
      condstore: false,
      qresync: null,
    } as const
    expect(parts(encodeCommand(select))[0]).toEqual({ text: "A3 SELECT {9}\r\n", waits: true })
    expect(new TextDecoder().decode(encodeCommand(select, { utf8: true })[0]!.bytes)).toBe(
      'A3 SELECT "Entwürfe"\r\n',
    )
  })
})

describe("streamed literals in output", () => {
  const streamed = { kind: "streamed", size: 5, index: 0 } as const
  const append = {
    tag: "A1",
    name: "APPEND",
    mailbox: "INBOX",
    messages: [
      { flags: ["\\Seen"], date: null, isBinary: false, isUtf8: false, content: streamed },
    ],
  } as const

  it("ends the part at a streamed APPEND message and says to wait for + first", () => {
    const out = encodeCommand(append)
    expect(out.map((p) => [latin1(p.bytes), p.waitsForContinuation, p.streamedLiteral])).toEqual([
      ["A1 APPEND INBOX (\\Seen) {5}\r\n", true, streamed],
      ["\r\n", false, null],
    ])
  })

  it("does not wait with LITERAL+", () => {
    const out = encodeCommand(append, { literalMode: "plus" })
    expect(out.map((p) => [latin1(p.bytes), p.waitsForContinuation, p.streamedLiteral])).toEqual([
      ["A1 APPEND INBOX (\\Seen) {5+}\r\n", false, streamed],
      ["\r\n", false, null],
    ])
  })

  it("relays a FETCH body from decoder to encoder without holding it", () => {
    const wire = "* 4 FETCH (UID 8 BODY[TEXT] {11}\r\nhello world FLAGS ())\r\n"
    const chunks: Uint8Array[] = []
    let response: FetchResponse | null = null
    for (const event of new ResponseDecoder().receive(new TextEncoder().encode(wire))) {
      if (event.type === "literal-chunk") chunks.push(event.bytes.slice())
      if (event.type === "response" && event.response.type === "fetch") response = event.response
    }
    const out: Uint8Array[] = []
    for (const part of encodeResponseParts(response!)) {
      out.push(part.bytes)
      if (part.streamedLiteral !== null) out.push(...chunks)
    }
    expect(latin1(concatBytes(out))).toBe(wire)
    expect(() => encodeResponse(response!)).toThrow(LocalProtocolError)
  })
})

describe("injection", () => {
  it("rejects CR and LF in a tag, an atom, a flag and response text", () => {
    expect(() => encodeCommand({ tag: "A\r\n1", name: "NOOP" })).toThrow(LocalProtocolError)
    expect(() =>
      encodeCommand({ tag: "A1", name: "ENABLE", capabilities: ["X\r\nA2 LOGOUT"] }),
    ).toThrow(LocalProtocolError)
    expect(() =>
      encodeCommand({
        tag: "A1",
        name: "STORE",
        uid: false,
        set: [{ start: 1, end: 1 }],
        unchangedSince: null,
        action: "add",
        silent: false,
        flags: ["\\Seen)\r\nA2 DELETE INBOX"],
      }),
    ).toThrow(LocalProtocolError)
    expect(() =>
      encodeResponse({ type: "status", tag: null, status: "OK", code: null, text: "x\r\n* BYE" }),
    ).toThrow(LocalProtocolError)
  })

  it("sends a mailbox holding CRLF as a literal, never raw", () => {
    const out = parts(encodeCommand({ tag: "A1", name: "DELETE", mailbox: "a\r\nA2 LOGOUT" }))
    expect(out[0]!.text).toBe("A1 DELETE {12}\r\n")
  })

  it("writes NIL as a quoted string, not an atom, where a string is meant", () => {
    const out = parts(encodeCommand({ tag: "A1", name: "LOGIN", username: "NIL", password: "nil" }))
    expect(out[0]!.text).toBe('A1 LOGIN "NIL" "nil"\r\n')
  })
})

describe("capabilities", () => {
  it("compares capability names without regard to case", () => {
    expect(hasCapability(["imap4rev1", "Literal+"], CAP_LITERAL_PLUS)).toBe(true)
    expect(hasCapability(["IMAP4rev1"], CAP_IMAP4REV2)).toBe(false)
  })
})

describe("the chainable encoder", () => {
  it("builds values by ABNF rule", () => {
    const e = new Encoder({ side: "server" })
    e.raw("* ")
      .number(3)
      .sp()
      .list(["a b", "c", ""], (s) => e.astring(s))
      .sp()
      .nstring(null)
    expect(latin1(e.bytes())).toBe('* 3 ("a b" c "") NIL')
  })

  it("writes dates in their own zone", () => {
    const bytes = new Encoder()
      .dateTime({ date: new Date("1996-07-17T09:44:25Z"), offsetMinutes: -420 })
      .sp()
      .date({ year: 1994, month: 2, day: 1 })
      .bytes()
    expect(latin1(bytes)).toBe('"17-Jul-1996 02:44:25 -0700" 1-Feb-1994')
  })
})
