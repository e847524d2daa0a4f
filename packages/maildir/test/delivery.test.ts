import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { show, tempStore, text } from "./temp-store.js"

const MESSAGE = "From: a@example.test\r\nSubject: hello\r\n\r\nbody line\r\n"

describe("delivery", () => {
  it("writes the message into new/ under a unique name with its sizes, and leaves tmp/ empty", async () => {
    const store = tempStore()
    const result = await store.deliver("alice", text(MESSAGE))
    const maildir = store.userPath("alice")
    expect(readdirSync(join(maildir, "new"))).toEqual([result.file])
    expect(readdirSync(join(maildir, "tmp"))).toEqual([])
    expect(readdirSync(join(maildir, "cur"))).toEqual([])
    expect(result.file).toMatch(/^\d+\.M\d+P\d+Q\d+R[0-9a-f]{16}\.[^,]+,S=51,W=51$/)
    expect(MESSAGE.length).toBe(51)
    expect(result).toMatchObject({
      size: MESSAGE.length,
      vsize: MESSAGE.length,
      path: join(maildir, "new", result.file),
    })
    expect(show(readFileSync(result.path))).toBe(MESSAGE)
    expect(statSync(result.path).mode & 0o777).toBe(0o600)
  })

  it("records the CRLF size of a message stored with bare LFs", async () => {
    const store = tempStore()
    const result = await store.deliver("alice", text("Subject: x\n\nbody\n"))
    expect([result.size, result.vsize]).toEqual([17, 20])
    expect(result.file).toMatch(/,S=17,W=20$/)
  })

  it("delivers with flags into cur/ with a :2, suffix", async () => {
    const store = tempStore()
    const result = await store.deliver("alice", text(MESSAGE), { flags: "SF" })
    expect(result.path).toBe(join(store.userPath("alice"), "cur", result.file))
    expect(result.file).toMatch(/:2,FS$/)
  })

  it("streams: chunks reach the tmp file before the source has ended, and only the final rename shows it", async () => {
    const store = tempStore()
    const maildir = await store.createUser("alice")
    const seen: { tmp: number; inNew: number }[] = []
    async function* source() {
      for (let i = 0; i < 4; i++) {
        yield text(`X-Part: ${i}\r\n`.padEnd(64 * 1024, "x"))
        await new Promise((resolve) => setTimeout(resolve, 10))
        const [name] = readdirSync(join(maildir, "tmp"))
        seen.push({
          tmp: name === undefined ? 0 : statSync(join(maildir, "tmp", name)).size,
          inNew: readdirSync(join(maildir, "new")).length,
        })
      }
    }
    const result = await store.deliver("alice", source())
    expect(seen.map((s) => s.tmp)).toEqual([1, 2, 3, 4].map((n) => n * 64 * 1024))
    expect(seen.every((s) => s.inNew === 0)).toBe(true)
    expect(result.size).toBe(4 * 64 * 1024)
    expect(readdirSync(join(maildir, "new"))).toEqual([result.file])
  })

  it("never shows a message whose source failed, and removes its tmp file", async () => {
    const store = tempStore()
    const maildir = await store.createUser("alice")
    async function* broken() {
      yield text("Subject: half\r\n")
      throw new Error("connection lost")
    }
    await expect(store.deliver("alice", broken())).rejects.toThrow("connection lost")
    expect(readdirSync(join(maildir, "new"))).toEqual([])
    expect(readdirSync(join(maildir, "tmp"))).toEqual([])
  })

  it("runs two deliveries at once to distinct, intact files", async () => {
    const store = tempStore()
    const one = "A".repeat(100_000)
    const two = "B".repeat(100_000)
    async function* slow(body: string) {
      for (let i = 0; i < body.length; i += 10_000) {
        yield text(body.slice(i, i + 10_000))
        await new Promise((resolve) => setTimeout(resolve, 1))
      }
    }
    const [a, b] = await Promise.all([
      store.deliver("alice", slow(one)),
      store.deliver("alice", slow(two)),
    ])
    expect(a.file).not.toBe(b.file)
    expect(show(readFileSync(a.path))).toBe(one)
    expect(show(readFileSync(b.path))).toBe(two)
  })

  it("gives fifty concurrent deliveries fifty names and fifty UIDs", async () => {
    const store = tempStore()
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.deliver("alice", text(`Subject: ${i}\r\n\r\n`))),
    )
    expect(new Set(results.map((r) => r.file)).size).toBe(50)
    const state = await store.mailbox("alice", "INBOX").sync()
    expect(state.messages.map((m) => m.uid)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
  })

  it("delivers into an existing folder and refuses a missing one", async () => {
    const store = tempStore()
    await store.createMailbox("alice", "Lists/mailwire")
    const result = await store.deliver("alice", text(MESSAGE), { mailbox: "Lists/mailwire" })
    expect(result.path).toBe(join(store.userPath("alice"), ".Lists.mailwire", "new", result.file))
    await expect(store.deliver("alice", text(MESSAGE), { mailbox: "Nope" })).rejects.toMatchObject({
      code: "NO_MAILBOX",
    })
  })
})

describe("stale files in tmp/", () => {
  it("removes a partial file a crash left in tmp/ once it is stale, and keeps a fresh one", async () => {
    const store = tempStore()
    const maildir = await store.createUser("alice")
    writeFileSync(join(maildir, "tmp", "1700000000.M1P99.crashed"), "Subject: half a mess")
    writeFileSync(join(maildir, "tmp", "1700000001.M1P99.writing"), "Subject: in progress")
    const old = new Date(Date.now() - 37 * 60 * 60 * 1000)
    utimesSync(join(maildir, "tmp", "1700000000.M1P99.crashed"), old, old)
    const state = await store.mailbox("alice", "INBOX").sync()
    expect(state.messages).toEqual([])
    expect(readdirSync(join(maildir, "tmp"))).toEqual(["1700000001.M1P99.writing"])
  })
})
