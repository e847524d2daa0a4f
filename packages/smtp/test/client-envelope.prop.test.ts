/**
 * The envelope the client writes for any address and any body: a plain `local@domain` is
 * recognized in one pass, and a body's 8-bit bytes are found four at a time. These
 * properties hold both to what the full RFC 5321 §4.1.2 path grammar and a byte-by-byte
 * scan say, and check that the bytes handed out stay as they were.
 */
import { formatMailbox, parseMailbox, SmtpClientConnection } from "@mailwire/smtp"
import { LocalProtocolError } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { dec, enc } from "./support.js"

function ready(extensions: readonly string[]) {
  const client = new SmtpClientConnection({ hostname: "c.test" })
  client.receive(enc("220 mx.test ESMTP\r\n"))
  client.takeOutput()
  const lines = ["mx.test hi", ...extensions]
  client.receive(
    enc(lines.map((l, i) => `250${i === lines.length - 1 ? " " : "-"}${l}\r\n`).join("")),
  )
  client.takeOutput()
  return client
}

/** The path text the full grammar gives for `address`, or `null` when it is not valid. */
function expectedPath(address: string): string | null {
  const mailbox = parseMailbox(address)
  if (mailbox === null) return null
  const isAsGiven = !address.includes('"') && !address.startsWith("@")
  return isAsGiven ? address : formatMailbox(mailbox)
}

/** Characters around the edges of the grammar: atext, specials, dots, brackets, UTF-8. */
const addressChar = fc.constantFrom(
  "a",
  "Z",
  "0",
  "-",
  ".",
  "@",
  "+",
  "!",
  "~",
  '"',
  "\\",
  " ",
  "[",
  "]",
  ">",
  "<",
  ":",
  ",",
  "ü",
  "\u00a0",
  "\r",
)
const address = fc.oneof(
  fc.string({ unit: addressChar, maxLength: 14 }),
  fc
    .tuple(
      fc.string({ unit: addressChar, maxLength: 6 }),
      fc.string({ unit: addressChar, maxLength: 8 }),
    )
    .map(([local, domain]) => `${local}@${domain}`),
)

describe("envelope addresses (RFC 5321 §4.1.2)", () => {
  it("sends exactly what the full path grammar accepts, in its form", () => {
    fc.assert(
      fc.property(address, (to) => {
        const client = ready(["PIPELINING", "SMTPUTF8"])
        const expected = expectedPath(to)
        if (expected === null || expected === "") {
          expect(() => client.sendMail({ from: "a@x.test", to: [to] })).toThrow(LocalProtocolError)
          return
        }
        client.sendMail({ from: "a@x.test", to: [to], body: enc("x\r\n") })
        const lines = dec(client.takeOutput()).split("\r\n")
        expect(lines[1]).toMatch(/^RCPT TO:</)
        expect(lines[1]!.slice("RCPT TO:<".length, lines[1]!.lastIndexOf(">"))).toBe(expected)
      }),
      { numRuns: 3000 },
    )
  })
})

describe("8-bit bodies (RFC 6152)", () => {
  it("declares BODY=8BITMIME exactly when some byte is above 127, wherever it is", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 300 }).map((b) => b.map((x) => x & 0x7f)),
        fc.nat(),
        fc.boolean(),
        fc.nat({ max: 7 }),
        (seven, position, eightBit, offset) => {
          const bytes = new Uint8Array(offset + seven.length)
          bytes.set(seven, offset)
          const body = bytes.subarray(offset)
          if (eightBit && body.length > 0) body[position % body.length] = 0xe9
          // An empty line first: the header has no 8-bit byte, so no SMTPUTF8 is asked for.
          const message = new Uint8Array(body.length + 2)
          message.set([0x0d, 0x0a])
          message.set(body, 2)
          const client = ready(["PIPELINING", "8BITMIME"])
          client.sendMail({ from: "a@x.test", to: ["b@x.test"], body: message.subarray(0) })
          const mail = dec(client.takeOutput()).split("\r\n")[0]
          const hasEightBit = body.some((byte) => byte >= 0x80)
          expect(mail).toBe(`MAIL FROM:<a@x.test>${hasEightBit ? " BODY=8BITMIME" : ""}`)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it("finds an 8-bit byte in the aligned middle, the unaligned edges, of a long body", () => {
    for (const offset of [0, 1, 2, 3]) {
      for (const position of [0, 1, 2, 3, 64, 127, 128, 197, 198, 199]) {
        const bytes = new Uint8Array(offset + 200).fill(0x61)
        const body = bytes.subarray(offset)
        body[0] = 0x0d
        body[1] = 0x0a
        body[Math.max(2, position)] = 0x80
        const client = ready(["PIPELINING", "8BITMIME"])
        client.sendMail({ from: "a@x.test", to: ["b@x.test"], body })
        expect(dec(client.takeOutput()).split("\r\n")[0]).toBe("MAIL FROM:<a@x.test> BODY=8BITMIME")
      }
    }
  })
})

describe("output bytes", () => {
  it("never changes bytes it handed out, over many messages", () => {
    const client = ready(["PIPELINING"])
    const handedOut: { bytes: Uint8Array; copy: Uint8Array }[] = []
    for (let n = 0; n < 400; n++) {
      client.sendMail({ from: `s${n}@x.test`, to: [`r${n}@y.test`], body: enc(`Body ${n}\r\n`) })
      for (const bytes of client.takeOutputChunks()) handedOut.push({ bytes, copy: bytes.slice() })
      client.receive(enc("250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n"))
      for (const bytes of client.takeOutputChunks()) handedOut.push({ bytes, copy: bytes.slice() })
    }
    for (const { bytes, copy } of handedOut) expect(bytes).toEqual(copy)
    expect(dec(handedOut[0]!.bytes)).toBe(
      "MAIL FROM:<s0@x.test>\r\nRCPT TO:<r0@y.test>\r\nDATA\r\n",
    )
  })

  it("sends a body as it was when given, though the caller reuses its array", () => {
    const client = ready(["PIPELINING"])
    const body = enc("Subject: one\r\n\r\nfirst\r\n")
    client.sendMail({ from: "a@x.test", to: ["b@x.test"], body })
    client.takeOutput()
    body.fill(0x21)
    client.receive(enc("250 ok\r\n250 ok\r\n354 go\r\n"))
    expect(dec(client.takeOutput())).toBe("Subject: one\r\n\r\nfirst\r\n.\r\n")
  })
})
