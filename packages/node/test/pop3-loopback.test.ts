import {
  ConnectionError,
  createPop3Server,
  Pop3Client,
  Pop3ReplyError,
  type Pop3Server,
} from "@mailwire/node/pop3"
import { InMemoryMaildropStore } from "@mailwire/pop3"
import { afterEach, describe, expect, it } from "vitest"
import { rawConnection } from "./harness/capture.js"
import { testCertificate } from "./harness/tls.js"

const servers: Pop3Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

const MESSAGES = [
  "Subject: one\r\n\r\nfirst\r\n.dot line\r\n",
  "Subject: two\r\nX-Long: yes\r\n\r\nline 1\r\nline 2\r\nline 3\r\n",
]

async function start(options: Partial<Parameters<typeof createPop3Server>[0]> = {}) {
  const tls = await testCertificate()
  const backend = new InMemoryMaildropStore()
  for (const message of MESSAGES) backend.deliver("alice", message)
  const server = createPop3Server({
    backend,
    hostname: "pop.test",
    tls: { key: tls.key, cert: tls.cert },
    onAuth: (request) =>
      request.kind === "password" && request.username === "alice" && request.password === "secret",
    ...options,
  })
  servers.push(server)
  const { port } = await server.listen(0, "127.0.0.1")
  return { port, backend, tls }
}

describe("POP3 server and client over loopback", () => {
  it("upgrades with STLS, logs in and reads every message byte-identical", async () => {
    const { port, tls } = await start()
    const client = new Pop3Client({ host: "localhost", port, tls: { ca: tls.cert } })
    const info = await client.connect()
    expect(info.isSecure).toBe(true)
    await client.login("alice", "secret")
    expect(await client.stat()).toEqual({
      count: 2,
      size: MESSAGES[0]!.length + MESSAGES[1]!.length,
    })
    expect(await client.list()).toEqual([
      { number: 1, size: MESSAGES[0]!.length },
      { number: 2, size: MESSAGES[1]!.length },
    ])
    expect((await client.uidl()).map((entry) => entry.number)).toEqual([1, 2])
    expect(Buffer.from(await client.retrieve(1)).toString()).toBe(MESSAGES[0])
    expect(Buffer.from(await client.top(2, 1)).toString()).toBe(
      "Subject: two\r\nX-Long: yes\r\n\r\nline 1\r\n",
    )
    const chunks: Buffer[] = []
    for await (const chunk of client.retrieveStream(2)) chunks.push(chunk as Buffer)
    expect(Buffer.concat(chunks).toString()).toBe(MESSAGES[1])
    await client.quit()
  })

  it("deletes only after QUIT, and nothing when the connection drops", async () => {
    const { port, backend, tls } = await start()
    const dropped = new Pop3Client({ host: "localhost", port, tls: { ca: tls.cert } })
    await dropped.connect()
    await dropped.login("alice", "secret")
    await dropped.delete(1)
    dropped.close()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(backend.uids("alice")).toHaveLength(2)

    const client = new Pop3Client({ host: "localhost", port, tls: { ca: tls.cert } })
    await client.connect()
    await client.login("alice", "secret")
    await client.delete(1)
    await client.reset()
    await client.delete(2)
    expect(backend.uids("alice")).toHaveLength(2)
    await client.quit()
    expect(backend.uids("alice")).toEqual(["m1"])
  })

  it("rejects a wrong password with a Pop3ReplyError", async () => {
    const { port, tls } = await start()
    const client = new Pop3Client({ host: "localhost", port, tls: { ca: tls.cert } })
    await client.connect()
    const failure = client.login("alice", "wrong")
    await expect(failure).rejects.toBeInstanceOf(Pop3ReplyError)
    client.close()
  })

  it("reports IN-USE for a second session on the same maildrop", async () => {
    const { port, tls } = await start()
    const first = new Pop3Client({ host: "localhost", port, tls: { ca: tls.cert } })
    await first.connect()
    await first.login("alice", "secret")
    const second = new Pop3Client({ host: "localhost", port, tls: { ca: tls.cert } })
    await second.connect()
    await expect(second.login("alice", "secret")).rejects.toMatchObject({ code: "IN-USE" })
    second.close()
    await first.quit()
  })

  it("speaks implicit TLS", async () => {
    const { port, tls } = await start({ secure: true })
    const client = new Pop3Client({ host: "localhost", port, secure: true, tls: { ca: tls.cert } })
    expect((await client.connect()).isSecure).toBe(true)
    await client.login("alice", "secret")
    expect((await client.stat()).count).toBe(2)
    await client.quit()
  })

  it("will not send a password in clear when STLS is skipped", async () => {
    const { port } = await start()
    const client = new Pop3Client({ host: "127.0.0.1", port, startTls: "never" })
    await client.connect()
    await expect(client.login("alice", "secret")).rejects.toMatchObject({ code: "NO_LOGIN_METHOD" })
    client.close()
  })

  it("fails with TLS when the certificate is not trusted", async () => {
    const { port } = await start()
    const client = new Pop3Client({ host: "localhost", port })
    await expect(client.connect()).rejects.toMatchObject({ name: "ConnectionError", code: "TLS" })
  })

  it("says -ERR and closes open sessions on close(), deleting nothing", async () => {
    const { port, backend } = await start({ allowInsecureAuth: true })
    const conn = await rawConnection(port)
    await conn.until(/^\+OK/m)
    conn.send("USER alice\r\nPASS secret\r\nDELE 1\r\n")
    await conn.until(/^\+OK[^\r]*\r\n\+OK[^\r]*\r\n\+OK[^\r]*\r\n\+OK/m)
    await servers.pop()!.close()
    await conn.closed
    expect(conn.received).toMatch(/\r\n-ERR \[SYS\/TEMP\] [^\r]*\r\n$/)
    expect(backend.uids("alice")).toHaveLength(2)
    expect(backend.isLocked("alice")).toBe(false)
  })

  it("closes an idle session after the autologout timer", async () => {
    const { port } = await start({ idleTimeout: 200 })
    const conn = await rawConnection(port)
    await conn.closed
    expect(conn.received).toMatch(/^\+OK[^\r]*\r\n-ERR /)
  })

  it("rejects calls with CLOSED once the server is gone", async () => {
    const { port, tls } = await start()
    const client = new Pop3Client({ host: "localhost", port, tls: { ca: tls.cert } })
    await client.connect()
    await client.login("alice", "secret")
    await servers.pop()!.close()
    await expect(client.stat()).rejects.toBeInstanceOf(ConnectionError)
  })
})
