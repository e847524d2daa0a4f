/**
 * Our SMTP client against real servers, over loopback: aiosmtpd (STARTTLS required,
 * AUTH PLAIN and LOGIN, saves the original bytes) and Postfix's smtp-sink (1,000
 * messages through a pool; it saves with LF line ends and adds its own headers, so
 * bodies are compared after normalizing).
 */
import { readFileSync } from "node:fs"
import { createTransport, SmtpReplyError } from "@mailwire/node/smtp"
import { describe, expect, it } from "vitest"
import { startAiosmtpd } from "./harness/aiosmtpd.js"
import { peersAvailable } from "./harness/peers.js"
import { startSmtpSink } from "./harness/smtp-sink.js"

function message(n: number): string {
  return [
    "From: a@example.com",
    "To: b@example.org",
    `Subject: message ${n}`,
    "",
    `Body of message ${n}.`,
    ".a dot-stuffed line",
    "",
  ].join("\r\n")
}

describe.runIf(peersAvailable("our SMTP client → aiosmtpd", "python3"))(
  "our SMTP client → aiosmtpd",
  () => {
    for (const method of ["PLAIN", "LOGIN"] as const) {
      it(`upgrades with STARTTLS, authenticates with ${method}, and the bytes arrive unchanged`, async () => {
        const peer = await startAiosmtpd({ user: "alice", password: "secret", requireTls: true })
        try {
          const transport = createTransport({
            host: "localhost",
            port: peer.port,
            tls: { ca: readFileSync(peer.certPath, "utf8") },
            auth: { user: "alice", pass: "secret", method },
          })
          const info = await transport.sendMail({ raw: message(1) })
          await transport.close()
          expect(info.accepted).toEqual(["b@example.org"])
          expect(info.response).toMatch(/^250 /)
          expect(peer.messages().map((bytes) => Buffer.from(bytes).toString())).toEqual([
            message(1),
          ])
        } finally {
          await peer.stop()
        }
      })
    }

    it("rejects a wrong password with a typed 535", async () => {
      const peer = await startAiosmtpd({ user: "alice", password: "secret", requireTls: true })
      try {
        const transport = createTransport({
          host: "localhost",
          port: peer.port,
          tls: { ca: readFileSync(peer.certPath, "utf8") },
          auth: { user: "alice", pass: "wrong" },
        })
        const failure = transport.sendMail({ raw: message(1) })
        await expect(failure).rejects.toBeInstanceOf(SmtpReplyError)
        await expect(failure).rejects.toMatchObject({ code: 535 })
        await transport.close()
        expect(peer.messages()).toEqual([])
      } finally {
        await peer.stop()
      }
    })
  },
)

describe.runIf(peersAvailable("our SMTP client → smtp-sink", "smtpSink"))(
  "our SMTP client → Postfix smtp-sink",
  () => {
    it("sends 1,000 messages through a pool, all accepted and saved intact", async () => {
      const sink = await startSmtpSink({ save: true })
      try {
        const transport = createTransport({
          host: "127.0.0.1",
          port: sink.port,
          startTls: "never",
          pool: true,
          maxConnections: 5,
          maxMessages: 250,
        })
        const started = performance.now()
        const results = await Promise.all(
          Array.from({ length: 1000 }, (_, n) => transport.sendMail({ raw: message(n) })),
        )
        const seconds = (performance.now() - started) / 1000
        await transport.close()
        expect(results.every((info) => info.accepted.length === 1)).toBe(true)
        const saved = sink.messages().map((bytes) => Buffer.from(bytes).toString())
        expect(saved).toHaveLength(1000)
        const sent = new Set(
          Array.from({ length: 1000 }, (_, n) => message(n).replaceAll("\r\n", "\n")),
        )
        for (const file of saved) {
          const at = file.indexOf("From: a@example.com\n")
          expect(at).toBeGreaterThanOrEqual(0)
          // smtp-sink's dump ends every message with one more empty line.
          expect(file.endsWith("\n\n")).toBe(true)
          expect(sent.delete(file.slice(at, -1))).toBe(true)
        }
        expect(sent.size).toBe(0)
        console.info(
          `mailwire pool → smtp-sink: 1000 messages in ${seconds.toFixed(2)} s (${Math.round(1000 / seconds)} msg/s)`,
        )
      } finally {
        await sink.stop()
      }
    })
  },
)
