import {
  type SmtpReplyInput,
  SmtpServerConnection,
  type SmtpServerDecision,
  type SmtpServerOptions,
} from "@mailwire/smtp"
import { LocalProtocolError } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { byteAtATime, dec, enc, type Policy, ServerApp, splitAt } from "./support.js"

function server(options: SmtpServerOptions = {}, policy?: Policy) {
  const app = new ServerApp(new SmtpServerConnection({ hostname: "mx.test", ...options }), policy)
  app.conn.takeOutput()
  return app
}

function say(app: ServerApp, text: string): string {
  app.feed(enc(text))
  return dec(app.conn.takeOutput())
}

const codes = (output: string) =>
  output
    .split("\r\n")
    .filter((l) => / |^\d{3}$/.test(l.slice(3, 4) || " ") && l !== "")
    .map((l) => l.slice(0, 3))

describe("greeting and EHLO (RFC 5321 §4.1.1.1)", () => {
  it("greets with 220 and the hostname", () => {
    const conn = new SmtpServerConnection({ hostname: "mx.test" })
    expect(dec(conn.takeOutput())).toBe("220 mx.test ESMTP ready\r\n")
    expect(conn.state).toBe("connected")
  })

  it("announces the default extensions, without STARTTLS, AUTH or REQUIRETLS in plaintext", () => {
    const app = server({ authMechanisms: ["PLAIN"] })
    expect(say(app, "EHLO c.test\r\n")).toBe(
      "250-mx.test greets c.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250-CHUNKING\r\n" +
        "250-BINARYMIME\r\n250-SMTPUTF8\r\n250-DSN\r\n250 ENHANCEDSTATUSCODES\r\n",
    )
    expect(app.conn.state).toBe("ready")
  })

  it("announces STARTTLS when enabled, and AUTH when plaintext AUTH is allowed", () => {
    const app = server({
      extensions: { startTls: true },
      authMechanisms: ["PLAIN", "LOGIN"],
      allowInsecureAuth: true,
    })
    const out = say(app, "EHLO c.test\r\n")
    expect(out).toContain("250-STARTTLS\r\n")
    expect(out).toContain("250-AUTH PLAIN LOGIN\r\n")
  })

  it("announces AUTH and REQUIRETLS under TLS, and not STARTTLS", () => {
    const out = say(
      server({ isSecure: true, extensions: { startTls: true }, authMechanisms: ["PLAIN"] }),
      "EHLO c\r\n",
    )
    expect(out).toContain("250-AUTH PLAIN\r\n")
    expect(out).toContain("250 REQUIRETLS\r\n")
    expect(out).not.toContain("STARTTLS")
  })

  it("announces only what is configured", () => {
    const out = say(
      server({
        maxMessageSize: 0,
        extensions: {
          pipelining: false,
          eightBitMime: false,
          chunking: false,
          smtpUtf8: false,
          dsn: false,
          enhancedStatusCodes: false,
        },
      }),
      "EHLO c\r\n",
    )
    expect(out).toBe("250-mx.test greets c\r\n250 SIZE\r\n")
  })

  it("answers HELO with one line and refuses ESMTP parameters after it", () => {
    const app = server()
    expect(say(app, "HELO c.test\r\n")).toBe("250 mx.test\r\n")
    expect(say(app, "MAIL FROM:<a@b.test> SIZE=10\r\n")).toBe(
      "555 5.5.4 SIZE parameter not supported\r\n",
    )
  })

  it("refuses LHLO in SMTP and EHLO in LMTP", () => {
    expect(say(server(), "LHLO c\r\n")).toBe("500 5.5.1 Command unrecognized\r\n")
    expect(say(server({ lmtp: true }), "EHLO c\r\n")).toBe("500 5.5.1 Command unrecognized\r\n")
  })

  it("sends the application's refusal of HELO and stays unGreeted", () => {
    const app = server({}, (e) =>
      e.type === "helo" ? { code: 550, enhancedCode: "5.7.1", text: "Go away" } : "accept",
    )
    expect(say(app, "EHLO c\r\nMAIL FROM:<a@b.test>\r\n")).toBe(
      "550 5.7.1 Go away\r\n503 5.5.1 Bad sequence of commands\r\n",
    )
  })
})

describe("decisions and pipelining (RFC 2920)", () => {
  it("holds pipelined commands until each decision is answered, then answers in order", () => {
    const app = server({}, () => "hold")
    say(app, "EHLO c\r\n")
    app.answer(app.held[0]!, "accept")
    app.conn.takeOutput()
    expect(
      say(
        app,
        "MAIL FROM:<a@b.test>\r\nRCPT TO:<x@y.test>\r\nRCPT TO:<z@y.test>\r\nDATA\r\nhello\r\n.\r\nQUIT\r\n",
      ),
    ).toBe("")
    expect(app.held.map((e) => e.type)).toEqual(["mailFrom"])
    expect(app.conn.pendingDecision).toBe(app.held[0])
    app.answer(app.held[0]!, "accept")
    expect(app.held.map((e) => e.type)).toEqual(["rcptTo"])
    app.answer(app.held[0]!, { code: 550, enhancedCode: "5.1.1", text: "No such user" })
    app.answer(app.held[0]!, "accept")
    expect(app.held.map((e) => e.type)).toEqual(["messageEnd"])
    expect(dec(app.messages[0]!.body)).toBe("hello\r\n")
    app.answer(app.held[0]!, "accept")
    expect(dec(app.conn.takeOutput())).toBe(
      "250 2.1.0 Sender OK\r\n550 5.1.1 No such user\r\n250 2.1.5 Recipient OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n" +
        "250 2.0.0 OK: message accepted\r\n221 2.0.0 Bye\r\n",
    )
    expect(app.conn.state).toBe("closed")
  })

  it("gives the envelope with rcptTo and messageEnd", () => {
    const app = server()
    say(
      app,
      "EHLO c\r\nMAIL FROM:<> RET=HDRS ENVID=abc\r\nRCPT TO:<x@y.test> NOTIFY=NEVER\r\nDATA\r\n.\r\n",
    )
    expect(app.messages[0]!.envelope).toEqual({
      from: null,
      parameters: { ret: "HDRS", envid: "abc" },
      recipients: [{ to: { localPart: "x", domain: "y.test" }, parameters: { notify: ["NEVER"] } }],
    })
  })

  it("refuses an answer to an event that is not pending", () => {
    const app = server({}, () => "hold")
    say(app, "EHLO c\r\n")
    const helo = app.held[0]!
    app.answer(helo, "accept")
    expect(() => app.conn.accept(helo)).toThrow(LocalProtocolError)
    expect(() => app.conn.reject(helo, { code: 250 })).toThrow(LocalProtocolError)
  })

  it("refuses a rejection that is not a 4xx or 5xx reply", () => {
    const app = server({}, (e: SmtpServerDecision) =>
      e.type === "helo" ? "accept" : ({ code: 250 } as SmtpReplyInput),
    )
    say(app, "EHLO c\r\n")
    expect(() => say(app, "MAIL FROM:<a@b.test>\r\n")).toThrow(LocalProtocolError)
  })

  it("uses a default refusal for each decision", () => {
    const app = server({}, (e) => (e.type === "helo" ? "accept" : "hold"))
    say(app, "EHLO c\r\nMAIL FROM:<a@b.test>\r\n")
    app.handle(app.conn.reject(app.held.pop()!))
    let out = say(app, "MAIL FROM:<a@b.test>\r\n")
    app.handle(app.conn.accept(app.held.pop()!))
    out += say(app, "RCPT TO:<x@y.test>\r\n")
    app.handle(app.conn.reject(app.held.pop()!))
    out += dec(app.conn.takeOutput())
    expect(out).toBe(
      "550 5.7.1 Sender rejected\r\n250 2.1.0 Sender OK\r\n550 5.1.1 Recipient rejected\r\n",
    )
  })
})

describe("command order and checks (RFC 5321 §4.1.4, §4.1.1.2)", () => {
  it.each([
    ["RCPT before MAIL", "EHLO c\r\nRCPT TO:<a@b.test>\r\n", "503 5.5.1"],
    ["DATA before RCPT", "EHLO c\r\nMAIL FROM:<a@b.test>\r\nDATA\r\n", "503 5.5.1"],
    ["MAIL before EHLO", "MAIL FROM:<a@b.test>\r\n", "503 5.5.1"],
    ["nested MAIL", "EHLO c\r\nMAIL FROM:<a@b.test>\r\nMAIL FROM:<a@b.test>\r\n", "503 5.5.1"],
    [
      "a declared SIZE over the limit",
      "EHLO c\r\nMAIL FROM:<a@b.test> SIZE=20000000\r\n",
      "552 5.3.4",
    ],
    ["an unknown parameter", "EHLO c\r\nMAIL FROM:<a@b.test> XFOO=1\r\n", "555 5.5.4"],
    ["a non-ASCII sender without SMTPUTF8", "EHLO c\r\nMAIL FROM:<δ@b.test>\r\n", "553 5.6.7"],
    [
      "a non-ASCII recipient without SMTPUTF8",
      "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<δ@b.test>\r\n",
      "553 5.6.7",
    ],
    ["REQUIRETLS in plaintext", "EHLO c\r\nMAIL FROM:<a@b.test> REQUIRETLS\r\n", "555 5.5.4"],
    [
      "DATA for a BINARYMIME body",
      "EHLO c\r\nMAIL FROM:<a@b.test> BODY=BINARYMIME\r\nRCPT TO:<x@y.test>\r\nDATA\r\n",
      "503 5.5.1",
    ],
    ["an unknown command", "EHLO c\r\nFOO\r\n", "500 5.5.1"],
    ["EXPN", "EHLO c\r\nEXPN staff\r\n", "502 5.5.1"],
  ])("refuses %s", (_name, input, code) => {
    const lines = say(server(), input).trimEnd().split("\r\n")
    expect(lines.at(-1)!.startsWith(code)).toBe(true)
  })

  it("accepts SMTPUTF8 addresses with the parameter", () => {
    const app = server()
    expect(say(app, "EHLO c\r\nMAIL FROM:<δ@b.test> SMTPUTF8\r\nRCPT TO:<ж@п.test>\r\n")).toContain(
      "250 2.1.5",
    )
  })

  it("answers NOOP, VRFY, HELP and RSET, and reports a reset transaction", () => {
    const app = server()
    const out = say(app, "EHLO c\r\nNOOP\r\nVRFY bob\r\nHELP\r\nMAIL FROM:<a@b.test>\r\nRSET\r\n")
    expect(codes(out).slice(-5)).toEqual(["250", "252", "214", "250", "250"])
    expect(app.events.at(-1)).toEqual({ type: "reset" })
    expect(app.conn.state).toBe("ready")
  })

  it("reads the bytes of a refused BDAT so the next command is read in step", () => {
    const app = server()
    const out = say(app, "EHLO c\r\nBDAT 12\r\nQUIT\r\nQUIT\r\nNOOP\r\n")
    expect(out.split("\r\n").slice(-3)).toEqual([
      "503 5.5.1 Bad sequence of commands",
      "250 2.0.0 OK",
      "",
    ])
  })

  it("processes input held behind a decision after the peer closed", () => {
    const app = server({}, () => "hold")
    say(app, "EHLO c\r\nNOOP\r\n")
    app.end()
    expect(app.conn.state).toBe("connected")
    app.answer(app.held[0]!, "accept")
    expect(app.conn.state).toBe("closed")
    expect(dec(app.conn.takeOutput())).toContain("250 2.0.0 OK\r\n")
  })

  it("shuts down with 421 and ignores later input", () => {
    const app = server()
    say(app, "EHLO c\r\n")
    app.handle(app.conn.shutdown())
    expect(dec(app.conn.takeOutput())).toBe("421 4.3.2 Service closing transmission channel\r\n")
    expect(app.conn.receive(enc("NOOP\r\n"))).toEqual([])
  })
})

describe("DATA and BDAT", () => {
  it("streams a DATA body unstuffed and reports its size", () => {
    const app = server()
    say(
      app,
      "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<x@y.test>\r\nDATA\r\n..dot\r\nline\r\n.\r\n",
    )
    expect(dec(app.messages[0]!.body)).toBe(".dot\r\nline\r\n")
    const end = app.events.find((e) => e.type === "messageEnd")
    expect(end?.type === "messageEnd" && end.size).toBe(12)
  })

  it("streams BDAT chunks, answering each, and ends at LAST", () => {
    const app = server()
    const out = say(
      app,
      "EHLO c\r\nMAIL FROM:<a@b.test> BODY=BINARYMIME\r\nRCPT TO:<x@y.test>\r\nBDAT 5\r\n\0\r\n.\nBDAT 3 LAST\r\nxyzNOOP\r\n",
    )
    expect(out.split("\r\n").slice(-4)).toEqual([
      "250 2.0.0 5 octets received",
      "250 2.0.0 OK: message accepted",
      "250 2.0.0 OK",
      "",
    ])
    expect(Array.from(app.messages[0]!.body)).toEqual(Array.from(enc("\0\r\n.\nxyz")))
    expect(app.messages[0]!.transfer).toBe("BDAT")
  })

  it("answers LMTP with one reply per recipient (RFC 2033 §4.2)", () => {
    const app = server({ lmtp: true }, (e) =>
      e.type === "messageEnd"
        ? [null, { code: 452, enhancedCode: "4.2.2", text: "Mailbox full" }]
        : "accept",
    )
    const out = say(
      app,
      "LHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<x@y.test>\r\nRCPT TO:<z@y.test>\r\nDATA\r\nhi\r\n.\r\n",
    )
    expect(out.split("\r\n").slice(-3)).toEqual([
      "250 2.0.0 OK: message accepted",
      "452 4.2.2 Mailbox full",
      "",
    ])
  })

  it("refuses per-recipient answers outside LMTP", () => {
    const app = server({}, () => "hold")
    say(app, "EHLO c\r\n")
    app.answer(app.held[0]!, "accept")
    say(app, "MAIL FROM:<a@b.test>\r\n")
    app.answer(app.held[0]!, "accept")
    say(app, "RCPT TO:<x@y.test>\r\n")
    app.answer(app.held[0]!, "accept")
    say(app, "DATA\r\nx\r\n.\r\n")
    expect(() => app.conn.answerMessage(app.held[0] as never, [null])).toThrow(LocalProtocolError)
  })

  it("reports an aborted message when the peer closes during DATA", () => {
    const app = server()
    say(app, "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<x@y.test>\r\nDATA\r\npartial")
    app.end()
    expect(app.events.slice(-2)).toEqual([
      { type: "messageAborted", reason: "closed", reply: null },
      { type: "close", reason: "peer-closed" },
    ])
  })
})

describe("framing: the same session at any split", () => {
  const SESSION =
    "EHLO c\r\nMAIL FROM:<a@b.test> BODY=8BITMIME\r\nRCPT TO:<x@y.test>\r\nDATA\r\n" +
    "Subject: é\r\n\r\n..dot\r\n.\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<x@y.test>\r\n" +
    "BDAT 4\r\nab\r\nBDAT 2 LAST\r\n.\nNOOP\r\nBOGUS\r\nQUIT\r\n"

  function play(pieces: readonly Uint8Array[]) {
    const app = server()
    let out = ""
    for (const piece of pieces) {
      app.feed(piece)
      out += dec(app.conn.takeOutput())
    }
    const events = app.events.filter((e) => e.type !== "messageChunk").map((e) => e.type)
    return { out, events, bodies: app.messages.map((m) => dec(m.body)) }
  }

  it("gives the same replies, events and bodies whole, byte at a time and at random splits", () => {
    const input = enc(SESSION)
    const expected = play([input])
    expect(expected.bodies).toEqual(["Subject: é\r\n\r\n.dot\r\n", "ab\r\n.\n"])
    expect(expected.out.split("\r\n").slice(-4)).toEqual([
      "250 2.0.0 OK",
      "500 5.5.1 Command unrecognized",
      "221 2.0.0 Bye",
      "",
    ])
    expect(play(byteAtATime(input))).toEqual(expected)
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 10 }), (cuts) => {
        expect(play(splitAt(cuts)(input))).toEqual(expected)
      }),
    )
  })
})

describe("the replies the server sends in every transaction", () => {
  it("hands out bytes the caller owns: writing into one reply leaves the next intact", () => {
    for (const enhancedStatusCodes of [true, false]) {
      const app = server({ extensions: { enhancedStatusCodes } })
      say(app, "EHLO c.test\r\n")
      const first = [
        "MAIL FROM:<a@c.test>\r\n",
        "RCPT TO:<b@c.test>\r\n",
        "DATA\r\n",
        "hi\r\n.\r\n",
        "NOOP\r\n",
      ].map((line) => {
        app.feed(enc(line))
        const out = app.conn.takeOutput()
        const text = dec(out)
        out.fill(0x58)
        return text
      })
      const again = ["RSET\r\n", "MAIL FROM:<a@c.test>\r\n", "RCPT TO:<b@c.test>\r\n", "DATA\r\n"]
      const second = again.map((line) => say(app, line))
      const code = (reply: string) => (enhancedStatusCodes ? reply : "")
      expect(first).toEqual([
        `250 ${code("2.1.0 ")}Sender OK\r\n`,
        `250 ${code("2.1.5 ")}Recipient OK\r\n`,
        "354 End data with <CR><LF>.<CR><LF>\r\n",
        `250 ${code("2.0.0 ")}OK: message accepted\r\n`,
        `250 ${code("2.0.0 ")}OK\r\n`,
      ])
      expect(second).toEqual([
        `250 ${code("2.0.0 ")}OK\r\n`,
        `250 ${code("2.1.0 ")}Sender OK\r\n`,
        `250 ${code("2.1.5 ")}Recipient OK\r\n`,
        "354 End data with <CR><LF>.<CR><LF>\r\n",
      ])
    }
  })
})
