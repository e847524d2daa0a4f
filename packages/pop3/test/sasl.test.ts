import {
  type AuthenticateEvent,
  type OpenMaildropEvent,
  Pop3ServerConnection,
  type Pop3ServerEvent,
} from "@mailwire/pop3"
import { encodeBase64 } from "@mailwire/sasl"
import { describe, expect, it } from "vitest"
import { fixedRandom, Link, show, text } from "./link.js"

function server(): Pop3ServerConnection {
  const conn = new Pop3ServerConnection({
    isSecure: true,
    random: fixedRandom,
    saslMechanisms: ["SCRAM-SHA-256", "PLAIN"],
  })
  conn.takeOutput()
  return conn
}

const plain = (authzid: string, user: string, pass: string) =>
  encodeBase64(text(`${authzid}\0${user}\0${pass}`))

describe("AUTH on the server (RFC 5034)", () => {
  it("takes PLAIN with an initial response and asks the application", () => {
    const conn = server()
    const events = conn.receive(text(`AUTH PLAIN ${plain("", "alice", "pw")}\r\n`))
    expect(events).toEqual([
      {
        type: "Authenticate",
        id: 1,
        method: "AUTH",
        request: {
          kind: "password",
          mechanism: "PLAIN",
          username: "alice",
          password: "pw",
          authzid: null,
        },
      },
    ])
    const [open] = conn.answerAuthenticate(events[0] as AuthenticateEvent, true) as [
      OpenMaildropEvent,
    ]
    expect(open).toMatchObject({
      type: "OpenMaildrop",
      username: "alice",
      method: "AUTH",
      mechanism: "PLAIN",
    })
    conn.openMaildrop(open, [])
    expect(show(conn.takeOutput())).toBe("+OK maildrop has 0 messages (0 octets)\r\n")
  })

  it("sends an empty challenge when PLAIN comes without an initial response", () => {
    const conn = server()
    expect(conn.receive(text("AUTH PLAIN\r\n"))).toEqual([])
    expect(show(conn.takeOutput())).toBe("+ \r\n")
    const events = conn.receive(text(`${plain("", "alice", "pw")}\r\n`))
    expect(events).toMatchObject([{ type: "Authenticate", request: { username: "alice" } }])
  })

  it("fails with -ERR when the client cancels with *", () => {
    const conn = server()
    conn.receive(text("AUTH PLAIN\r\n"))
    conn.takeOutput()
    expect(conn.receive(text("*\r\nCAPA\r\n"))).toEqual([])
    expect(show(conn.takeOutput())).toMatch(
      /^-ERR Authentication cancelled\r\n\+OK Capability list follows\r\n/,
    )
  })

  it("answers -ERR to bad base64 and to an unknown mechanism, and lists mechanisms for bare AUTH", () => {
    const conn = server()
    conn.receive(text("AUTH PLAIN %%%\r\nAUTH GSSAPI\r\nAUTH\r\n"))
    expect(show(conn.takeOutput())).toBe(
      "-ERR Invalid initial response\r\n-ERR Unsupported mechanism\r\n" +
        "+OK Supported mechanisms follow\r\nSCRAM-SHA-256\r\nPLAIN\r\n.\r\n",
    )
  })

  it("counts a wrong PLAIN password as a failed login with [AUTH]", () => {
    const conn = server()
    const [auth] = conn.receive(
      text(`AUTH PLAIN ${plain("", "alice", "bad")}\r\n`),
    ) as Pop3ServerEvent[]
    expect(conn.answerAuthenticate(auth as AuthenticateEvent, false)).toEqual([])
    expect(show(conn.takeOutput())).toBe("-ERR [AUTH] Authentication failed\r\n")
  })

  it("logs a client in with SCRAM-SHA-256 end to end, verifying the server", async () => {
    const link = new Link({
      client: { isSecure: false },
      server: { saslMechanisms: ["SCRAM-SHA-256", "PLAIN"] },
    })
    await link.pump()
    link.client.send({ command: "CAPA" })
    await link.pump()
    expect(link.client.capabilities?.sasl).toEqual(["SCRAM-SHA-256"])
    const login = link.client.login({ username: "bob", password: "builder" })
    await link.pump()
    expect(link.reply(login)).toMatchObject({ type: "Ok", command: "AUTH" })
    expect(link.server.state).toBe("TRANSACTION")
  })

  it("reports a wrong SCRAM password as Err with [AUTH]", async () => {
    const link = new Link({ server: { saslMechanisms: ["SCRAM-SHA-256"] } })
    await link.pump()
    link.client.send({ command: "CAPA" })
    await link.pump()
    const login = link.client.login({ username: "bob", password: "wrong" })
    await link.pump()
    expect(link.reply(login)).toMatchObject({ type: "Err", code: "AUTH" })
    expect(link.client.state).toBe("AUTHORIZATION")
  })
})
