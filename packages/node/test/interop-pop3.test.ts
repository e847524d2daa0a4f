/**
 * POP3 with real software, over loopback: Python's poplib, curl and fetchmail read from
 * our server (every message byte-identical, deletions only after QUIT), and our client
 * reads from Dovecot in plaintext, after STLS, and over implicit TLS.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createPop3Server, Pop3Client, type Pop3Server } from "@mailwire/node/pop3"
import { InMemoryMaildropStore } from "@mailwire/pop3"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { type Dovecot, startDovecot } from "./harness/dovecot.js"
import { peersAvailable } from "./harness/peers.js"
import { run } from "./harness/processes.js"
import { type TestCertificate, testCertificate } from "./harness/tls.js"

const MESSAGES = [
  "From: a@example.com\r\nTo: alice@example.org\r\nSubject: first\r\n\r\nHello.\r\n.a dot line\r\n..two\r\n",
  "From: b@example.com\r\nTo: alice@example.org\r\nSubject: second\r\n\r\nline 1\r\nline 2\r\nline 3\r\n",
  "From: c@example.com\r\nTo: alice@example.org\r\nSubject: third\r\n\r\nThe end.\r\n",
]

let tls: TestCertificate
let dir: string
let backend: InMemoryMaildropStore
let server: Pop3Server | null = null
let port: number

async function startServer(): Promise<void> {
  backend = new InMemoryMaildropStore()
  for (const message of MESSAGES) backend.deliver("alice", message)
  server = createPop3Server({
    backend,
    hostname: "pop.test",
    tls: { key: tls.key, cert: tls.cert },
    onAuth: (request) =>
      request.kind === "password" && request.username === "alice" && request.password === "secret",
  })
  port = (await server.listen(0, "127.0.0.1")).port
}

beforeAll(async () => {
  tls = await testCertificate()
  dir = mkdtempSync(join(tmpdir(), "mailwire-pop3-interop-"))
})
afterEach(async () => {
  await server?.close()
  server = null
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const POPLIB = `
import base64, json, poplib, ssl, sys
port, cafile = int(sys.argv[1]), sys.argv[2]
pop = poplib.POP3("localhost", port, timeout=20)
pop.stls(context=ssl.create_default_context(cafile=cafile))
pop.user("alice")
pop.pass_("secret")
out = {"stat": list(pop.stat()), "uidl": [u.decode() for u in pop.uidl()[1]]}
out["top"] = base64.b64encode(b"\\r\\n".join(pop.top(2, 1)[1]) + b"\\r\\n").decode()
out["retr"] = [base64.b64encode(b"\\r\\n".join(pop.retr(i)[1]) + b"\\r\\n").decode() for i in (1, 2, 3)]
pop.dele(1)
pop.dele(3)
print(json.dumps(out), flush=True)
sys.stdin.readline()
pop.quit()
`

describe.runIf(peersAvailable("Python poplib → our POP3 server", "python3"))(
  "Python poplib → our POP3 server",
  () => {
    it("uses STLS and USER/PASS, reads UIDL, TOP and RETR byte-identical, deletes on QUIT", async () => {
      await startServer()
      const { spawn } = await import("node:child_process")
      const child = spawn("/usr/bin/python3", ["-c", POPLIB, String(port), tls.certPath])
      let stdout = ""
      let stderr = ""
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString()
      })
      const firstLine = new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`poplib timed out: ${stderr}`)), 20_000)
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString()
          if (stdout.includes("\n")) {
            clearTimeout(timer)
            resolve(stdout)
          }
        })
      })
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve))
      const out = JSON.parse(await firstLine) as {
        stat: number[]
        uidl: string[]
        top: string
        retr: string[]
      }
      // Marked, not yet deleted: the maildrop changes only after QUIT (RFC 1939 §6).
      expect(backend.uids("alice")).toEqual(["m1", "m2", "m3"])
      child.stdin.end("\n")
      expect(await exited, stderr).toBe(0)
      const bytes = (b64: string) => Buffer.from(b64, "base64").toString()
      expect(out.stat).toEqual([3, MESSAGES.join("").length])
      expect(out.uidl).toEqual(["1 m1", "2 m2", "3 m3"])
      expect(bytes(out.top)).toBe(
        "From: b@example.com\r\nTo: alice@example.org\r\nSubject: second\r\n\r\nline 1\r\n",
      )
      expect(out.retr.map(bytes)).toEqual(MESSAGES)
      expect(backend.uids("alice")).toEqual(["m2"])
    })
  },
)

describe.runIf(peersAvailable("curl → our POP3 server", "curl"))("curl → our POP3 server", () => {
  it("lists and retrieves over STLS, byte-identical", async () => {
    await startServer()
    const base = ["-sS", "--ssl-reqd", "--cacert", tls.certPath, "--user", "alice:secret"]
    const list = await run("curl", [...base, `pop3://localhost:${port}/`])
    expect(list.code, list.stderr).toBe(0)
    expect(list.stdout).toBe(MESSAGES.map((m, i) => `${i + 1} ${m.length}\r\n`).join(""))
    for (let i = 0; i < MESSAGES.length; i++) {
      const retr = await run("curl", [...base, `pop3://localhost:${port}/${i + 1}`])
      expect(retr.code, retr.stderr).toBe(0)
      expect(retr.stdout).toBe(MESSAGES[i])
    }
    expect(backend.uids("alice")).toHaveLength(3)
  })
})

describe.runIf(peersAvailable("fetchmail → our POP3 server", "fetchmail"))(
  "fetchmail → our POP3 server",
  () => {
    it("fetches every message over STLS with keep, and deletes nothing", async () => {
      await startServer()
      const out = join(dir, "fetchmail.mbox")
      const rc = join(dir, "fetchmailrc")
      writeFileSync(
        rc,
        [
          `poll localhost protocol POP3 port ${port}`,
          `  user "alice" password "secret" is "alice" here`,
          `  sslproto tls1.2+ sslcertck sslcertfile "${tls.certPath}" sslcommonname "localhost"`,
          `  keep fetchall mda "/bin/sh -c 'cat >> ${out}'"`,
          "",
        ].join("\n"),
        { mode: 0o600 },
      )
      const result = await run(
        "fetchmail",
        ["-f", rc, "--nodetach", "--nosyslog", "-N", "--pidfile", join(dir, "fetchmail.pid")],
        { env: { ...process.env, HOME: dir, FETCHMAILHOME: dir }, timeoutMs: 30_000 },
      )
      expect(result.code, result.stdout + result.stderr).toBe(0)
      const mbox = readFileSync(out, "utf8")
      // fetchmail hands the MDA each message with a Received field first and LF line ends.
      for (const message of MESSAGES) expect(mbox).toContain(message.replaceAll("\r\n", "\n"))
      expect(backend.uids("alice")).toHaveLength(3)
    })
  },
)

describe.runIf(peersAvailable("our POP3 client → Dovecot", "dovecot"))(
  "our POP3 client → Dovecot",
  () => {
    let dovecot: Dovecot
    beforeAll(async () => {
      dovecot = await startDovecot([
        { name: "alice", password: "secret", messages: MESSAGES.map((m) => Buffer.from(m)) },
      ])
    }, 60_000)
    afterAll(async () => {
      await dovecot?.stop()
    })

    const modes = [
      {
        name: "in plaintext",
        options: { startTls: "never", allowPlaintextAuth: true },
        port: "pop3",
        secure: false,
      },
      { name: "after STLS", options: { startTls: "required" }, port: "pop3", secure: true },
      { name: "over implicit TLS", options: { secure: true }, port: "pop3s", secure: true },
    ] as const

    for (const mode of modes) {
      it(`logs in, lists and retrieves every message ${mode.name}`, async () => {
        const client = new Pop3Client({
          host: "localhost",
          port: dovecot.ports[mode.port],
          tls: { ca: readFileSync(dovecot.certPath, "utf8") },
          ...mode.options,
        })
        const info = await client.connect()
        expect(info.isSecure).toBe(mode.secure)
        await client.login("alice", "secret")
        const stat = await client.stat()
        expect(stat.count).toBe(MESSAGES.length)
        expect((await client.uidl()).map((entry) => entry.number)).toEqual([1, 2, 3])
        for (let i = 0; i < MESSAGES.length; i++) {
          expect(Buffer.from(await client.retrieve(i + 1)).toString()).toBe(MESSAGES[i])
        }
        expect(Buffer.from(await client.top(1, 0)).toString()).toBe(
          "From: a@example.com\r\nTo: alice@example.org\r\nSubject: first\r\n\r\n",
        )
        await client.quit()
      })
    }

    it("deletes on the server only after QUIT", async () => {
      const options = {
        host: "localhost",
        port: dovecot.ports.pop3s,
        secure: true,
        tls: { ca: readFileSync(dovecot.certPath, "utf8") },
      }
      const first = new Pop3Client(options)
      await first.connect()
      await first.login("alice", "secret")
      await first.delete(3)
      first.close()
      const second = new Pop3Client(options)
      await second.connect()
      await second.login("alice", "secret")
      expect((await second.stat()).count).toBe(3)
      await second.delete(3)
      await second.quit()
      const third = new Pop3Client(options)
      await third.connect()
      await third.login("alice", "secret")
      expect((await third.stat()).count).toBe(2)
      await third.quit()
    })
  },
)
