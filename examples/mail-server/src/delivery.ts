/**
 * What happens to a message once SMTP DATA starts: it is written, behind our
 * `Received:` line (`trace.ts`), into a staging file in `<dataDir>/incoming/` and
 * fsynced; then it is delivered into the Maildir of every local recipient with
 * `MaildirStore.deliver` (tmp → fsync → rename into new, DESIGN §4 invariant 6), and the
 * file itself is committed to the outbound queue for the other recipients. `receive`
 * resolves only after all of that, so the SMTP `250` means the message is on disk.
 *
 * If any step fails, the promise rejects (the client hears `451` and tries again), and
 * the staging file is removed; local recipients who already got the message may then
 * get it twice — a single SMTP reply cannot say "some of them" (RFC 5321 §4.2.5; LMTP
 * can). Bounces (DSNs) from the queue are delivered here too.
 *
 * What it does not do: decide who is local or who may relay (`smtp.ts` did that at RCPT).
 */
import { randomBytes } from "node:crypto"
import { createReadStream } from "node:fs"
import { mkdir, open, readdir, readFile, rm } from "node:fs/promises"
import { join } from "node:path"
import type { Readable } from "node:stream"
import type { MaildirStore } from "@mailwire/maildir"
import type { Accounts } from "./accounts.js"
import { buildDsn, headerSection } from "./dsn.js"
import type { Logger } from "./log.js"
import { newQueueId, type OutboundQueue, type QueueEntry } from "./queue.js"
import { receivedHeader, type TraceInfo } from "./trace.js"

/** An accepted envelope, split by where each recipient's copy goes. */
export interface RoutedEnvelope {
  /** The reverse path; `""` for `<>`. */
  readonly from: string
  /** Every recipient as given at RCPT (for the trace field). */
  readonly recipients: readonly string[]
  /** Local user names to deliver to (aliases expanded, each once). */
  readonly localUsers: readonly string[]
  /** Recipients in other domains, for the outbound queue. */
  readonly remote: readonly string[]
}

/** The session facts the trace field needs. */
export type SessionTrace = Pick<
  TraceInfo,
  "clientHostname" | "remoteAddress" | "isSecure" | "isAuthenticated"
>

/** Delivers accepted messages locally and into the outbound queue. */
export class Delivery {
  private readonly incoming: string

  constructor(
    private readonly options: {
      readonly dataDir: string
      readonly hostname: string
      readonly store: MaildirStore
      readonly queue: OutboundQueue
      readonly accounts: Accounts
      readonly log: Logger
    },
  ) {
    this.incoming = join(options.dataDir, "incoming")
  }

  /** Makes the staging directory and removes what a crash left in it (never answered `250`). */
  async open(): Promise<void> {
    await mkdir(this.incoming, { recursive: true, mode: 0o700 })
    for (const name of await readdir(this.incoming)) {
      await rm(join(this.incoming, name), { force: true })
    }
  }

  /**
   * Stores one message (the unstuffed DATA stream) for its recipients; resolves with its
   * id once it is durable everywhere it goes.
   */
  async receive(envelope: RoutedEnvelope, body: Readable, session: SessionTrace): Promise<string> {
    const id = newQueueId()
    const staged = join(this.incoming, id)
    const trace = receivedHeader({
      ...session,
      hostname: this.options.hostname,
      id,
      recipients: envelope.recipients,
      date: new Date(),
    })
    try {
      const size = await this.stage(staged, trace, body)
      for (const user of envelope.localUsers) {
        const result = await this.options.store.deliver(user, createReadStream(staged))
        this.options.log.event("delivery", "stored", { id, user, file: result.file, size })
      }
      if (envelope.remote.length > 0) {
        await this.options.queue.enqueue(id, staged, envelope.from, envelope.remote)
      }
      return id
    } finally {
      await rm(staged, { force: true })
    }
  }

  /** Writes the trace field and the body to `path` and fsyncs it; returns the size. */
  private async stage(path: string, trace: Uint8Array, body: Readable): Promise<number> {
    const handle = await open(path, "wx", 0o600)
    let size = 0
    try {
      await handle.write(trace)
      size += trace.length
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        await handle.write(chunk)
        size += chunk.length
      }
      await handle.sync()
    } finally {
      await handle.close()
    }
    return size
  }

  /**
   * Delivers a DSN about `entry.failed` to the sender's local mailbox (RFC 3464). Mail
   * from `<>` is never bounced (RFC 5321 §4.5.5); a sender who is not a local user is
   * logged and dropped, since only local users can queue mail here.
   */
  async bounce(entry: QueueEntry, messagePath: string): Promise<void> {
    const log = this.options.log
    const users = entry.from === "" ? [] : this.options.accounts.recipients(entry.from)
    if (users.length === 0) {
      log.event("delivery", "bounce-dropped", {
        id: entry.id,
        from: entry.from === "" ? "<>" : entry.from,
      })
      return
    }
    const original = await readFile(messagePath).catch(() => new Uint8Array(0))
    const dsn = buildDsn({
      hostname: this.options.hostname,
      sender: entry.from,
      id: entry.id,
      arrivalDate: new Date(entry.createdAt),
      failures: entry.failed,
      originalHeaders: headerSection(original),
      date: new Date(),
      boundary: `dsn-${randomBytes(12).toString("hex")}`,
    })
    for (const user of users) {
      const result = await this.options.store.deliver(user, dsn)
      log.event("delivery", "bounced", { id: entry.id, user, file: result.file })
    }
  }
}
