/**
 * An MX that refuses every recipient, each for its own reason: the attempt gives each
 * recipient the outcome of its own reply (a 5xx fails it, a 4xx defers it) instead of the
 * first recipient's reply for all. The MX is `@mailwire/node`'s server on loopback.
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createSmtpServer, SmtpReplyError, type SmtpServer } from "@mailwire/node/smtp"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { attemptDelivery } from "../src/outbound.js"
import type { QueueEntry } from "../src/queue.js"

describe("outbound delivery when every recipient is refused", () => {
  let mx: SmtpServer
  let port: number
  let messagePath: string

  beforeAll(async () => {
    mx = createSmtpServer({
      hostname: "mx.remote.test",
      onRcptTo: (address) => {
        if (address.startsWith("gone")) {
          throw new SmtpReplyError(550, "No such user", { enhancedCode: "5.1.1" })
        }
        return { code: 450, enhancedCode: "4.2.1", text: "Mailbox busy" }
      },
    })
    port = (await mx.listen(0, "127.0.0.1")).port
    const dir = mkdtempSync(join(tmpdir(), "mailwire-refusals-"))
    messagePath = join(dir, "message.eml")
    writeFileSync(messagePath, "Subject: x\r\n\r\nx\r\n")
  })

  afterAll(async () => {
    await mx.close()
  })

  const entry = (pending: string[]): QueueEntry => ({
    id: "t",
    from: "alice@example.test",
    pending,
    failed: [],
    attempts: 0,
    createdAt: 0,
    nextAttemptAt: 0,
    lastError: null,
  })

  it("fails the 550 recipient and defers the 450 one", async () => {
    for (const pending of [
      ["gone@remote.test", "busy@remote.test"],
      ["busy@remote.test", "gone@remote.test"],
    ]) {
      const outcomes = await attemptDelivery(entry(pending), messagePath, {
        hostname: "mail.example.test",
        relay: null,
        mxPort: port,
        resolveMx: async () => [{ exchange: "127.0.0.1", priority: 1 }],
      })
      const byRecipient = Object.fromEntries(outcomes.map((o) => [o.recipient, o]))
      expect(byRecipient["gone@remote.test"]).toMatchObject({
        kind: "failed",
        status: "5.1.1",
        diagnostic: "550 5.1.1 No such user",
        isSmtpReply: true,
      })
      expect(byRecipient["busy@remote.test"]).toMatchObject({
        kind: "deferred",
        status: "4.2.1",
        diagnostic: "450 4.2.1 Mailbox busy",
        isSmtpReply: true,
      })
    }
  })
})
