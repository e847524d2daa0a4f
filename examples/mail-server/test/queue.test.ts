/**
 * The outbound queue on disk: attempts, retries on the schedule, bounces after a
 * permanent failure or the last retry, and recovery after a restart — driven by a
 * scripted `attempt` function so each outcome is chosen by the test.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import type { Logger } from "../src/log.js"
import {
  newQueueId,
  OutboundQueue,
  type QueueEntry,
  type QueueOptions,
  type RecipientOutcome,
} from "../src/queue.js"
import { nextAttemptAt } from "../src/queue-schedule.js"

interface Harness {
  readonly dir: string
  readonly lines: string[]
  readonly attempts: QueueEntry[]
  readonly bounces: QueueEntry[]
  queue(overrides?: Partial<QueueOptions>): OutboundQueue
  stage(content: string): { id: string; path: string }
}

function harness(script: (entry: QueueEntry, n: number) => RecipientOutcome[]): Harness {
  const dir = mkdtempSync(join(tmpdir(), "mailwire-queue-"))
  const lines: string[] = []
  const attempts: QueueEntry[] = []
  const bounces: QueueEntry[] = []
  const log: Logger = {
    event: (source, event, fields) => lines.push(`${source} ${event} ${JSON.stringify(fields)}`),
  }
  const staging = join(dir, "incoming")
  mkdirSync(staging)
  return {
    dir,
    lines,
    attempts,
    bounces,
    queue: (overrides = {}) =>
      new OutboundQueue({
        dir: join(dir, "queue"),
        retryDelaysMs: [20, 20],
        log,
        attempt: async (entry) => {
          attempts.push(entry)
          return script(entry, attempts.length)
        },
        bounce: async (entry) => {
          bounces.push(entry)
        },
        ...overrides,
      }),
    stage(content) {
      const id = newQueueId()
      const path = join(staging, id)
      writeFileSync(path, content)
      return { id, path }
    },
  }
}

const deferred = (recipient: string): RecipientOutcome => ({
  recipient,
  kind: "deferred",
  status: "4.4.1",
  diagnostic: "connection refused",
  isSmtpReply: false,
  remoteMta: "relay.test",
})
const failed = (recipient: string): RecipientOutcome => ({
  recipient,
  kind: "failed",
  status: "5.1.1",
  diagnostic: "550 5.1.1 No such user",
  isSmtpReply: true,
  remoteMta: "relay.test",
})
const delivered = (recipient: string): RecipientOutcome => ({ recipient, kind: "delivered" })

async function until(test: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!test()) {
    if (Date.now() > deadline) throw new Error("timed out")
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

function files(h: Harness, sub: string): string[] {
  return readdirSync(join(h.dir, "queue", sub))
}

describe("outbound queue", () => {
  it("makes time-ordered ids of 20 lower-case characters", () => {
    const a = newQueueId(1_000)
    const b = newQueueId(2_000)
    expect(a).toMatch(/^[0-9a-z]{20}$/)
    expect(a < b).toBe(true)
  })

  it("schedules retries from the delays and gives up after the last", () => {
    expect(nextAttemptAt(1, [10, 20], 100)).toBe(110)
    expect(nextAttemptAt(2, [10, 20], 100)).toBe(120)
    expect(nextAttemptAt(3, [10, 20], 100)).toBeNull()
  })

  it("commits the message and entry before enqueue resolves, then delivers and removes both", async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const h = harness((entry) => entry.pending.map(delivered))
    const queue = h.queue({
      attempt: async (entry) => {
        await gate
        h.attempts.push(entry)
        return entry.pending.map(delivered)
      },
    })
    await queue.open()
    const { id, path } = h.stage("Subject: hi\r\n\r\nbody\r\n")
    await queue.enqueue(id, path, "alice@example.test", ["x@remote.test"])
    expect(existsSync(path)).toBe(false)
    expect(readFileSync(join(h.dir, "queue", "messages", `${id}.eml`), "utf8")).toBe(
      "Subject: hi\r\n\r\nbody\r\n",
    )
    const entry = JSON.parse(readFileSync(join(h.dir, "queue", "entries", `${id}.json`), "utf8"))
    expect(entry).toMatchObject({ id, from: "alice@example.test", pending: ["x@remote.test"] })
    release()
    await until(() => queue.size === 0)
    expect(files(h, "entries")).toEqual([])
    expect(files(h, "messages")).toEqual([])
    expect(h.bounces).toEqual([])
    await queue.close()
  })

  it("retries a deferred recipient on the schedule, then bounces it", async () => {
    const h = harness((entry) => entry.pending.map(deferred))
    const queue = h.queue()
    await queue.open()
    const { id, path } = h.stage("x")
    await queue.enqueue(id, path, "alice@example.test", ["x@remote.test"])
    await until(() => h.bounces.length === 1)
    expect(h.attempts.map((e) => e.attempts)).toEqual([0, 1, 2])
    expect(h.bounces[0]!.failed).toMatchObject([{ recipient: "x@remote.test", status: "4.4.1" }])
    expect(h.lines.filter((l) => l.startsWith("queue deferred"))).toHaveLength(2)
    expect(h.lines.some((l) => l.startsWith("queue expired"))).toBe(true)
    await until(() => queue.size === 0)
    await queue.close()
  })

  it("bounces a permanent failure at once and keeps trying the others", async () => {
    const h = harness((entry, n) =>
      n === 1
        ? [failed("bad@remote.test"), deferred("slow@remote.test"), delivered("ok@remote.test")]
        : entry.pending.map(delivered),
    )
    const queue = h.queue()
    await queue.open()
    const { id, path } = h.stage("x")
    await queue.enqueue(id, path, "alice@example.test", [
      "bad@remote.test",
      "slow@remote.test",
      "ok@remote.test",
    ])
    await until(() => queue.size === 0)
    expect(h.attempts.map((e) => e.pending)).toEqual([
      ["bad@remote.test", "slow@remote.test", "ok@remote.test"],
      ["slow@remote.test"],
    ])
    expect(h.bounces).toHaveLength(1)
    expect(h.bounces[0]!.failed.map((f) => f.recipient)).toEqual(["bad@remote.test"])
    await queue.close()
  })

  it("picks its entries up again after a restart and delivers them", async () => {
    const first = harness((entry) => entry.pending.map(deferred))
    const queue = first.queue({ retryDelaysMs: [60_000] })
    await queue.open()
    const { id, path } = first.stage("survivor")
    await queue.enqueue(id, path, "alice@example.test", ["x@remote.test"])
    await until(
      () => first.attempts.length === 1 && first.lines.some((l) => l.includes("deferred")),
    )
    await queue.close()

    const delivered: string[] = []
    const again = first.queue({
      retryDelaysMs: [60_000],
      now: () => Date.now() + 61_000,
      attempt: async (entry, messagePath) => {
        delivered.push(readFileSync(messagePath, "utf8"))
        return entry.pending.map((recipient) => ({ recipient, kind: "delivered" as const }))
      },
    })
    expect(await again.open()).toBe(1)
    await until(() => again.size === 0)
    expect(delivered).toEqual(["survivor"])
    await again.close()
  })

  it("removes message files that never got an entry, and leftovers in tmp/", async () => {
    const h = harness((entry) => entry.pending.map(delivered))
    for (const sub of ["messages", "entries", "tmp"]) {
      mkdirSync(join(h.dir, "queue", sub), { recursive: true })
    }
    const orphan = newQueueId()
    writeFileSync(join(h.dir, "queue", "messages", `${orphan}.eml`), "half written")
    writeFileSync(join(h.dir, "queue", "tmp", `${orphan}.json`), "{")
    const queue = h.queue()
    expect(await queue.open()).toBe(0)
    expect(files(h, "messages")).toEqual([])
    expect(files(h, "tmp")).toEqual([])
    expect(h.attempts).toEqual([])
    expect(h.lines.some((l) => l.startsWith("queue removed-uncommitted"))).toBe(true)
    await queue.close()
  })

  it("waits for a running delivery at close", async () => {
    let finished = false
    const h = harness((entry) => entry.pending.map(delivered))
    const queue = h.queue({
      attempt: async (entry) => {
        h.attempts.push(entry)
        await new Promise((resolve) => setTimeout(resolve, 100))
        finished = true
        return entry.pending.map(delivered)
      },
    })
    await queue.open()
    const { id, path } = h.stage("x")
    await queue.enqueue(id, path, "alice@example.test", ["x@remote.test"])
    await until(() => h.attempts.length === 1)
    await queue.close()
    expect(finished).toBe(true)
    expect(files(h, "entries")).toEqual([])
  })
})
