import {
  ConnectionError,
  createSmtpServer,
  createTransport,
  SmtpReplyError,
  type SmtpServerOptions,
} from "@mailwire/node/smtp"
import { describe, expect, it } from "vitest"
import { type Captured, captureInto, rawConnection } from "./harness/capture.js"
import { smtpServerStarter } from "./harness/smtp-servers.js"
import { selfSignedCertificate, testCertificate } from "./harness/tls.js"

const startServer = smtpServerStarter()
const start = async (options: SmtpServerOptions = {}) => (await startServer(options)).port

const raw = (text: string) => ({ raw: text.replaceAll("\n", "\r\n") })

describe("SMTP server and transport over loopback", () => {
  it("delivers a message byte-identical, dot-stuffed lines included", async () => {
    const got: Captured[] = []
    const port = await start({ onData: captureInto(got) })
    const transport = createTransport({ host: "127.0.0.1", port, startTls: "never" })
    const message =
      "From: a@example.com\nTo: b@example.org\nSubject: dots\n\n.leading dot\n..two\n.\nend\n"
    const info = await transport.sendMail(raw(message))
    await transport.close()
    expect(info.accepted).toEqual(["b@example.org"])
    expect(info.envelope).toEqual({ from: "a@example.com", to: ["b@example.org"] })
    expect(got).toHaveLength(1)
    expect(got[0]!.body.toString()).toBe(message.replaceAll("\n", "\r\n"))
  })

  it("derives the envelope from Sender, To, Cc and Bcc of a builder spec", async () => {
    const got: Captured[] = []
    const port = await start({ onData: captureInto(got) })
    const transport = createTransport({ host: "127.0.0.1", port, startTls: "never" })
    const info = await transport.sendMail({
      from: "Ana <ana@example.com>",
      to: ["bo@example.org", { name: "Cy", address: "cy@example.org" }],
      cc: "Team: dee@example.org, bo@example.org;",
      bcc: "hidden@example.net",
      subject: "Hi",
      text: "Hello",
    })
    await transport.close()
    expect(info.envelope).toEqual({
      from: "ana@example.com",
      to: ["bo@example.org", "cy@example.org", "dee@example.org", "hidden@example.net"],
    })
    expect(got[0]!.to).toEqual(info.envelope.to)
    expect(got[0]!.body.toString()).not.toMatch(/^Bcc:/im)
  })

  it("upgrades with STARTTLS, authenticates with PLAIN and verifies the certificate", async () => {
    const tls = await testCertificate()
    const got: Captured[] = []
    const logins: string[] = []
    const port = await start({
      tls: { key: tls.key, cert: tls.cert },
      requireAuth: true,
      onAuth: (request) => {
        if (request.kind !== "password") return false
        logins.push(`${request.username}:${request.mechanism}`)
        return request.username === "alice" && request.password === "secret"
      },
      onData: captureInto(got),
    })
    const transport = createTransport({
      host: "localhost",
      port,
      tls: { ca: tls.cert },
      auth: { user: "alice", pass: "secret" },
    })
    await transport.sendMail({
      ...raw("Subject: tls\n\nbody\n"),
      envelope: { from: "a@x.test", to: "b@x.test" },
    })
    await transport.close()
    expect(logins).toEqual(["alice:PLAIN"])
    expect(got[0]!.body.toString()).toBe("Subject: tls\r\n\r\nbody\r\n")
  })

  it("rejects a wrong password with a typed 535 error", async () => {
    const tls = await testCertificate()
    const port = await start({ tls: { key: tls.key, cert: tls.cert }, onAuth: () => false })
    const transport = createTransport({
      host: "localhost",
      port,
      tls: { ca: tls.cert },
      auth: { user: "alice", pass: "wrong" },
    })
    const failure = transport.sendMail({
      ...raw("Subject: x\n\nx\n"),
      envelope: { from: "a@x.test", to: "b@x.test" },
    })
    await expect(failure).rejects.toBeInstanceOf(SmtpReplyError)
    await expect(failure).rejects.toMatchObject({
      code: 535,
      enhancedCode: "5.7.8",
      temporary: false,
    })
    await transport.close()
  })

  it("speaks implicit TLS", async () => {
    const tls = await testCertificate()
    const got: Captured[] = []
    const port = await start({
      secure: true,
      tls: { key: tls.key, cert: tls.cert },
      onData: captureInto(got),
    })
    const transport = createTransport({
      host: "localhost",
      port,
      secure: true,
      tls: { ca: tls.cert },
    })
    await transport.sendMail({
      ...raw("Subject: 465\n\nx\n"),
      envelope: { from: "a@x.test", to: "b@x.test" },
    })
    await transport.close()
    expect(got).toHaveLength(1)
  })

  it("fails with a TLS ConnectionError when the certificate is not trusted", async () => {
    const tls = await testCertificate()
    const port = await start({ tls: { key: tls.key, cert: tls.cert } })
    const transport = createTransport({ host: "localhost", port })
    const failure = transport.sendMail({
      ...raw("Subject: x\n\nx\n"),
      envelope: { from: "a@x.test", to: "b@x.test" },
    })
    await expect(failure).rejects.toBeInstanceOf(ConnectionError)
    await expect(failure).rejects.toMatchObject({ code: "TLS" })
    await transport.close()
  })

  it("refuses to go on without TLS when STARTTLS is required and not offered", async () => {
    const port = await start({})
    const transport = createTransport({ host: "127.0.0.1", port, startTls: "required" })
    await expect(
      transport.sendMail({
        ...raw("Subject: x\n\nx\n"),
        envelope: { from: "a@x.test", to: "b@x.test" },
      }),
    ).rejects.toMatchObject({ code: "POLICY" })
    await transport.close()
  })

  it("rejects with a CONNECT error when nothing listens", async () => {
    const { server, port } = await startServer({})
    await server.close()
    const transport = createTransport({ host: "127.0.0.1", port, startTls: "never" })
    await expect(
      transport.sendMail({
        ...raw("Subject: x\n\nx\n"),
        envelope: { from: "a@x.test", to: "b@x.test" },
      }),
    ).rejects.toMatchObject({ name: "ConnectionError", code: "CONNECT" })
    await transport.close()
  })

  it("turns hook refusals into replies and resolves with the partly rejected recipients", async () => {
    const got: Captured[] = []
    const port = await start({
      onRcptTo: async (address) => {
        await new Promise((resolve) => setTimeout(resolve, 20))
        if (address.startsWith("nobody")) {
          throw new SmtpReplyError(550, "No such user", { enhancedCode: "5.1.1" })
        }
        if (address.startsWith("later"))
          return { code: 450, enhancedCode: "4.2.1", text: "Try later" }
        return undefined
      },
      onData: captureInto(got),
    })
    const transport = createTransport({ host: "127.0.0.1", port, startTls: "never" })
    const info = await transport.sendMail({
      ...raw("Subject: x\n\nx\n"),
      envelope: { from: "a@x.test", to: ["nobody@x.test", "ok@x.test", "later@x.test"] },
    })
    expect(info.accepted).toEqual(["ok@x.test"])
    expect(info.rejected).toEqual(["nobody@x.test", "later@x.test"])
    expect(info.rejectedErrors.map((e) => [e.code, e.enhancedCode, e.temporary])).toEqual([
      [550, "5.1.1", false],
      [450, "4.2.1", true],
    ])
    await expect(
      transport.sendMail({
        ...raw("Subject: x\n\nx\n"),
        envelope: { from: "a@x.test", to: "nobody@x.test" },
      }),
    ).rejects.toMatchObject({ code: 550, enhancedCode: "5.1.1" })
    await transport.close()
    expect(got.map((m) => m.to)).toEqual([["ok@x.test"]])
  })

  it("keeps pipelined commands in order behind slow async hooks", async () => {
    const seen: string[] = []
    const port = await start({
      onMailFrom: async (address) => {
        await new Promise((resolve) => setTimeout(resolve, 50))
        seen.push(`MAIL ${address}`)
      },
      onRcptTo: async (address) => {
        await new Promise((resolve) => setTimeout(resolve, 30))
        seen.push(`RCPT ${address}`)
      },
    })
    const conn = await rawConnection(port)
    await conn.until(/^220 /m)
    conn.send("EHLO c.test\r\n")
    await conn.until(/^250 /m)
    conn.send("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nRCPT TO:<c@x.test>\r\nDATA\r\n")
    await conn.until(/^354 /m)
    conn.send("Subject: p\r\n\r\nx\r\n.\r\nQUIT\r\n")
    const text = await conn.until(/^221 /m)
    conn.close()
    expect(seen).toEqual(["MAIL a@x.test", "RCPT b@x.test", "RCPT c@x.test"])
    const codes = text
      .split("\r\n")
      .filter((l) => /^\d{3} /.test(l))
      .map((l) => l.slice(0, 3))
    expect(codes).toEqual(["220", "250", "250", "250", "250", "354", "250", "221"])
  })

  it("answers 451 when onData never reads the stream, instead of hanging", async () => {
    const port = await start({
      dataTimeout: 300,
      onData: () => new Promise(() => {}),
    })
    const transport = createTransport({ host: "127.0.0.1", port, startTls: "never" })
    const big = `Subject: big\r\n\r\n${"x".repeat(998)}\r\n`.repeat(400)
    await expect(
      transport.sendMail({ raw: big, envelope: { from: "a@x.test", to: "b@x.test" } }),
    ).rejects.toMatchObject({ code: 451, enhancedCode: "4.4.2", temporary: true })
    await transport.close()
  })

  it("slows the client down while the application reads slowly (backpressure)", async () => {
    let maxBuffered = 0
    const sizes: number[] = []
    const port = await start({
      onData: async (_envelope, stream) => {
        let total = 0
        for await (const chunk of stream) {
          total += (chunk as Buffer).length
          maxBuffered = Math.max(maxBuffered, stream.readableLength)
          await new Promise((resolve) => setTimeout(resolve, 2))
        }
        sizes.push(total)
      },
    })
    const transport = createTransport({ host: "127.0.0.1", port, startTls: "never" })
    const line = `${"y".repeat(78)}\r\n`
    const body = `Subject: big\r\n\r\n${line.repeat(60_000)}`
    await transport.sendMail({ raw: body, envelope: { from: "a@x.test", to: "b@x.test" } })
    await transport.close()
    expect(sizes).toEqual([body.length])
    expect(maxBuffered).toBeLessThanOrEqual(256 * 1024)
  })

  it("answers LMTP per recipient", async () => {
    const port = await start({
      lmtp: true,
      onData: async (envelope, stream) => {
        for await (const _ of stream) {
        }
        return envelope.to.map((to) =>
          to.startsWith("full")
            ? new SmtpReplyError(452, "Mailbox full", { enhancedCode: "4.2.2" })
            : undefined,
        )
      },
    })
    const transport = createTransport({ host: "127.0.0.1", port, lmtp: true, startTls: "never" })
    const info = await transport.sendMail({
      ...raw("Subject: l\n\nx\n"),
      envelope: { from: "a@x.test", to: ["one@x.test", "full@x.test"] },
    })
    await transport.close()
    expect(info.accepted).toEqual(["one@x.test"])
    expect(info.rejectedErrors.map((e) => e.code)).toEqual([452])
  })

  it("reuses pooled connections up to maxMessages", async () => {
    const got: Captured[] = []
    let connections = 0
    const port = await start({ onConnect: () => void connections++, onData: captureInto(got) })
    const transport = createTransport({
      host: "127.0.0.1",
      port,
      startTls: "never",
      pool: true,
      maxConnections: 2,
      maxMessages: 5,
    })
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        transport.sendMail({
          ...raw(`Subject: ${i}\n\n${i}\n`),
          envelope: { from: "a@x.test", to: "b@x.test" },
        }),
      ),
    )
    await transport.close()
    expect(got).toHaveLength(20)
    expect(connections).toBe(4)
  })

  it("refuses a connection over maxConnections with 421", async () => {
    const port = await start({ maxConnections: 1 })
    const first = await rawConnection(port)
    await first.until(/^220 /m)
    const second = await rawConnection(port)
    await second.closed
    expect(second.received).toMatch(/^421 4\.7\.0 /)
    first.close()
  })

  it("closes an idle connection with 421", async () => {
    const port = await start({ idleTimeout: 200 })
    const conn = await rawConnection(port)
    await conn.closed
    expect(conn.received).toMatch(/^220 [^\r]*\r\n421 4\.3\.2 /)
  })

  it("answers 421 to open sessions on close()", async () => {
    const server = createSmtpServer({ hostname: "mx.test" })
    const { port } = await server.listen(0, "127.0.0.1")
    const conn = await rawConnection(port)
    await conn.until(/^220 /m)
    conn.send("EHLO c.test\r\n")
    await conn.until(/^250 /m)
    await server.close()
    await conn.closed
    expect(conn.received).toMatch(/\r\n421 4\.3\.2 [^\r]*\r\n$/)
  })

  it("answers onConnect's refusal instead of the greeting", async () => {
    const port = await start({
      onConnect: () => ({ code: 554, enhancedCode: "5.7.1", text: "Go away" }),
    })
    const conn = await rawConnection(port)
    await conn.closed
    expect(conn.received).toBe("554 5.7.1 Go away\r\n")
  })
})

describe("SMTP server TLS and policy details", () => {
  it("answers each SNI name with its own certificate", async () => {
    const main = await testCertificate()
    const other = await selfSignedCertificate("other.test", "DNS:other.test")
    const got: Captured[] = []
    const port = await start({
      secure: true,
      tls: {
        key: main.key,
        cert: main.cert,
        sni: { "other.test": { key: other.key, cert: other.cert } },
      },
      onData: captureInto(got),
    })
    const transport = createTransport({
      host: "127.0.0.1",
      port,
      secure: true,
      tls: { ca: other.cert, servername: "other.test" },
    })
    await transport.sendMail({
      ...raw("Subject: sni\n\nx\n"),
      envelope: { from: "a@x.test", to: "b@x.test" },
    })
    await transport.close()
    expect(got).toHaveLength(1)
  })

  it("drops a connection that never starts the implicit TLS handshake", async () => {
    const tls = await testCertificate()
    const port = await start({
      secure: true,
      tls: { key: tls.key, cert: tls.cert },
      tlsHandshakeTimeout: 200,
    })
    const conn = await rawConnection(port)
    await conn.closed
    expect(conn.received).toBe("")
  })

  it("refuses MAIL before AUTH with requireAuth", async () => {
    const port = await start({ requireAuth: true, allowInsecureAuth: true, onAuth: () => true })
    const conn = await rawConnection(port)
    await conn.until(/^220 /m)
    conn.send("EHLO c.test\r\nMAIL FROM:<a@x.test>\r\n")
    const text = await conn.until(/^530 /m)
    conn.close()
    expect(text).toMatch(/^250-AUTH PLAIN LOGIN\r$/m)
  })

  it("does no reverse DNS lookup unless asked", async () => {
    const names: (string | null)[] = []
    const port = await start({ onConnect: (session) => void names.push(session.reverseName) })
    const conn = await rawConnection(port)
    await conn.until(/^220 /m)
    conn.close()
    expect(names).toEqual([null])
  })

  it("quits pooled connections that stay idle", async () => {
    const closed: string[] = []
    const port = await start({ onClose: (session) => void closed.push(session.id) })
    const transport = createTransport({
      host: "127.0.0.1",
      port,
      startTls: "never",
      pool: true,
      idleTimeout: 100,
    })
    await transport.sendMail({
      ...raw("Subject: idle\n\nx\n"),
      envelope: { from: "a@x.test", to: "b@x.test" },
    })
    expect(closed).toEqual([])
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(closed).toHaveLength(1)
    await transport.close()
  })
})

describe("failed logins", () => {
  it("waits longer after each failed AUTH, then closes with 421", async () => {
    const port = await start({
      allowInsecureAuth: true,
      authFailureDelay: 100,
      onAuth: () => false,
    })
    const conn = await rawConnection(port)
    await conn.until(/^220 /m)
    conn.send("EHLO c.test\r\n")
    await conn.until(/^250 /m)
    const waited: number[] = []
    const plain = Buffer.from("\0alice\0wrong").toString("base64")
    for (let attempt = 1; attempt <= 3; attempt++) {
      const started = performance.now()
      conn.send(`AUTH PLAIN ${plain}\r\n`)
      await conn.until(new RegExp(`(^535 [^\\r]*\\r\\n[\\s\\S]*){${attempt}}`, "m"))
      waited.push(performance.now() - started)
    }
    await conn.closed
    // A timer never fires early: each reply waited at least 100 ms times the failures so far.
    expect(waited[0]).toBeGreaterThanOrEqual(95)
    expect(waited[1]).toBeGreaterThanOrEqual(195)
    expect(waited[2]).toBeGreaterThanOrEqual(295)
    expect(conn.received).toMatch(/535 [^\r]*\r\n421 4\.7\.0 [^\r]*\r\n$/)
  })
})
