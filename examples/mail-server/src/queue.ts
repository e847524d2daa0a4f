/**
 * The outbound queue on disk: messages accepted for other domains wait here until they
 * are delivered, bounced, or given up on (RFC 5321 §4.5.4). Nothing accepted is lost:
 *
 *     <dataDir>/queue/messages/<id>.eml   the message, fsynced before it is committed
 *     <dataDir>/queue/entries/<id>.json   the envelope and retry state: the commit point
 *     <dataDir>/queue/tmp/                where entry files are written before the rename
 *
 * `enqueue` moves the (fsynced) message file in, writes the entry to `tmp/`, fsyncs it,
 * renames it into `entries/` and fsyncs the directories; only then does it resolve, so
 * `250` is sent for a message that survives a crash. Every later change of an entry is
 * another write-then-rename, so an entry is always either the old state or the new one.
 * At start, the entries are read back and scheduled; a message file without an entry is
 * the remains of a crash before commit (its client got no `250`) and is removed.
 *
 * Retries follow the configured delays (see `queue-schedule.ts`); a recipient that fails
 * permanently, or is still failing after the last retry, is reported to the sender with
 * a DSN (`dsn.ts`). Delivery is at least once: a crash after the remote server accepted
 * a message but before the entry was updated sends it again on restart.
 *
 * What it does not do: talk SMTP (the `attempt` function does) or know about local users
 * (the `bounce` function does).
 */
import { randomBytes } from "node:crypto"
import { mkdir, open, readdir, readFile, rename, rm, unlink } from "node:fs/promises"
import { join } from "node:path"
import type { RecipientFailure } from "./dsn.js"
import type { Logger } from "./log.js"
import { nextAttemptAt } from "./queue-schedule.js"

/** One queued message's state, as stored in its entry file. */
export interface QueueEntry {
  readonly id: string
  /** The reverse path (RFC 5321 §4.1.1.2); `""` for `<>`. */
  readonly from: string
  /** Recipients not yet delivered and not yet failed. */
  readonly pending: readonly string[]
  /** Recipients that failed for good, waiting for the bounce. */
  readonly failed: readonly RecipientFailure[]
  /** Failed attempts so far. */
  readonly attempts: number
  readonly createdAt: number
  readonly nextAttemptAt: number
  /** Why the last attempt failed, for the log. */
  readonly lastError: string | null
}

/** What one delivery attempt did for one recipient. */
export type RecipientOutcome =
  | { readonly recipient: string; readonly kind: "delivered" }
  | ({ readonly kind: "failed" | "deferred" } & RecipientFailure)

/** What the queue needs from the rest of the server. */
export interface QueueOptions {
  /** The queue directory (`<dataDir>/queue`). */
  readonly dir: string
  /** Delays before each retry, in ms; when they are used up the message bounces. */
  readonly retryDelaysMs: readonly number[]
  /** Tries to deliver `entry.pending`; one outcome per recipient. Must not throw. */
  readonly attempt: (entry: QueueEntry, messagePath: string) => Promise<RecipientOutcome[]>
  /** Tells the sender about `entry.failed` (a DSN). */
  readonly bounce: (entry: QueueEntry, messagePath: string) => Promise<void>
  readonly log: Logger
  /** Most deliveries running at once. */
  readonly concurrency?: number
  readonly now?: () => number
}

/**
 * 4 deliveries at once: enough to keep a relay busy without looking like a flood to a
 * remote MX (Postfix's `default_destination_concurrency_limit` is 20 per destination;
 * this server has one queue for all of them).
 */
export const DEFAULT_QUEUE_CONCURRENCY = 4

/**
 * 10,000 ms for running deliveries to finish at shutdown before their connections are
 * cut: they then count as attempts that failed and are tried again after the restart.
 */
export const QUEUE_CLOSE_GRACE_MS = 10_000

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, "r")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** A fresh queue id: time-ordered, 20 characters of `[0-9a-z]`. */
export function newQueueId(now = Date.now()): string {
  return `${now.toString(36).padStart(9, "0")}${randomBytes(8).toString("hex").slice(0, 11)}`
}

const ID = /^[0-9a-z]{20}$/

/** The on-disk outbound queue with its retry timers. */
export class OutboundQueue {
  private readonly messages: string
  private readonly entries: string
  private readonly tmp: string
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>()
  private readonly due: string[] = []
  private readonly running = new Map<string, Promise<void>>()
  private readonly cache = new Map<string, QueueEntry>()
  private readonly now: () => number
  private readonly concurrency: number
  private isClosed = false

  constructor(private readonly options: QueueOptions) {
    this.messages = join(options.dir, "messages")
    this.entries = join(options.dir, "entries")
    this.tmp = join(options.dir, "tmp")
    this.now = options.now ?? Date.now
    this.concurrency = options.concurrency ?? DEFAULT_QUEUE_CONCURRENCY
  }

  /** The entries waiting now (a snapshot). */
  get size(): number {
    return this.cache.size
  }

  /** Recovers the queue after a start or crash and schedules every entry. Returns how many. */
  async open(): Promise<number> {
    for (const dir of [this.messages, this.entries, this.tmp]) {
      await mkdir(dir, { recursive: true, mode: 0o700 })
    }
    for (const name of await readdir(this.tmp)) await rm(join(this.tmp, name), { force: true })
    const committed = new Set<string>()
    for (const name of await readdir(this.entries)) {
      const id = name.replace(/\.json$/, "")
      if (!ID.test(id) || !name.endsWith(".json")) continue
      try {
        const entry = JSON.parse(await readFile(join(this.entries, name), "utf8")) as QueueEntry
        this.cache.set(id, entry)
        committed.add(id)
      } catch (error) {
        this.options.log.event("queue", "unreadable-entry", {
          file: name,
          error: (error as Error).message,
        })
      }
    }
    for (const name of await readdir(this.messages)) {
      const id = name.replace(/\.eml$/, "")
      if (!committed.has(id)) {
        await rm(join(this.messages, name), { force: true })
        this.options.log.event("queue", "removed-uncommitted", { id })
      }
    }
    for (const entry of this.cache.values()) this.schedule(entry)
    return this.cache.size
  }

  /**
   * Takes the message file at `stagedPath` (fsynced, on the same file system) into the
   * queue for `recipients`, durably, and schedules the first attempt now.
   */
  async enqueue(
    id: string,
    stagedPath: string,
    from: string,
    recipients: readonly string[],
  ): Promise<QueueEntry> {
    const now = this.now()
    const entry: QueueEntry = {
      id,
      from,
      pending: [...recipients],
      failed: [],
      attempts: 0,
      createdAt: now,
      nextAttemptAt: now,
      lastError: null,
    }
    await rename(stagedPath, this.messagePath(id))
    await fsyncPath(this.messages)
    await this.write(entry)
    this.cache.set(id, entry)
    this.options.log.event("queue", "queued", {
      id,
      from: from === "" ? "<>" : from,
      to: recipients.join(","),
    })
    this.schedule(entry)
    return entry
  }

  /** Stops the timers, lets running deliveries finish (or cuts them after a grace period). */
  async close(abort: () => void = () => {}): Promise<void> {
    this.isClosed = true
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
    this.due.length = 0
    const running = Promise.all(this.running.values())
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        abort()
        resolve()
      }, QUEUE_CLOSE_GRACE_MS)
    })
    await Promise.race([running, late])
    clearTimeout(timer)
    await running
  }

  private messagePath(id: string): string {
    return join(this.messages, `${id}.eml`)
  }

  private async write(entry: QueueEntry): Promise<void> {
    const temporary = join(this.tmp, `${entry.id}.json`)
    const handle = await open(temporary, "w", 0o600)
    try {
      await handle.writeFile(JSON.stringify(entry))
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temporary, join(this.entries, `${entry.id}.json`))
    await fsyncPath(this.entries)
  }

  private schedule(entry: QueueEntry): void {
    if (this.isClosed) return
    const wait = Math.max(0, entry.nextAttemptAt - this.now())
    this.timers.set(
      entry.id,
      setTimeout(() => {
        this.timers.delete(entry.id)
        this.due.push(entry.id)
        this.pump()
      }, wait),
    )
  }

  private pump(): void {
    while (!this.isClosed && this.running.size < this.concurrency) {
      const id = this.due.shift()
      if (id === undefined) return
      const run = this.process(id)
        .catch((error: unknown) => {
          this.options.log.event("queue", "error", { id, error: String(error) })
          const entry = this.cache.get(id)
          if (entry !== undefined) {
            this.schedule({
              ...entry,
              nextAttemptAt: this.now() + (this.options.retryDelaysMs[0] ?? 60_000),
            })
          }
        })
        .finally(() => {
          this.running.delete(id)
          this.pump()
        })
      this.running.set(id, run)
    }
  }

  private async process(id: string): Promise<void> {
    let entry = this.cache.get(id)
    if (entry === undefined) return
    const path = this.messagePath(id)
    if (entry.pending.length > 0) entry = await this.attempt(entry, path)
    if (entry.pending.length > 0) {
      this.schedule(entry)
      return
    }
    if (entry.failed.length > 0) {
      await this.options.bounce(entry, path)
    }
    await unlink(join(this.entries, `${id}.json`))
    await fsyncPath(this.entries)
    await rm(path, { force: true })
    this.cache.delete(id)
    this.options.log.event("queue", "done", { id, failed: entry.failed.length })
  }

  private async attempt(entry: QueueEntry, path: string): Promise<QueueEntry> {
    const outcomes = await this.options.attempt(entry, path)
    const pending: string[] = []
    const failed = [...entry.failed]
    const deferred: RecipientFailure[] = []
    for (const outcome of outcomes) {
      if (outcome.kind === "delivered") {
        this.options.log.event("queue", "delivered", { id: entry.id, to: outcome.recipient })
      } else if (outcome.kind === "failed") {
        failed.push(outcome)
        this.options.log.event("queue", "failed", {
          id: entry.id,
          to: outcome.recipient,
          status: outcome.status,
          reason: outcome.diagnostic,
        })
      } else {
        pending.push(outcome.recipient)
        deferred.push(outcome)
      }
    }
    const attempts = entry.attempts + (deferred.length > 0 ? 1 : 0)
    const now = this.now()
    const next =
      deferred.length > 0 ? nextAttemptAt(attempts, this.options.retryDelaysMs, now) : now
    let updated: QueueEntry
    if (next === null) {
      for (const failure of deferred) {
        this.options.log.event("queue", "expired", {
          id: entry.id,
          to: failure.recipient,
          attempts,
          reason: failure.diagnostic,
        })
      }
      updated = { ...entry, pending: [], failed: [...failed, ...deferred], attempts }
    } else {
      const lastError = deferred[0]?.diagnostic ?? null
      updated = { ...entry, pending, failed, attempts, nextAttemptAt: next, lastError }
      for (const failure of deferred) {
        this.options.log.event("queue", "deferred", {
          id: entry.id,
          to: failure.recipient,
          attempts,
          retryIn: `${Math.round((next - now) / 100) / 10}s`,
          reason: failure.diagnostic,
        })
      }
    }
    await this.write(updated)
    this.cache.set(entry.id, updated)
    return updated
  }
}
