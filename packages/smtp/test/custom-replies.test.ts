import { SmtpServerConnection, type SmtpServerOptions } from "@mailwire/smtp"
import { LocalProtocolError } from "@mailwire/wire"
import { describe, expect, it } from "vitest"
import { dec, enc, ServerApp } from "./support.js"

function holding(options: SmtpServerOptions = {}) {
  const app = new ServerApp(
    new SmtpServerConnection({ hostname: "mx.test", ...options }),
    () => "hold",
  )
  app.conn.takeOutput()
  return app
}

function say(app: ServerApp, text: string): string {
  app.feed(enc(text))
  return dec(app.conn.takeOutput())
}

function next(app: ServerApp) {
  const event = app.held.shift()
  if (event === undefined) throw new Error("no decision held")
  return event
}

describe("accept() with a custom positive reply", () => {
  it("answers the end of DATA with the application's queue id", () => {
    const app = holding()
    say(app, "EHLO c\r\n")
    app.handle(app.conn.accept(next(app)))
    say(app, "MAIL FROM:<a@example.com>\r\n")
    app.handle(app.conn.accept(next(app), { code: 250, enhancedCode: "2.1.0", text: "Hi a" }))
    expect(dec(app.conn.takeOutput())).toBe("250 2.1.0 Hi a\r\n")
    say(app, "RCPT TO:<b@example.org>\r\n")
    app.handle(app.conn.accept(next(app), { code: 251, enhancedCode: "2.1.5", text: "Forwarding" }))
    expect(dec(app.conn.takeOutput())).toBe("251 2.1.5 Forwarding\r\n")
    say(app, "DATA\r\nhello\r\n.\r\n")
    app.handle(
      app.conn.accept(next(app), { code: 250, enhancedCode: "2.0.0", text: "Ok: queued as 4F3A" }),
    )
    expect(dec(app.conn.takeOutput())).toBe("250 2.0.0 Ok: queued as 4F3A\r\n")
    expect(app.conn.state).toBe("ready")
  })

  it("puts a custom EHLO greeting line before the extension lines", () => {
    const app = holding()
    say(app, "EHLO c\r\n")
    app.handle(app.conn.accept(next(app), { code: 250, text: "mx.test at your service" }))
    const out = dec(app.conn.takeOutput())
    expect(out.startsWith("250-mx.test at your service\r\n250-PIPELINING\r\n")).toBe(true)
    expect(out.endsWith("250 ENHANCEDSTATUSCODES\r\n")).toBe(true)
  })

  it("gives every LMTP recipient the custom reply of an accepted messageEnd", () => {
    const app = holding({ lmtp: true })
    say(app, "LHLO c\r\n")
    app.handle(app.conn.accept(next(app)))
    say(app, "MAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nRCPT TO:<c@x.test>\r\n")
    for (let i = 0; i < 3; i++) app.handle(app.conn.accept(next(app)))
    app.conn.takeOutput()
    say(app, "DATA\r\nhi\r\n.\r\n")
    app.handle(app.conn.accept(next(app), { code: 250, enhancedCode: "2.1.5", text: "Delivered" }))
    expect(dec(app.conn.takeOutput())).toBe("250 2.1.5 Delivered\r\n250 2.1.5 Delivered\r\n")
  })

  it.each([
    ["a negative code", { code: 550, text: "no" }],
    ["an intermediate code", { code: 354, text: "go on" }],
    ["CR LF in the text", { code: 250, text: "ok\r\n250 injected" }],
    ["NUL in the text", { code: 250, text: "ok\0" }],
    ["an enhanced code of the wrong class", { code: 250, enhancedCode: "5.1.1", text: "ok" }],
  ])("refuses %s and keeps the decision pending", (_name, reply) => {
    const app = holding()
    say(app, "EHLO c\r\n")
    app.handle(app.conn.accept(next(app)))
    say(app, "MAIL FROM:<a@example.com>\r\n")
    const event = next(app)
    expect(() => app.conn.accept(event, reply)).toThrow(LocalProtocolError)
    expect(app.conn.pendingDecision).toBe(event)
    expect(dec(app.conn.takeOutput())).toBe("")
    app.handle(app.conn.accept(event))
    expect(dec(app.conn.takeOutput())).toBe("250 2.1.0 Sender OK\r\n")
  })

  it("takes only 250 for a greeting and no custom reply for AUTH", () => {
    const app = holding({ isSecure: true, authMechanisms: ["PLAIN"] })
    say(app, "EHLO c\r\n")
    const helo = next(app)
    expect(() => app.conn.accept(helo, { code: 251, text: "hi" })).toThrow(LocalProtocolError)
    app.handle(app.conn.accept(helo))
    say(app, `AUTH PLAIN ${btoa("\0alice\0secret")}\r\n`)
    const auth = next(app)
    expect(() => app.conn.accept(auth, { code: 235, text: "ok" })).toThrow(LocalProtocolError)
    expect(app.conn.pendingDecision).toBe(auth)
  })
})
