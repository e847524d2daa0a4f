import { encodeBase64 } from "@mailwire/sasl"
import {
  type AuthEvent,
  DEFAULT_MAX_BUFFERED_INPUT,
  SmtpServerConnection,
  type SmtpServerDecision,
  type SmtpServerEvent,
  type SmtpServerOptions,
} from "@mailwire/smtp"
import { LocalProtocolError } from "@mailwire/wire"
import { describe, expect, it } from "vitest"
import { dec, enc, ServerApp } from "./support.js"

const b64 = (text: string) => encodeBase64(enc(text))

/** A server that holds every decision, for tests that answer by hand. */
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

/** Greets and returns the app with every later decision held. */
function greeted(options: SmtpServerOptions = {}) {
  const app = holding(options)
  app.feed(enc("EHLO c\r\n"))
  app.answer(app.held[0]!, "accept")
  app.conn.takeOutput()
  return app
}

function lastHeld<T extends SmtpServerDecision["type"]>(app: ServerApp, type: T) {
  const event = app.held.at(-1)
  expect(event?.type).toBe(type)
  return event as Extract<SmtpServerDecision, { type: T }>
}

const authOptions = { isSecure: true, authMechanisms: ["PLAIN", "CRAM-MD5"] } as const

describe("server review: answering AUTH decisions", () => {
  it("answerAuth() with the wrong kind of answer throws LocalProtocolError and keeps the decision", () => {
    const app = greeted(authOptions)
    say(app, `AUTH PLAIN ${b64("\0alice\0secret")}\r\n`)
    const event = lastHeld(app, "auth")
    expect(event.request.kind).toBe("password")
    expect(() => app.conn.answerAuth(event, { password: "secret" })).toThrow(LocalProtocolError)
    expect(app.conn.pendingDecision).toBe(event)
    expect(app.conn.state).toBe("auth")
    app.handle(app.conn.answerAuth(event, true))
    expect(dec(app.conn.takeOutput())).toBe("235 2.7.0 Authentication successful\r\n")
    expect(app.conn.authenticatedUser).toBe("alice")
  })

  it("accept() on a request that needs a secret throws LocalProtocolError and keeps the decision", () => {
    const app = greeted(authOptions)
    expect(say(app, "AUTH CRAM-MD5\r\n")).toMatch(/^334 /)
    say(app, `${b64(`alice ${"0".repeat(32)}`)}\r\n`)
    const event = lastHeld(app, "auth")
    expect(event.request.kind).toBe("secret")
    expect(() => app.conn.accept(event)).toThrow(LocalProtocolError)
    expect(app.conn.pendingDecision).toBe(event)
    app.handle(app.conn.answerAuth(event, { password: "not the secret" }))
    expect(dec(app.conn.takeOutput())).toBe("535 5.7.8 Authentication credentials invalid\r\n")
    expect(app.conn.state).toBe("ready")
  })

  it("holds a * sent while a verification is pending and reads it as a command afterwards", () => {
    const app = greeted(authOptions)
    say(app, `AUTH PLAIN ${b64("\0alice\0secret")}\r\n`)
    const event = lastHeld(app, "auth") as AuthEvent
    expect(say(app, "*\r\n")).toBe("")
    app.handle(app.conn.answerAuth(event, false))
    expect(dec(app.conn.takeOutput()).split("\r\n")).toEqual([
      "535 5.7.8 Authentication credentials invalid",
      "500 5.5.1 Command unrecognized",
      "",
    ])
    expect(app.events.filter((e) => e.type === "authFailure")).toHaveLength(1)
  })
})

describe("server review: a refusal the encoder cannot send", () => {
  it("reject() with CR/LF in the text throws LocalProtocolError and keeps the decision", () => {
    const app = greeted()
    say(app, "MAIL FROM:<a@x.test>\r\n")
    const event = lastHeld(app, "mailFrom")
    const injected = { code: 550, text: "no\r\n250 2.1.0 Sender OK" }
    expect(() => app.conn.reject(event, injected)).toThrow(LocalProtocolError)
    expect(app.conn.pendingDecision).toBe(event)
    expect(() => app.conn.reject(event, { code: 550, enhancedCode: "4.1.0" })).toThrow(
      LocalProtocolError,
    )
    expect(app.conn.pendingDecision).toBe(event)
    app.handle(app.conn.reject(event, { code: 550, text: "no" }))
    expect(dec(app.conn.takeOutput())).toBe("550 no\r\n")
  })

  it("answerMessage() with an unsendable reply throws and keeps the decision (LMTP)", () => {
    const app = holding({ lmtp: true })
    app.feed(enc("LHLO c\r\n"))
    app.answer(app.held[0]!, "accept")
    say(app, "MAIL FROM:<a@x.test>\r\n")
    app.answer(lastHeld(app, "mailFrom"), "accept")
    say(app, "RCPT TO:<b@y.test>\r\n")
    app.answer(lastHeld(app, "rcptTo"), "accept")
    app.conn.takeOutput()
    say(app, "DATA\r\nhi\r\n.\r\n")
    const end = lastHeld(app, "messageEnd")
    expect(() => app.conn.answerMessage(end, [{ code: 250, text: "a\nb" }])).toThrow(
      LocalProtocolError,
    )
    expect(app.conn.pendingDecision).toBe(end)
    app.handle(app.conn.answerMessage(end, [null]))
    expect(dec(app.conn.takeOutput())).toBe("250 2.0.0 OK: message accepted\r\n")
  })
})

describe("server review: a temporary AUTH failure (RFC 4954 §6)", () => {
  it("sends the application's 4xx and does not count it as a failed attempt", () => {
    const app = greeted({ ...authOptions, maxAuthFailures: 2 })
    const temporary = { code: 454, enhancedCode: "4.7.0", text: "Temporary authentication failure" }
    for (let i = 0; i < 3; i++) {
      say(app, `AUTH PLAIN ${b64("\0alice\0secret")}\r\n`)
      app.handle(app.conn.reject(lastHeld(app, "auth"), temporary))
      expect(dec(app.conn.takeOutput())).toBe("454 4.7.0 Temporary authentication failure\r\n")
      expect(app.events.at(-1)).toEqual({
        type: "authFailure",
        mechanism: "PLAIN",
        reason: "temporary",
        failures: 0,
      })
    }
    expect(app.conn.state).toBe("ready")
    say(app, `AUTH PLAIN ${b64("\0alice\0secret")}\r\n`)
    app.handle(app.conn.answerAuth(lastHeld(app, "auth"), true))
    expect(app.conn.authenticatedUser).toBe("alice")
  })

  it("still answers a 5xx rejection with 535 and counts it", () => {
    const app = greeted(authOptions)
    say(app, `AUTH PLAIN ${b64("\0alice\0secret")}\r\n`)
    app.handle(app.conn.reject(lastHeld(app, "auth"), { code: 550 }))
    expect(dec(app.conn.takeOutput())).toBe("535 5.7.8 Authentication credentials invalid\r\n")
    expect(app.events.at(-1)).toMatchObject({ reason: "invalid-credentials", failures: 1 })
  })
})

describe("server review: answers that arrive after the connection closed", () => {
  it("ignores the answer to an auth decision dropped by shutdown()", () => {
    const app = greeted(authOptions)
    say(app, `AUTH PLAIN ${b64("\0alice\0secret")}\r\n`)
    const event = lastHeld(app, "auth") as AuthEvent
    app.handle(app.conn.shutdown())
    app.conn.takeOutput()
    expect(app.conn.answerAuth(event, true)).toEqual([])
    expect(app.conn.takeOutput()).toHaveLength(0)
    expect(app.conn.authenticatedUser).toBeNull()
  })

  it("ignores accept() and reject() of a messageEnd dropped by shutdown()", () => {
    const app = greeted()
    say(app, "MAIL FROM:<a@x.test>\r\n")
    app.answer(lastHeld(app, "mailFrom"), "accept")
    say(app, "RCPT TO:<b@y.test>\r\n")
    app.answer(lastHeld(app, "rcptTo"), "accept")
    say(app, "DATA\r\nhello\r\n.\r\n")
    const end = lastHeld(app, "messageEnd")
    app.handle(app.conn.shutdown())
    app.conn.takeOutput()
    expect(app.conn.accept(end)).toEqual([])
    expect(app.conn.reject(end)).toEqual([])
    expect(app.conn.takeOutput()).toHaveLength(0)
  })

  it("still refuses an answer to an event that was never pending", () => {
    const app = greeted()
    app.handle(app.conn.shutdown())
    const stray: SmtpServerDecision = { type: "helo", verb: "EHLO", domain: "x" }
    expect(() => app.conn.accept(stray)).toThrow(LocalProtocolError)
  })
})

describe("server review: input held while a decision is pending", () => {
  it("says it is waiting and how many bytes it holds, for backpressure", () => {
    const app = holding()
    expect(app.conn.isWaiting).toBe(false)
    expect(app.conn.bufferedLength).toBe(0)
    app.feed(enc("EHLO c\r\nNOOP\r\n"))
    expect(app.conn.isWaiting).toBe(true)
    expect(app.conn.bufferedLength).toBe(6)
    app.answer(app.held[0]!, "accept")
    expect(app.conn.isWaiting).toBe(false)
    expect(app.conn.bufferedLength).toBe(0)
  })

  it("closes with 421 once held input passes maxBufferedInput, and holds no more", () => {
    const app = holding({ maxBufferedInput: 1024 })
    app.feed(enc("EHLO c\r\n"))
    const noops = enc("NOOP\r\n".repeat(100))
    app.feed(noops)
    expect(app.conn.state).not.toBe("closed")
    app.feed(noops)
    expect(app.conn.state).toBe("closed")
    expect(app.conn.bufferedLength).toBe(0)
    expect(dec(app.conn.takeOutput())).toBe(
      "421 4.7.0 Too much input while a command is pending\r\n",
    )
    expect(app.events.at(-1)).toEqual({ type: "close", reason: "too-much-input" })
  })

  it("has a default limit well above a pipelined BDAT chunk's line and a socket read", () => {
    expect(DEFAULT_MAX_BUFFERED_INPUT).toBeGreaterThanOrEqual(256 * 1024)
  })

  it("keeps memory bounded when a client pipelines megabytes behind a held decision", () => {
    const app = holding()
    app.feed(enc("EHLO c\r\n"))
    const chunk = enc("NOOP\r\n".repeat(10_000))
    for (let i = 0; i < 100 && app.conn.state !== "closed"; i++) app.feed(chunk)
    expect(app.conn.state).toBe("closed")
    expect(app.conn.bufferedLength).toBe(0)
  })
})

describe("server review: state machine", () => {
  function transaction(app: ServerApp) {
    say(app, "MAIL FROM:<a@x.test>\r\n")
    app.answer(lastHeld(app, "mailFrom"), "accept")
    return app
  }

  it("resets the transaction on EHLO after MAIL (RFC 5321 §4.1.4)", () => {
    const app = transaction(greeted())
    app.conn.takeOutput()
    say(app, "EHLO again\r\n")
    app.answer(lastHeld(app, "helo"), "accept")
    expect(app.events.some((e) => e.type === "reset")).toBe(true)
    expect(app.conn.state).toBe("ready")
    app.conn.takeOutput()
    expect(say(app, "RCPT TO:<b@y.test>\r\n")).toBe("503 5.5.1 Bad sequence of commands\r\n")
  })

  it("refuses AUTH inside a mail transaction (RFC 4954 §4)", () => {
    const app = transaction(greeted(authOptions))
    app.conn.takeOutput()
    expect(say(app, `AUTH PLAIN ${b64("\0alice\0secret")}\r\n`)).toBe(
      "503 5.5.1 Bad sequence of commands\r\n",
    )
  })

  it("refuses DATA between BDAT chunks and keeps the BDAT transaction", () => {
    const app = transaction(greeted())
    say(app, "RCPT TO:<b@y.test>\r\n")
    app.answer(lastHeld(app, "rcptTo"), "accept")
    app.conn.takeOutput()
    expect(say(app, "BDAT 3\r\nabc")).toBe("250 2.0.0 3 octets received\r\n")
    expect(say(app, "DATA\r\n")).toBe("503 5.5.1 Bad sequence of commands\r\n")
    say(app, "BDAT 0 LAST\r\n")
    const end = lastHeld(app, "messageEnd")
    expect(end.size).toBe(3)
  })

  it("aborts a half-sent BDAT message on RSET, and on QUIT", () => {
    for (const [verb, reply, reason] of [
      ["RSET", "250 2.0.0 OK", "reset"],
      ["QUIT", "221 2.0.0 Bye", "closed"],
    ] as const) {
      const app = transaction(greeted())
      say(app, "RCPT TO:<b@y.test>\r\n")
      app.answer(lastHeld(app, "rcptTo"), "accept")
      app.conn.takeOutput()
      say(app, "BDAT 3\r\nabc")
      expect(say(app, `${verb}\r\n`)).toBe(`${reply}\r\n`)
      const types = app.events.map((e) => e.type)
      expect(types).toContain("messageAborted")
      expect(types).not.toContain("messageEnd")
      expect(app.events.find((e) => e.type === "messageAborted")).toMatchObject({ reason })
      expect(app.conn.state).toBe(verb === "RSET" ? "ready" : "closed")
    }
  })

  it("ends an empty message at BDAT 0 LAST", () => {
    const app = transaction(greeted())
    say(app, "RCPT TO:<b@y.test>\r\n")
    app.answer(lastHeld(app, "rcptTo"), "accept")
    app.conn.takeOutput()
    say(app, "BDAT 0 LAST\r\n")
    expect(lastHeld(app, "messageEnd").size).toBe(0)
    app.answer(lastHeld(app, "messageEnd"), "accept")
    expect(dec(app.conn.takeOutput())).toBe("250 2.0.0 OK: message accepted\r\n")
    expect(app.conn.state).toBe("ready")
  })

  it("refuses a second STARTTLS after the upgrade", () => {
    const app = holding({ extensions: { startTls: true } })
    const events: SmtpServerEvent[] = []
    events.push(...app.conn.receive(enc("STARTTLS\r\n")))
    expect(events.map((e) => e.type)).toEqual(["startTls"])
    app.conn.takeOutput()
    app.conn.resumeTls()
    expect(say(app, "STARTTLS\r\n")).toBe("503 5.5.1 TLS already active\r\n")
  })

  it("answers LMTP DATA once per accepted recipient, not per RCPT sent (RFC 2033 §4.2)", () => {
    const app = holding({ lmtp: true })
    app.feed(enc("LHLO c\r\n"))
    app.answer(app.held[0]!, "accept")
    transaction(app)
    say(app, "RCPT TO:<one@y.test>\r\n")
    app.answer(lastHeld(app, "rcptTo"), "accept")
    say(app, "RCPT TO:<two@y.test>\r\n")
    app.answer(lastHeld(app, "rcptTo"), { code: 550, text: "no" })
    say(app, "RCPT TO:<three@y.test>\r\n")
    app.answer(lastHeld(app, "rcptTo"), "accept")
    app.conn.takeOutput()
    say(app, "DATA\r\nhi\r\n.\r\n")
    const end = lastHeld(app, "messageEnd")
    expect(end.envelope.recipients.map((r) => r.to.localPart)).toEqual(["one", "three"])
    app.handle(app.conn.answerMessage(end, [null, { code: 452, text: "full" }]))
    expect(dec(app.conn.takeOutput()).split("\r\n")).toEqual([
      "250 2.0.0 OK: message accepted",
      "452 full",
      "",
    ])
  })
})
