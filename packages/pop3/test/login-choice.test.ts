import {
  chooseLoginMethod,
  NO_CAPABILITIES,
  type Pop3Capabilities,
  Pop3ClientConnection,
  Pop3ServerConnection,
  parseCapabilities,
  type RetrieveEvent,
} from "@mailwire/pop3"
import { createSaslClient } from "@mailwire/sasl"
import { RemoteProtocolError } from "@mailwire/wire"
import { describe, expect, it } from "vitest"
import { fixedRandom, show, text } from "./link.js"

const password = { username: "alice", password: "pw" }
const caps = (...lines: string[]): Pop3Capabilities => parseCapabilities(lines)

describe("chooseLoginMethod", () => {
  const cases: [string, Parameters<typeof chooseLoginMethod>[0], unknown][] = [
    [
      "SCRAM over everything else",
      {
        capabilities: caps("SASL PLAIN SCRAM-SHA-256", "USER"),
        apopTimestamp: "<1@x>",
        credentials: password,
        isSecure: true,
        allowPlaintext: false,
      },
      { method: "AUTH", mechanism: "SCRAM-SHA-256" },
    ],
    [
      "APOP over PLAIN, even under TLS",
      {
        capabilities: caps("SASL PLAIN", "USER"),
        apopTimestamp: "<1@x>",
        credentials: password,
        isSecure: true,
        allowPlaintext: false,
      },
      { method: "APOP" },
    ],
    [
      "PLAIN over USER under TLS",
      {
        capabilities: caps("SASL PLAIN", "USER"),
        apopTimestamp: null,
        credentials: password,
        isSecure: true,
        allowPlaintext: false,
      },
      { method: "AUTH", mechanism: "PLAIN" },
    ],
    [
      "USER when the server has no CAPA at all",
      {
        capabilities: NO_CAPABILITIES,
        apopTimestamp: null,
        credentials: password,
        isSecure: true,
        allowPlaintext: false,
      },
      { method: "USER" },
    ],
    [
      "nothing when CAPA lists neither SASL nor USER",
      {
        capabilities: caps("TOP"),
        apopTimestamp: null,
        credentials: password,
        isSecure: true,
        allowPlaintext: false,
      },
      null,
    ],
    [
      "nothing in clear without TLS",
      {
        capabilities: caps("SASL PLAIN", "USER"),
        apopTimestamp: null,
        credentials: password,
        isSecure: false,
        allowPlaintext: false,
      },
      null,
    ],
    [
      "plaintext without TLS when allowed",
      {
        capabilities: caps("USER"),
        apopTimestamp: null,
        credentials: password,
        isSecure: false,
        allowPlaintext: true,
      },
      { method: "USER" },
    ],
    [
      "XOAUTH2 for a token",
      {
        capabilities: caps("SASL PLAIN XOAUTH2"),
        apopTimestamp: null,
        credentials: { username: "a", accessToken: "t" },
        isSecure: true,
        allowPlaintext: false,
      },
      { method: "AUTH", mechanism: "XOAUTH2" },
    ],
  ]
  for (const [name, context, expected] of cases) {
    it(`picks ${name}`, () => {
      expect(chooseLoginMethod(context)).toEqual(expected)
    })
  }
})

describe("client and server guarantees the README states", () => {
  it("throws SASL_SERVER_NOT_VERIFIED when a server says +OK to SCRAM without proving itself", () => {
    const conn = new Pop3ClientConnection({ isSecure: true })
    conn.receive(text("+OK hi\r\n"))
    const sasl = createSaslClient("SCRAM-SHA-256", password, { random: fixedRandom })
    conn.send({ command: "AUTH", sasl })
    expect(show(conn.takeOutput())).toMatch(/^AUTH SCRAM-SHA-256 [A-Za-z0-9+/=]+\r\n$/)
    expect(() => conn.receive(text("+OK welcome\r\n"))).toThrow(RemoteProtocolError)
    expect(() => conn.receive(text("+OK\r\n"))).toThrow(/AUTH/)
  })

  it("stops reading a listing longer than maxListingLines", () => {
    const conn = new Pop3ClientConnection({ isSecure: true, maxListingLines: 2 })
    conn.receive(text("+OK hi\r\n"))
    conn.send({ command: "UIDL" })
    expect(() => conn.receive(text("+OK\r\n1 a\r\n2 b\r\n3 c\r\n.\r\n"))).toThrow(
      RemoteProtocolError,
    )
  })

  it("writes a bare CR or LF of a stored message as CRLF", () => {
    const server = new Pop3ServerConnection({ random: fixedRandom, isSecure: true })
    const [auth] = server.receive(text("USER a\r\nPASS b\r\n"))
    const [open] = server.answerAuthenticate(auth as never, true)
    server.openMaildrop(open as never, [{ uid: "u", size: 8 }])
    server.takeOutput()
    const [retr] = server.receive(text("RETR 1\r\n")) as [RetrieveEvent]
    server.messageData(retr, text("a\nb\rc\r\n.d\n"))
    server.messageEnd(retr)
    expect(show(server.takeOutput())).toBe("+OK 8 octets\r\na\r\nb\r\nc\r\n..d\r\n.\r\n")
  })
})
