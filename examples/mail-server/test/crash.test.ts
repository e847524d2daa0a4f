/**
 * Crash safety: the server process is killed with SIGKILL in the middle of a burst of
 * deliveries — local ones on the MX port and queued ones on submission — and every
 * message that got `250` is found afterwards: whole, in the recipient's Maildir, or
 * committed in the outbound queue and delivered to the relay after a restart.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { SmtpClient } from "@mailwire/node/smtp"
import { describe, expect, it } from "vitest"
import { peersAvailable } from "../../../packages/node/test/harness/peers.js"
import { ALICE, eventually, mailServer, uniquePort } from "./harness/mail-server.js"
import { startSinkRelay } from "./harness/relay.js"

const run = peersAvailable("mail-server crash", "smtpSink", "openssl")
const END = "-- end of message --"

function body(token: string, to: string): Uint8Array {
  const filler = "The quick brown fox jumps over the lazy dog.\r\n".repeat(40)
  return new TextEncoder().encode(
    `From: sender@example.test\r\nTo: ${to}\r\nSubject: ${token}\r\n\r\n${token}\r\n${filler}${END}\r\n`,
  )
}

describe.runIf(run)("kill -9 during a burst", () => {
  it("loses no message that got a 250, local or queued", async () => {
    const relayPort = await uniquePort()
    const server = await mailServer({
      extra: {
        relay: { host: "127.0.0.1", port: relayPort },
        queue: { retryDelays: Array(100).fill(0.3) },
      },
    })
    try {
      await server.start()
      const accepted = { local: [] as string[], queued: [] as string[] }
      let isKilled = false
      const cert = readFileSync(server.certPath, "utf8")

      async function worker(kind: "local" | "queued", w: number): Promise<void> {
        const client =
          kind === "local"
            ? new SmtpClient({ host: "127.0.0.1", port: server.ports.smtp, startTls: "never" })
            : new SmtpClient({
                host: "127.0.0.1",
                port: server.ports.submission,
                startTls: "required",
                tls: { ca: cert },
                auth: { user: ALICE.name, pass: ALICE.password },
              })
        try {
          await client.connect()
          for (let i = 0; !isKilled; i++) {
            const token = `${kind}-w${w}-m${i}`
            const to = kind === "local" ? "bob@example.test" : "frank@remote.test"
            const from = kind === "local" ? "sender@outside.test" : "alice@example.test"
            await client.send({ from, to: [to], body: body(token, to) })
            accepted[kind].push(token)
          }
        } catch {
          // The server was killed under this client.
        } finally {
          client.close()
        }
      }

      const workers = [
        ...[0, 1, 2, 3, 4, 5].map((w) => worker("local", w)),
        ...[0, 1].map((w) => worker("queued", w)),
      ]
      await eventually(
        server,
        () => accepted.local.length >= 150 && accepted.queued.length >= 20,
        "enough accepted messages",
        30_000,
      )
      await server.kill()
      isKilled = true
      await Promise.all(workers)

      // Local: every accepted message is in bob's Maildir, whole.
      const stored = server.mailbox("bob").map((bytes) => new TextDecoder().decode(bytes))
      for (const message of stored) expect(message.endsWith(`${END}\r\n`)).toBe(true)
      const subjects = new Set(stored.map((m) => /\r\nSubject: (\S+)\r\n/.exec(m)?.[1]))
      const lostLocal = accepted.local.filter((token) => !subjects.has(token))
      expect(lostLocal).toEqual([])

      // Queued: every accepted message is committed (an entry and its message file).
      const queueDir = join(server.dataDir, "queue")
      const entries = readdirSync(join(queueDir, "entries"))
      const queuedSubjects = new Set(
        entries.map((name) => {
          const text = readFileSync(
            join(queueDir, "messages", name.replace(/json$/, "eml")),
            "utf8",
          )
          return /\r\nSubject: (\S+)\r\n/.exec(text)?.[1]
        }),
      )
      expect(accepted.queued.filter((token) => !queuedSubjects.has(token))).toEqual([])

      // After a restart with the relay up, every queued message goes out.
      const relay = await startSinkRelay(relayPort)
      try {
        await server.start()
        await eventually(server, () => server.queued().length === 0, "the queue to drain", 30_000)
        const lostQueued = () => {
          const relayed = relay.messages().join("\n")
          return accepted.queued.filter((token) => !relayed.includes(`Subject: ${token}`))
        }
        // smtp-sink may still be writing its last dump files.
        await eventually(server, () => lostQueued().length === 0, "every queued message relayed")
        expect(lostQueued()).toEqual([])
        console.log(
          `kill -9 burst: ${accepted.local.length} local and ${accepted.queued.length} queued messages answered 250 before the kill; none lost (${stored.length} in the Maildir, ${entries.length} in the queue)`,
        )
      } finally {
        await relay.stop()
      }
    } finally {
      await server.cleanup()
    }
  }, 90_000)
})
