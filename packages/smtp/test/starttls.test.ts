import { SmtpClientConnection, SmtpServerConnection } from "@mailwire/smtp"
import { LocalProtocolError } from "@mailwire/wire"
import { describe, expect, it } from "vitest"
import { dec, enc, runLink, ServerApp } from "./support.js"

describe("STARTTLS injection (RFC 3207 §6, DESIGN §4 invariant 2)", () => {
  it("server: discards plaintext commands pipelined behind STARTTLS", () => {
    const app = new ServerApp(new SmtpServerConnection({ extensions: { startTls: true } }))
    app.conn.takeOutput()
    app.feed(enc("EHLO c\r\n"))
    app.conn.takeOutput()
    app.feed(enc("STARTTLS\r\nMAIL FROM:<evil@x.test>\r\nRCPT TO:<victim@y.test>\r\n"))
    expect(dec(app.conn.takeOutput())).toBe("220 2.0.0 Ready to start TLS\r\n")
    const start = app.events.at(-1)
    expect(start?.type === "startTls" && dec(start.discarded)).toBe(
      "MAIL FROM:<evil@x.test>\r\nRCPT TO:<victim@y.test>\r\n",
    )
    expect(app.conn.state).toBe("startTls")
    expect(() => app.conn.receive(enc("NOOP\r\n"))).toThrow(LocalProtocolError)
    app.handle(app.conn.resumeTls())
    expect(app.conn.isSecure).toBe(true)
    expect(app.conn.state).toBe("connected")
    expect(app.events.some((e) => e.type === "mailFrom")).toBe(false)
    app.feed(enc("MAIL FROM:<a@b.test>\r\n"))
    expect(dec(app.conn.takeOutput())).toBe("503 5.5.1 Bad sequence of commands\r\n")
  })

  it("server: refuses STARTTLS when not enabled or already secure", () => {
    const plain = new ServerApp(new SmtpServerConnection())
    plain.feed(enc("EHLO c\r\nSTARTTLS\r\n"))
    expect(dec(plain.conn.takeOutput())).toMatch(/502 5\.5\.1 STARTTLS not available\r\n$/)
    const tls = new ServerApp(
      new SmtpServerConnection({ isSecure: true, extensions: { startTls: true } }),
    )
    tls.feed(enc("EHLO c\r\nSTARTTLS\r\n"))
    expect(dec(tls.conn.takeOutput())).toMatch(/503 5\.5\.1 TLS already active\r\n$/)
  })

  it("client: discards server bytes after 220 Ready and greets again after the handshake", () => {
    const client = new SmtpClientConnection({ hostname: "c.test" })
    client.receive(enc("220 mx ESMTP\r\n"))
    expect(dec(client.takeOutput())).toBe("EHLO c.test\r\n")
    client.receive(enc("250-mx\r\n250 STARTTLS\r\n"))
    expect(dec(client.takeOutput())).toBe("STARTTLS\r\n")
    const events = client.receive(enc("220 Ready\r\n250-mx\r\n250 AUTH PLAIN\r\n"))
    expect(events).toHaveLength(1)
    expect(events[0]?.type === "startTls" && dec(events[0].discarded)).toBe(
      "250-mx\r\n250 AUTH PLAIN\r\n",
    )
    expect(client.state).toBe("tlsHandshake")
    expect(() => client.receive(enc("250 x\r\n"))).toThrow(LocalProtocolError)
    client.resumeTls()
    expect(client.isSecure).toBe(true)
    expect(dec(client.takeOutput())).toBe("EHLO c.test\r\n")
    const ready = client.receive(enc("250-mx\r\n250 SIZE 100\r\n"))
    expect(ready).toMatchObject([{ type: "ready", isSecure: true }])
    expect(client.capabilities.extensions.has("AUTH")).toBe(false)
  })

  it("client: fails the session when STARTTLS is required and not offered", () => {
    const client = new SmtpClientConnection({ startTls: "required" })
    client.receive(enc("220 mx\r\n"))
    client.takeOutput()
    const events = client.receive(enc("250 mx\r\n"))
    expect(events).toMatchObject([{ type: "sessionFailed", stage: "startTls", reply: null }])
    expect(dec(client.takeOutput())).toBe("QUIT\r\n")
  })

  it("client: stays in plaintext with startTls: never", () => {
    const client = new SmtpClientConnection({ startTls: "never" })
    client.receive(enc("220 mx\r\n"))
    client.takeOutput()
    expect(client.receive(enc("250-mx\r\n250 STARTTLS\r\n"))).toMatchObject([
      { type: "ready", isSecure: false },
    ])
  })

  it("client and server upgrade over the link and deliver afterwards", () => {
    const app = new ServerApp(new SmtpServerConnection({ extensions: { startTls: true } }))
    const client = new SmtpClientConnection()
    const events = runLink(client, app, (event) => {
      if (event.type === "ready") {
        client.sendMail({
          from: "a@b.test",
          to: ["c@d.test"],
          body: enc("x\r\n"),
          requireTls: true,
        })
        client.quit()
      }
    })
    expect(events.map((e) => e.type)).toEqual([
      "greeting",
      "startTls",
      "ready",
      "readyForBody",
      "transactionComplete",
      "closed",
    ])
    expect(app.messages[0]?.envelope.parameters.requireTls).toBe(true)
  })
})
