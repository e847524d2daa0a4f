import {
  DEFAULT_MAX_REJECTED_RECIPIENTS,
  SmtpServerConnection,
  type SmtpServerOptions,
} from "@mailwire/smtp"
import { describe, expect, it } from "vitest"
import { dec, enc, ServerApp } from "./support.js"

const unknownUser = { code: 550, enhancedCode: "5.1.1", text: "No such user" }

/** A server whose application accepts only recipients at good.test. */
function server(options: SmtpServerOptions = {}) {
  const app = new ServerApp(new SmtpServerConnection({ hostname: "mx.test", ...options }), (e) =>
    e.type === "rcptTo" && e.to.domain !== "good.test" ? unknownUser : "accept",
  )
  app.conn.takeOutput()
  return app
}

function say(app: ServerApp, text: string): string[] {
  app.feed(enc(text))
  return dec(app.conn.takeOutput()).trimEnd().split("\r\n")
}

const probes = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => `RCPT TO:<user${from + i}@probe.test>\r\n`).join("")

describe("maxRejectedRecipients (DESIGN §4: limits enforced while reading)", () => {
  it("defaults to Postfix's smtpd_hard_error_limit of 20", () => {
    expect(DEFAULT_MAX_REJECTED_RECIPIENTS).toBe(20)
  })

  it("closes with 421 4.7.0 after the 20th refused recipient by default", () => {
    const app = server()
    say(app, "EHLO c\r\nMAIL FROM:<a@b.test>\r\n")
    const out = say(app, probes(19))
    expect(out).toEqual(Array.from({ length: 19 }, () => "550 5.1.1 No such user"))
    expect(app.conn.state).not.toBe("closed")
    expect(say(app, `${probes(1, 19)}RCPT TO:<late@probe.test>\r\nNOOP\r\n`)).toEqual([
      "550 5.1.1 No such user",
      "421 4.7.0 Too many rejected recipients",
    ])
    expect(app.conn.state).toBe("closed")
    expect(app.events.at(-1)).toEqual({ type: "close", reason: "too-many-rejected-recipients" })
    expect(app.events.filter((e) => e.type === "rcptTo")).toHaveLength(20)
  })

  it("counts refusals across transactions on one connection", () => {
    const app = server({ maxRejectedRecipients: 3 })
    say(app, `EHLO c\r\nMAIL FROM:<a@b.test>\r\n${probes(2)}RSET\r\n`)
    expect(app.conn.state).toBe("ready")
    expect(say(app, `MAIL FROM:<a@b.test>\r\n${probes(1, 2)}`)).toEqual([
      "250 2.1.0 Sender OK",
      "550 5.1.1 No such user",
      "421 4.7.0 Too many rejected recipients",
    ])
    expect(app.conn.state).toBe("closed")
  })

  it("does not count accepted recipients or the machine's own 452 Too many recipients", () => {
    const app = server({ maxRejectedRecipients: 2, maxRecipients: 1 })
    const accepted = Array.from({ length: 5 }, (_, i) => `RCPT TO:<u${i}@good.test>\r\n`).join("")
    const out = say(app, `EHLO c\r\nMAIL FROM:<a@b.test>\r\n${accepted}${probes(1)}NOOP\r\n`)
    expect(out.slice(-7)).toEqual([
      "250 2.1.5 Recipient OK",
      "452 4.5.3 Too many recipients",
      "452 4.5.3 Too many recipients",
      "452 4.5.3 Too many recipients",
      "452 4.5.3 Too many recipients",
      "452 4.5.3 Too many recipients",
      "250 2.0.0 OK",
    ])
    expect(app.conn.state).not.toBe("closed")
  })

  it("counts temporary refusals too, answered later after an await", () => {
    const app = new ServerApp(new SmtpServerConnection({ maxRejectedRecipients: 2 }), (e) =>
      e.type === "rcptTo" ? "hold" : "accept",
    )
    app.conn.takeOutput()
    say(app, `EHLO c\r\nMAIL FROM:<a@b.test>\r\n${probes(3)}`)
    const greylist = { code: 450, enhancedCode: "4.2.0", text: "Greylisted" }
    app.answer(app.held[0]!, greylist)
    expect(app.conn.state).not.toBe("closed")
    app.answer(app.held[0]!, greylist)
    expect(dec(app.conn.takeOutput()).trimEnd().split("\r\n")).toEqual([
      "450 4.2.0 Greylisted",
      "450 4.2.0 Greylisted",
      "421 4.7.0 Too many rejected recipients",
    ])
    expect(app.conn.state).toBe("closed")
    expect(app.held).toEqual([])
  })
})
