import {
  DEFAULT_MAX_BAD_COMMANDS,
  SmtpServerConnection,
  type SmtpServerOptions,
} from "@mailwire/smtp"
import { RemoteProtocolError } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { dec, enc, ServerApp } from "./support.js"

function server(options: SmtpServerOptions = {}) {
  const app = new ServerApp(new SmtpServerConnection({ hostname: "mx.test", ...options }))
  app.conn.takeOutput()
  return app
}

function say(app: ServerApp, text: string): string {
  app.feed(enc(text))
  return dec(app.conn.takeOutput())
}

const lastLine = (out: string) => out.trimEnd().split("\r\n").at(-1)

describe("limits, enforced while reading (DESIGN §4 invariant 4)", () => {
  it("refuses a DATA body over maxMessageSize with 552 5.3.4, even with a small declared SIZE", () => {
    const app = server({ maxMessageSize: 100 })
    const body = `${"x".repeat(60)}\r\n`.repeat(3)
    const out = say(
      app,
      `EHLO c\r\nMAIL FROM:<a@b.test> SIZE=10\r\nRCPT TO:<x@y.test>\r\nDATA\r\n${body}.\r\nNOOP\r\n`,
    )
    expect(out.split("\r\n").slice(-3)).toEqual([
      "552 5.3.4 Message size exceeds fixed maximum message size",
      "250 2.0.0 OK",
      "",
    ])
    expect(app.messages).toEqual([])
    const chunks = app.events.filter((e) => e.type === "messageChunk")
    const delivered = chunks.reduce(
      (n, e) => n + (e.type === "messageChunk" ? e.bytes.length : 0),
      0,
    )
    expect(delivered).toBeLessThanOrEqual(100)
    expect(app.events.some((e) => e.type === "messageAborted" && e.reason === "size")).toBe(true)
  })

  it("refuses a BDAT chunk that goes over maxMessageSize and drops the transaction", () => {
    const app = server({ maxMessageSize: 8 })
    const out = say(
      app,
      "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<x@y.test>\r\nBDAT 5\r\n12345BDAT 5\r\n67890BDAT 2 LAST\r\nabNOOP\r\n",
    )
    expect(out.split("\r\n").slice(-5)).toEqual([
      "250 2.0.0 5 octets received",
      "552 5.3.4 Message size exceeds fixed maximum message size",
      "503 5.5.1 Bad sequence of commands",
      "250 2.0.0 OK",
      "",
    ])
    expect(app.messages).toEqual([])
  })

  it("accepts a body of exactly maxMessageSize bytes", () => {
    const app = server({ maxMessageSize: 12 })
    say(app, "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<x@y.test>\r\nDATA\r\n1234567890\r\n.\r\n")
    expect(app.messages).toHaveLength(1)
  })

  it("refuses recipients past maxRecipients with 452 4.5.3", () => {
    const app = server({ maxRecipients: 2 })
    const out = say(
      app,
      "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<1@y.test>\r\nRCPT TO:<2@y.test>\r\nRCPT TO:<3@y.test>\r\n",
    )
    expect(lastLine(out)).toBe("452 4.5.3 Too many recipients")
  })

  it("refuses a command line longer than maxCommandLineLength with 500 5.5.2", () => {
    const app = server({ maxCommandLineLength: 64 })
    expect(lastLine(say(app, `EHLO ${"c".repeat(70)}\r\n`))).toBe("500 5.5.2 Line too long")
    expect(lastLine(say(app, `EHLO ${"c".repeat(57)}\r\n`))).toContain("250 ")
  })

  it("skips a line longer than the reader's limit without buffering it, then reads on", () => {
    const app = server({ maxCommandLineLength: 64, maxAuthLineLength: 100 })
    app.feed(enc(`EHLO ${"c".repeat(200)}`))
    app.feed(enc(`${"c".repeat(5000)}\r\nNOOP\r\n`))
    expect(dec(app.conn.takeOutput()).split("\r\n")).toEqual([
      "500 5.5.2 Line too long",
      "250 2.0.0 OK",
      "",
    ])
  })

  it("refuses a DATA text line longer than maxTextLineLength with 550 5.6.0", () => {
    const app = server({ maxTextLineLength: 20 })
    const out = say(
      app,
      `EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<x@y.test>\r\nDATA\r\nshort\r\n${"y".repeat(19)}\r\n.\r\n`,
    )
    expect(lastLine(out)).toBe("550 5.6.0 Message text line longer than 20 bytes")
    expect(app.events.some((e) => e.type === "messageAborted" && e.reason === "line-length")).toBe(
      true,
    )
  })

  it("accepts a DATA text line of exactly maxTextLineLength bytes", () => {
    const app = server({ maxTextLineLength: 20 })
    say(
      app,
      `EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<x@y.test>\r\nDATA\r\n${"y".repeat(18)}\r\n.\r\n`,
    )
    expect(app.messages).toHaveLength(1)
  })

  it(`closes with 421 after maxBadCommands (default ${DEFAULT_MAX_BAD_COMMANDS}) bad commands`, () => {
    const app = server({ maxBadCommands: 3 })
    const out = say(app, "FOO\r\nBAR\r\nBAZ\r\nNOOP\r\n")
    expect(out.split("\r\n")).toEqual([
      "500 5.5.1 Command unrecognized",
      "500 5.5.1 Command unrecognized",
      "500 5.5.1 Command unrecognized",
      "421 4.7.0 Too many errors",
      "",
    ])
    expect(app.events.at(-1)).toEqual({ type: "close", reason: "too-many-errors" })
    expect(app.conn.state).toBe("closed")
  })

  it("counts bare-LF command lines as bad commands", () => {
    const app = server()
    expect(say(app, "NOOP\n")).toBe(
      "500 5.5.2 Bare <LF> received; lines must end with <CR><LF>\r\n",
    )
    expect(app.events.at(-1)?.type).toBe("protocolError")
  })
})

describe("robustness", () => {
  const configs: SmtpServerOptions[] = [
    {},
    { lmtp: true },
    { authMechanisms: ["PLAIN", "LOGIN"], allowInsecureAuth: true, extensions: { startTls: true } },
    { maxMessageSize: 50, maxRecipients: 2, maxTextLineLength: 30, bareLineEndings: "reject" },
  ]
  const words = fc.constantFrom(
    "EHLO c\r\n",
    "LHLO c\r\n",
    "HELO c\r\n",
    "MAIL FROM:<a@b.test>\r\n",
    "RCPT TO:<x@y.test>\r\n",
    "DATA\r\n",
    "BDAT 3\r\n",
    "BDAT 2 LAST\r\n",
    ".\r\n",
    "\r\n.\r\n",
    "RSET\r\n",
    "AUTH PLAIN\r\n",
    "AUTH LOGIN\r\n",
    "*\r\n",
    "AHUAcA==\r\n",
    "STARTTLS\r\n",
    "QUIT\r\n",
    "\n",
    "\r",
    ".",
    "x",
    "\0",
  )
  const input = fc.array(fc.oneof(words.map(enc), fc.uint8Array({ maxLength: 40 })), {
    maxLength: 30,
  })

  it("gives events, never an exception, for arbitrary bytes at any split", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...configs),
        input,
        fc.boolean(),
        (options, chunks, holdNothing) => {
          const app = new ServerApp(new SmtpServerConnection(options), (e) =>
            holdNothing || e.type !== "messageEnd" ? "accept" : { code: 451 },
          )
          for (const chunk of chunks) {
            if (app.conn.state === "startTls") app.handle(app.conn.resumeTls())
            app.feed(chunk)
            app.conn.takeOutput()
          }
          app.end()
          expect(app.conn.state).toBe("closed")
          for (const event of app.events) {
            if (event.type === "protocolError")
              expect(event.error).toBeInstanceOf(RemoteProtocolError)
          }
        },
      ),
      { numRuns: 500 },
    )
  })
})
