import {
  type AuthenticateEvent,
  type OpenMaildropEvent,
  Pop3ServerConnection,
  type Pop3ServerEvent,
  type Pop3ServerOptions,
  type RetrieveEvent,
} from "@mailwire/pop3"
import { encodeBase64 } from "@mailwire/sasl"
import { DotDecoder, encodeUtf8, LocalProtocolError } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { cutAt, fixedRandom, openedServer, show, text } from "./link.js"

function opened(options: Pop3ServerOptions = {}, listing = [{ uid: "u1", size: 10 }]) {
  return openedServer(listing, options)
}

/** What TOP must send for a message of CRLF lines (RFC 1939 §7). */
function topReference(lines: string[], n: number): string {
  const blank = lines.indexOf("")
  const kept =
    blank === -1 ? lines : [...lines.slice(0, blank + 1), ...lines.slice(blank + 1, blank + 1 + n)]
  return kept.map((line) => `${line}\r\n`).join("")
}

/** The unstuffed body of a RETR/TOP answer, without its +OK line. */
function unstuffed(wire: string): string {
  const body = text(wire.slice(wire.indexOf("\r\n") + 2))
  return new DotDecoder()
    .push(body)
    .map((event) => (event.type === "data" ? show(event.bytes) : ""))
    .join("")
}

describe("Pop3ServerConnection decisions and pipelining", () => {
  it("holds commands pipelined behind RETR until the message ends", () => {
    const conn = opened()
    const events = conn.receive(text("RETR 1\r\nSTAT\r\nNOOP\r\n"))
    expect(events).toHaveLength(1)
    const retr = events[0] as RetrieveEvent
    conn.messageData(retr, text("x\r\n"))
    expect(show(conn.takeOutput())).toBe("+OK 10 octets\r\nx\r\n")
    expect(conn.messageEnd(retr)).toEqual([])
    expect(show(conn.takeOutput())).toBe(".\r\n+OK 1 10\r\n+OK\r\n")
  })

  it("says when it waits for a decision, and counts failed logins for the adapter", () => {
    const conn = new Pop3ServerConnection({ random: fixedRandom, isSecure: true })
    expect(conn.isWaiting).toBe(false)
    const [auth] = conn.receive(text("USER a\r\nPASS b\r\n")) as [AuthenticateEvent]
    expect(conn.isWaiting).toBe(true)
    conn.answerAuthenticate(auth, false)
    expect(conn.isWaiting).toBe(false)
    expect(conn.failedLoginCount).toBe(1)
  })

  it("keeps the decision pending when the application answers with the wrong kind", () => {
    const conn = new Pop3ServerConnection({ random: fixedRandom, isSecure: true })
    const plain = encodeBase64(text("\0alice\0pw"))
    const [auth] = conn.receive(text(`AUTH PLAIN ${plain}\r\n`)) as [AuthenticateEvent]
    expect(() => conn.answerAuthenticate(auth, { password: "pw" })).toThrow(LocalProtocolError)
    expect(conn.answerAuthenticate(auth, true)).toMatchObject([{ type: "OpenMaildrop" }])
  })

  it("refuses a listing with a repeated or invalid UID and keeps waiting for a good one", () => {
    const conn = new Pop3ServerConnection({ random: fixedRandom, isSecure: true })
    const [auth] = conn.receive(text("USER a\r\nPASS b\r\n")) as [AuthenticateEvent]
    const [open] = conn.answerAuthenticate(auth, true) as [OpenMaildropEvent]
    const dup = [
      { uid: "x", size: 1 },
      { uid: "x", size: 2 },
    ]
    expect(() => conn.openMaildrop(open, dup)).toThrow(/repeated/)
    expect(() => conn.openMaildrop(open, [{ uid: "has space", size: 1 }])).toThrow(
      LocalProtocolError,
    )
    expect(() => conn.openMaildrop(open, [{ uid: "y", size: -1 }])).toThrow(/size/)
    expect(conn.openMaildrop(open, [{ uid: "y", size: 1 }])).toEqual([])
    expect(conn.state).toBe("TRANSACTION")
  })

  it("tells the application to release a maildrop it opened after the client left", () => {
    const conn = new Pop3ServerConnection({ random: fixedRandom, isSecure: true })
    const [auth] = conn.receive(text("USER a\r\nPASS b\r\n")) as [AuthenticateEvent]
    const [open] = conn.answerAuthenticate(auth, true) as [OpenMaildropEvent]
    expect(conn.receiveEnd()).toEqual([
      { type: "Closed", reason: "peer-closed", maildropOpen: true },
    ])
    expect(conn.openMaildrop(open, [])).toEqual([
      { type: "Closed", reason: "peer-closed", maildropOpen: true },
    ])
  })

  it("enables UTF-8 mode with UTF8 when offered (RFC 6856) and flags retrievals", () => {
    const off = new Pop3ServerConnection({ random: fixedRandom })
    off.takeOutput()
    off.receive(text("UTF8\r\n"))
    expect(show(off.takeOutput())).toBe("-ERR Unknown command\r\n")
    const conn = new Pop3ServerConnection({ random: fixedRandom, isSecure: true, utf8: true })
    conn.takeOutput()
    const [auth] = conn.receive(encodeUtf8("UTF8\r\nUSER élise\r\nPASS pw\r\n")) as [
      AuthenticateEvent,
    ]
    expect(auth.request).toMatchObject({ username: "élise" })
    const [open] = conn.answerAuthenticate(auth, true) as [OpenMaildropEvent]
    conn.openMaildrop(open, [{ uid: "u", size: 3 }])
    const [retr] = conn.receive(text("RETR 1\r\n")) as Pop3ServerEvent[]
    expect(retr).toMatchObject({ type: "Retrieve", utf8: true })
    expect(show(conn.takeOutput())).toMatch(/^\+OK UTF8 enabled\r\n/)
  })

  it("answers [LOGIN-DELAY] when the application says the user logged in too recently", () => {
    const conn = new Pop3ServerConnection({
      random: fixedRandom,
      isSecure: true,
      loginDelay: { value: 900, perUser: false },
    })
    conn.takeOutput()
    const [auth] = conn.receive(text("USER a\r\nPASS b\r\n")) as [AuthenticateEvent]
    const [open] = conn.answerAuthenticate(auth, true) as [OpenMaildropEvent]
    conn.takeOutput()
    conn.reject(open, { code: "LOGIN-DELAY", text: "Wait 15 minutes between logins" })
    expect(show(conn.takeOutput())).toBe("-ERR [LOGIN-DELAY] Wait 15 minutes between logins\r\n")
  })

  it("sends for TOP exactly the header, the blank line and n body lines, for any split", () => {
    const line = fc.oneof(
      fc.constantFrom("", ".", "..", "Subject: x", "body"),
      fc.string({ unit: fc.constantFrom("a", ":", " ", "."), maxLength: 12 }),
    )
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 20 }),
        fc.nat({ max: 6 }),
        fc.array(fc.nat({ max: 400 }), { maxLength: 8 }),
        (lines, n, cuts) => {
          const message = lines.map((l) => `${l}\r\n`).join("")
          const conn = opened({}, [{ uid: "u1", size: message.length }])
          const [top] = conn.receive(text(`TOP 1 ${n}\r\n`)) as [RetrieveEvent]
          for (const piece of cutAt(cuts)(text(message))) {
            if (!conn.messageData(top, piece)) break
          }
          conn.messageEnd(top)
          expect(unstuffed(show(conn.takeOutput()))).toBe(topReference(lines, n))
        },
      ),
    )
  })
})
