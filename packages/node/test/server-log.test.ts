/**
 * The `onLog` hooks of createSmtpServer and createPop3Server over loopback: one typed
 * entry per session event, never a secret or message content, and a throwing hook never
 * takes a session down.
 */
import { createPop3Server, Pop3Client, type Pop3LogEntry } from "@mailwire/node/pop3"
import {
  createSmtpServer,
  createTransport,
  type SmtpLogEntry,
  SmtpReplyError,
} from "@mailwire/node/smtp"
import { InMemoryMaildropStore } from "@mailwire/pop3"
import { afterEach, describe, expect, it } from "vitest"
import { rawConnection } from "./harness/capture.js"
import { testCertificate } from "./harness/tls.js"

const closers: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c.close()))
})

const PASSWORD = "s3cret-Pa55word"
const BODY_MARK = "body-text-that-must-not-be-logged"

/** Waits until `check` holds (entries arrive as the server's side of the socket closes). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10))
  expect(check()).toBe(true)
}

async function smtpServer(onLog: (entry: SmtpLogEntry) => void, onError?: (e: Error) => void) {
  const tls = await testCertificate()
  const server = createSmtpServer({
    hostname: "mx.test",
    tls: { key: tls.key, cert: tls.cert },
    authFailureDelay: 0,
    onAuth: (request) => request.kind === "password" && request.password === PASSWORD,
    onRcptTo: (address) => {
      if (address.startsWith("nobody"))
        throw new SmtpReplyError(550, "No", { enhancedCode: "5.1.1" })
    },
    onLog,
    ...(onError === undefined ? {} : { onError }),
  })
  closers.push(server)
  const { port } = await server.listen(0, "127.0.0.1")
  return { port, ca: tls.cert }
}

const message = {
  raw: `Subject: x\r\n\r\n${BODY_MARK}\r\n`,
  envelope: { from: "a@x.test", to: ["nobody@x.test", "bo@x.test"] },
}

describe("createSmtpServer onLog", () => {
  it("logs connect, EHLO, STARTTLS, AUTH, MAIL, RCPT, the message and close, without secrets", async () => {
    const entries: SmtpLogEntry[] = []
    const { port, ca } = await smtpServer((entry) => entries.push(entry))
    const transport = createTransport({
      host: "localhost",
      port,
      tls: { ca },
      auth: { user: "alice", pass: PASSWORD },
    })
    await transport.sendMail(message)
    await transport.close()
    await until(() => entries.some((e) => e.type === "close"))
    const ids = new Set(entries.map((e) => e.sessionId))
    expect(ids.size).toBe(1)
    expect(entries.every((e) => e.remoteAddress === "127.0.0.1")).toBe(true)
    expect(entries.map(({ sessionId: _s, remoteAddress: _r, ...rest }) => rest)).toEqual([
      { type: "connect", remotePort: expect.any(Number), isSecure: false },
      { type: "helo", verb: "EHLO", hostname: "localhost" },
      { type: "startTls" },
      { type: "helo", verb: "EHLO", hostname: "localhost" },
      { type: "authSuccess", mechanism: "PLAIN", user: "alice" },
      { type: "mailFrom", address: "a@x.test", accepted: true, code: 250 },
      { type: "rcptTo", address: "nobody@x.test", accepted: false, code: 550 },
      { type: "rcptTo", address: "bo@x.test", accepted: true, code: 250 },
      {
        type: "message",
        accepted: true,
        code: 250,
        size: message.raw.length,
        from: "a@x.test",
        recipients: 1,
      },
      { type: "close", reason: "quit" },
    ])
    const text = JSON.stringify(entries)
    expect(text).not.toContain(PASSWORD)
    expect(text).not.toContain(Buffer.from(`\0alice\0${PASSWORD}`).toString("base64"))
    expect(text).not.toContain(BODY_MARK)
  })

  it("logs a failed AUTH and a protocol error without the password", async () => {
    const entries: SmtpLogEntry[] = []
    const { port } = await smtpServer((entry) => entries.push(entry))
    const client = await rawConnection(port)
    await client.until(/^220 /m)
    client.send("EHLO c\r\nBOGUS\r\nSTARTTLS\r\n")
    await client.until(/^220 .*\r\n/m)
    client.close()
    await until(() => entries.some((e) => e.type === "close"))
    expect(entries.find((e) => e.type === "protocolError")).toMatchObject({
      type: "protocolError",
      code: expect.any(String),
    })
    expect(entries.at(-1)).toMatchObject({ type: "close", reason: "disconnected" })

    const failed: SmtpLogEntry[] = []
    const second = await smtpServer((entry) => failed.push(entry))
    const transport = createTransport({
      host: "localhost",
      port: second.port,
      tls: { ca: second.ca },
      auth: { user: "alice", pass: "wrong-Pa55word-xyz" },
    })
    await expect(transport.sendMail(message)).rejects.toMatchObject({ code: 535 })
    await transport.close()
    await until(() => failed.some((e) => e.type === "close"))
    expect(failed.find((e) => e.type === "authFailure")).toMatchObject({
      mechanism: "PLAIN",
      reason: "invalid-credentials",
      failures: 1,
    })
    expect(JSON.stringify(failed)).not.toContain("wrong-Pa55word-xyz")
  })

  it("logs the close reason of a refused connect and of a probing client", async () => {
    const refused: SmtpLogEntry[] = []
    const server = createSmtpServer({
      hostname: "mx.test",
      onConnect: () => ({ code: 554, text: "Go away" }),
      onLog: (entry) => refused.push(entry),
    })
    closers.push(server)
    const first = await rawConnection((await server.listen(0, "127.0.0.1")).port)
    await first.closed
    await until(() => refused.some((e) => e.type === "close"))
    expect(refused.map((e) => e.type)).toEqual(["connect", "close"])
    expect(refused[1]).toMatchObject({ reason: "refused" })

    const probed: SmtpLogEntry[] = []
    const { port } = await smtpServer((entry) => probed.push(entry))
    const client = await rawConnection(port)
    await client.until(/^220 /m)
    const probes = Array.from({ length: 20 }, (_, i) => `RCPT TO:<nobody${i}@x.test>\r\n`)
    client.send(`EHLO c\r\nMAIL FROM:<a@x.test>\r\n${probes.join("")}`)
    await client.closed
    await until(() => probed.some((e) => e.type === "close"))
    expect(probed.filter((e) => e.type === "rcptTo")).toHaveLength(20)
    expect(probed.at(-1)).toMatchObject({ type: "close", reason: "too-many-rejected-recipients" })
  })

  it("keeps serving when onLog throws, and reports the throw to onError", async () => {
    const errors: Error[] = []
    const { port, ca } = await smtpServer(
      () => {
        throw new Error("log sink down")
      },
      (error) => errors.push(error),
    )
    const transport = createTransport({ host: "localhost", port, tls: { ca } })
    const info = await transport.sendMail(message)
    expect(info.accepted).toEqual(["bo@x.test"])
    await transport.close()
    // connect, EHLO, STARTTLS, EHLO, MAIL, two RCPTs, the message, close: nine entries.
    await until(() => errors.length === 9)
    expect(errors.every((e) => e.message === "log sink down")).toBe(true)
  })
})

describe("createPop3Server onLog", () => {
  async function pop3Server(onLog: (entry: Pop3LogEntry) => void, onError?: (e: Error) => void) {
    const tls = await testCertificate()
    const backend = new InMemoryMaildropStore()
    backend.deliver("alice", `Subject: one\r\n\r\n${BODY_MARK}\r\n`)
    backend.deliver("alice", "Subject: two\r\n\r\ntwo\r\n")
    const server = createPop3Server({
      backend,
      hostname: "pop.test",
      tls: { key: tls.key, cert: tls.cert },
      authFailureDelay: 0,
      onAuth: (request) =>
        request.kind === "password" &&
        request.username === "alice" &&
        request.password === PASSWORD,
      onLog,
      ...(onError === undefined ? {} : { onError }),
    })
    closers.push(server)
    const { port } = await server.listen(0, "127.0.0.1")
    return { port, ca: tls.cert }
  }

  it("logs connect, STLS, logins, RETR, the QUIT commit and close, without secrets", async () => {
    const entries: Pop3LogEntry[] = []
    const { port, ca } = await pop3Server((entry) => entries.push(entry))
    const wrong = new Pop3Client({ host: "localhost", port, tls: { ca } })
    await wrong.connect()
    await expect(wrong.login("alice", "not-the-Pa55word")).rejects.toThrow()
    wrong.close()
    await until(() => entries.filter((e) => e.type === "close").length === 1)
    const client = new Pop3Client({ host: "localhost", port, tls: { ca } })
    await client.connect()
    await client.login("alice", PASSWORD)
    await client.retrieve(1)
    await client.delete(2)
    await client.quit()
    await until(() => entries.filter((e) => e.type === "close").length === 2)
    const first = entries[0]!.sessionId
    const strip = ({ sessionId: _s, remoteAddress: _r, ...rest }: Pop3LogEntry) => rest
    expect(entries.filter((e) => e.sessionId === first).map(strip)).toEqual([
      { type: "connect", remotePort: expect.any(Number), isSecure: false },
      { type: "startTls" },
      {
        type: "loginFailure",
        user: "alice",
        method: expect.any(String),
        reason: "invalid-credentials",
      },
      { type: "close", reason: expect.stringMatching(/^(peer-closed|disconnected)$/) },
    ])
    expect(entries.filter((e) => e.sessionId !== first).map(strip)).toEqual([
      { type: "connect", remotePort: expect.any(Number), isSecure: false },
      { type: "startTls" },
      {
        type: "loginSuccess",
        user: "alice",
        method: expect.any(String),
        mechanism: expect.anything(),
        messages: 2,
      },
      { type: "retrieve", command: "RETR", number: 1, size: expect.any(Number), ok: true },
      { type: "commit", user: "alice", deleted: 1, ok: true },
      { type: "close", reason: "quit" },
    ])
    const text = JSON.stringify(entries)
    expect(text).not.toContain(PASSWORD)
    expect(text).not.toContain("not-the-Pa55word")
    expect(text).not.toContain(BODY_MARK)
  })

  it("keeps serving when onLog throws", async () => {
    const errors: Error[] = []
    const { port, ca } = await pop3Server(
      () => {
        throw new Error("log sink down")
      },
      (error) => errors.push(error),
    )
    const client = new Pop3Client({ host: "localhost", port, tls: { ca } })
    await client.connect()
    await client.login("alice", PASSWORD)
    expect((await client.stat()).count).toBe(2)
    await client.quit()
    // connect, STLS, login, close.
    await until(() => errors.length === 4)
    expect(errors.every((e) => e.message === "log sink down")).toBe(true)
  })
})
