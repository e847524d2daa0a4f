/**
 * Real SMTP clients against our server, over loopback: swaks (pipelining, AUTH PLAIN
 * and LOGIN under STARTTLS, a dot-stuffed body), Python's smtplib (STARTTLS, login,
 * sendmail and send_message), curl, msmtp, and Postfix's smtp-source (1,000 messages
 * over 10 sessions). Every message must arrive byte-identical.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createSmtpServer, type SmtpServer } from "@mailwire/node/smtp"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Captured, captureInto } from "./harness/capture.js"
import { peersAvailable } from "./harness/peers.js"
import { run } from "./harness/processes.js"
import { type TestCertificate, testCertificate } from "./harness/tls.js"

const MESSAGE = [
  "Date: Thu, 26 Nov 2026 05:00:00 +0000",
  "From: Ana <a@example.com>",
  "To: b@example.org, c@example.org",
  "Subject: interop",
  "Message-ID: <interop-1@example.com>",
  "",
  "Hello from a real client.",
  ".a line that starts with a dot",
  "..two dots",
  ".",
  "not the end",
  "",
].join("\r\n")

let dir: string
let tls: TestCertificate
let messagePath: string
/** swaks ends the data with CRLF . CRLF itself, so its file leaves off the last CRLF. */
let swaksPath: string
const received: Captured[] = []
const logins: string[] = []
let server: SmtpServer
let port: number

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mailwire-smtp-interop-"))
  messagePath = join(dir, "message.eml")
  writeFileSync(messagePath, MESSAGE)
  swaksPath = join(dir, "swaks.eml")
  writeFileSync(swaksPath, MESSAGE.slice(0, -2))
  tls = await testCertificate()
  server = createSmtpServer({
    hostname: "mx.test",
    tls: { key: tls.key, cert: tls.cert },
    onAuth: (request) => {
      if (request.kind !== "password") return false
      logins.push(request.mechanism)
      return request.username === "alice" && request.password === "secret"
    },
    onData: captureInto(received),
  })
  port = (await server.listen(0, "127.0.0.1")).port
})

afterAll(async () => {
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

function take(): Captured[] {
  return received.splice(0)
}

describe.runIf(peersAvailable("swaks → our SMTP server", "swaks"))(
  "swaks → our SMTP server",
  () => {
    it("pipelines a dot-stuffed message to two recipients, byte-identical", async () => {
      take()
      const result = await run("swaks", [
        "-S",
        "1",
        "--server",
        `127.0.0.1:${port}`,
        "--from",
        "a@example.com",
        "--to",
        "b@example.org,c@example.org",
        "--pipeline",
        "--data",
        `@${swaksPath}`,
      ])
      expect(result.code, result.stdout + result.stderr).toBe(0)
      const [message, ...more] = take()
      expect(more).toEqual([])
      expect(message!.to).toEqual(["b@example.org", "c@example.org"])
      expect(message!.body.toString()).toBe(MESSAGE)
    })

    for (const mechanism of ["PLAIN", "LOGIN"]) {
      it(`authenticates with AUTH ${mechanism} after STARTTLS`, async () => {
        take()
        logins.length = 0
        const result = await run("swaks", [
          "-S",
          "1",
          "--server",
          `127.0.0.1:${port}`,
          "--from",
          "a@example.com",
          "--to",
          "b@example.org",
          "--tls",
          "--auth",
          mechanism,
          "--auth-user",
          "alice",
          "--auth-password",
          "secret",
          "--data",
          `@${swaksPath}`,
        ])
        expect(result.code, result.stdout + result.stderr).toBe(0)
        expect(logins).toEqual([mechanism])
        expect(take().map((m) => m.body.toString())).toEqual([MESSAGE])
      })
    }

    it("gets 535 for a wrong password and sends nothing", async () => {
      take()
      const result = await run("swaks", [
        "-S",
        "1",
        "--server",
        `127.0.0.1:${port}`,
        "--from",
        "a@example.com",
        "--to",
        "b@example.org",
        "--tls",
        "--auth",
        "PLAIN",
        "--auth-user",
        "alice",
        "--auth-password",
        "wrong",
      ])
      expect(result.code).not.toBe(0)
      expect(result.stdout).toMatch(/<~\* 535 /)
      expect(take()).toEqual([])
    })
  },
)

const SMTPLIB = `
import email, email.policy, smtplib, ssl, sys
port, cafile, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
raw = open(path, "rb").read()
context = ssl.create_default_context(cafile=cafile)
with smtplib.SMTP("localhost", port, timeout=20) as smtp:
    smtp.starttls(context=context)
    smtp.login("alice", "secret")
    smtp.sendmail("a@example.com", ["b@example.org"], raw)
    message = email.message_from_bytes(raw, policy=email.policy.SMTP)
    smtp.send_message(message)
print("sent")
`

describe.runIf(peersAvailable("Python smtplib → our SMTP server", "python3"))(
  "Python smtplib → our SMTP server",
  () => {
    it("uses STARTTLS and login, and both sendmail and send_message arrive intact", async () => {
      take()
      const result = await run("/usr/bin/python3", [
        "-c",
        SMTPLIB,
        String(port),
        tls.certPath,
        messagePath,
      ])
      expect(result.code, result.stderr).toBe(0)
      const [sent, built, ...more] = take()
      expect(more).toEqual([])
      expect(sent!.body.toString()).toBe(MESSAGE)
      expect(built!.from).toBe("a@example.com")
      expect(built!.to).toEqual(["b@example.org", "c@example.org"])
      expect(built!.body.toString()).toContain("Subject: interop\r\n")
      expect(built!.body.toString()).toContain("\r\n\r\nHello from a real client.\r\n.a line")
    })
  },
)

describe.runIf(peersAvailable("curl → our SMTP server", "curl"))("curl → our SMTP server", () => {
  it("uploads a message in plaintext and with --ssl-reqd, byte-identical", async () => {
    take()
    for (const tlsArgs of [[], ["--ssl-reqd", "--cacert", tls.certPath]]) {
      const result = await run("curl", [
        "-sS",
        `smtp://localhost:${port}/client.example`,
        "--mail-from",
        "a@example.com",
        "--mail-rcpt",
        "b@example.org",
        "-T",
        messagePath,
        ...tlsArgs,
      ])
      expect(result.code, result.stderr).toBe(0)
    }
    expect(take().map((m) => m.body.toString())).toEqual([MESSAGE, MESSAGE])
  })
})

describe.runIf(peersAvailable("msmtp → our SMTP server", "msmtp"))(
  "msmtp → our SMTP server",
  () => {
    it("sends a message from stdin, byte-identical", async () => {
      take()
      const result = await run(
        "msmtp",
        [
          `--host=127.0.0.1`,
          `--port=${port}`,
          "--auth=off",
          "--tls=off",
          "--from=a@example.com",
          "b@example.org",
        ],
        { input: MESSAGE },
      )
      expect(result.code, result.stderr).toBe(0)
      expect(take().map((m) => m.body.toString())).toEqual([MESSAGE])
    })
  },
)

describe.runIf(peersAvailable("smtp-source → our SMTP server", "smtpSource"))(
  "Postfix smtp-source → our SMTP server",
  () => {
    it("accepts 1,000 messages over 10 sessions, every one intact", async () => {
      take()
      const started = performance.now()
      const result = await run(
        "/usr/sbin/smtp-source",
        [
          "-s",
          "10",
          "-m",
          "1000",
          "-l",
          "2048",
          "-d",
          "-f",
          "a@example.com",
          "-t",
          "b@example.org",
          `127.0.0.1:${port}`,
        ],
        { timeoutMs: 60_000 },
      )
      const seconds = (performance.now() - started) / 1000
      expect(result.code, result.stderr).toBe(0)
      const messages = take()
      expect(messages).toHaveLength(1000)
      // smtp-source's messages differ only in their header; the 2,048-byte body is fixed.
      const bodies = new Set(
        messages.map((m) => m.body.subarray(m.body.indexOf("\r\n\r\n")).toString()),
      )
      expect(bodies.size).toBe(1)
      for (const message of messages) {
        expect(message.from).toBe("a@example.com")
        expect(message.to).toEqual(["b@example.org"])
        expect(message.body.subarray(-2).toString()).toBe("\r\n")
      }
      console.info(
        `smtp-source → mailwire: 1000 messages in ${seconds.toFixed(2)} s (${Math.round(1000 / seconds)} msg/s)`,
      )
    })
  },
)
