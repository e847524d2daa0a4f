/**
 * Small messages are read with blocking calls (`syncReadMaxBytes`, default
 * `DEFAULT_SYNC_READ_MAX_BYTES`), larger ones and every unusual case through the thread
 * pool. Which path a read took is seen through a spy on `openSync`; what a read yields
 * or throws must not depend on the path.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import { mkdirSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import {
  DEFAULT_SYNC_READ_MAX_BYTES,
  LOCK_TOUCH_INTERVAL_MS,
  type MaildirStore,
  POP3_LOCK_FILE,
} from "@mailwire/maildir"
import { isMaildropRefusal } from "@mailwire/pop3"
import { beforeEach, describe, expect, it, vi } from "vitest"
import { collect, show, tempStore, text } from "./temp-store.js"

vi.mock("node:fs", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs")>()
  return { ...actual, openSync: vi.fn(actual.openSync) }
})

const openSync = vi.mocked(fs.openSync)
beforeEach(() => {
  openSync.mockClear()
})

/** The paths `openSync` was asked to open. */
const openedNow = () => openSync.mock.calls.map(([path]) => String(path))

const body = (octets: number) => `Subject: x\r\n\r\n${"y".repeat(octets - 16)}\r\n`

/** Delivers `message` to alice and returns the inbox with it scanned, and its file. */
async function stored(store: MaildirStore, message: string) {
  const delivered = await store.deliver("alice", text(message))
  const inbox = store.mailbox("alice", "INBOX")
  const [scanned] = (await inbox.sync()).messages
  return { inbox, message: scanned!, path: delivered.path }
}

describe("reading small messages with blocking calls", () => {
  it("reads a message up to the limit with openSync, by default 64 KiB", async () => {
    expect(DEFAULT_SYNC_READ_MAX_BYTES).toBe(64 * 1024)
    const store = tempStore()
    const wanted = body(DEFAULT_SYNC_READ_MAX_BYTES)
    const { inbox, message, path } = await stored(store, wanted)
    expect(message.vsize).toBe(DEFAULT_SYNC_READ_MAX_BYTES)
    expect(show(await collect(inbox.read(message.uid, message.vsize)))).toBe(wanted)
    expect(openedNow()).toEqual([path])
  })

  it("reads a message over the limit, or without a size, through the thread pool", async () => {
    const store = tempStore({ syncReadMaxBytes: 99 })
    const atLimit = await stored(store, body(99))
    const over = await stored(store, body(100))
    const overMessage = (await over.inbox.sync()).messages[1]!
    expect(show(await collect(over.inbox.read(overMessage.uid, overMessage.vsize)))).toBe(body(100))
    expect(show(await collect(atLimit.inbox.read(atLimit.message.uid)))).toBe(body(99))
    expect(openedNow()).toEqual([])
    expect(show(await collect(atLimit.inbox.read(atLimit.message.uid, 99)))).toBe(body(99))
    expect(openedNow()).toEqual([atLimit.path])
  })

  it("never reads with blocking calls when syncReadMaxBytes is 0", async () => {
    const store = tempStore({ syncReadMaxBytes: 0 })
    const { inbox, message } = await stored(store, body(40))
    expect(show(await collect(inbox.read(message.uid, message.vsize)))).toBe(body(40))
    const maildrop = await store.open("alice")
    if (isMaildropRefusal(maildrop)) throw new Error(maildrop.code)
    const [listed] = await maildrop.list()
    expect(show(await collect(maildrop.read(listed!.uid)))).toBe(body(40))
    await maildrop.close()
    expect(openedNow()).toEqual([])
  })

  it("serves POP3 RETR through the blocking path, with bare LFs made CRLF", async () => {
    const store = tempStore()
    const { path } = await stored(store, "Subject: lf\n\nbare\n")
    const maildrop = await store.open("alice")
    if (isMaildropRefusal(maildrop)) throw new Error(maildrop.code)
    const [listed] = await maildrop.list()
    expect(show(await collect(maildrop.read(listed!.uid)))).toBe("Subject: lf\r\n\r\nbare\r\n")
    await maildrop.close()
    expect(openedNow()).toEqual([path])
  })
})

describe("both paths end the same way, also when the file changed", () => {
  for (const limit of [0, DEFAULT_SYNC_READ_MAX_BYTES]) {
    const path = limit === 0 ? "thread pool only" : "blocking first"
    it(`follows a file another program moved since the scan (${path})`, async () => {
      const store = tempStore({ syncReadMaxBytes: limit })
      const { inbox, message, path: file } = await stored(store, body(50))
      renameSync(file, `${file.replace("/new/", "/cur/")}:2,S`)
      expect(show(await collect(inbox.read(message.uid, message.vsize)))).toBe(body(50))
    })

    it(`reads a message with bare LFs as stored, and with CRLF from readCrlf (${path})`, async () => {
      const store = tempStore({ syncReadMaxBytes: limit })
      const { inbox, message } = await stored(store, "Subject: lf\n\nbare\r\nlines\n")
      expect(message.vsize).toBe(28)
      expect(show(await collect(inbox.read(message.uid, message.vsize)))).toBe(
        "Subject: lf\n\nbare\r\nlines\n",
      )
      expect(show(await collect(inbox.readCrlf(message.uid, message.vsize)))).toBe(
        "Subject: lf\r\n\r\nbare\r\nlines\r\n",
      )
      expect(show(await collect(inbox.readCrlf(message.uid)))).toBe(
        "Subject: lf\r\n\r\nbare\r\nlines\r\n",
      )
    })

    it(`says NO_MESSAGE for a file that vanished since the scan (${path})`, async () => {
      const store = tempStore({ syncReadMaxBytes: limit })
      const { inbox, message, path: file } = await stored(store, body(50))
      unlinkSync(file)
      await expect(collect(inbox.read(message.uid, message.vsize))).rejects.toMatchObject({
        code: "NO_MESSAGE",
      })
    })

    it(`fails with the system's error for a file that cannot be read (${path})`, async () => {
      const store = tempStore({ syncReadMaxBytes: limit })
      const { inbox, message, path: file } = await stored(store, body(50))
      unlinkSync(file)
      mkdirSync(file)
      await expect(collect(inbox.read(message.uid, message.vsize))).rejects.toMatchObject({
        code: "EISDIR",
      })
    })

    it(`reads a file that changed since the scan as it is now (${path})`, async () => {
      const store = tempStore({ syncReadMaxBytes: limit })
      const { inbox, message, path: file } = await stored(store, body(50))
      writeFileSync(file, body(70))
      expect(show(await collect(inbox.read(message.uid, message.vsize)))).toBe(body(70))
      writeFileSync(file, "short\n")
      expect(show(await collect(inbox.read(message.uid, message.vsize)))).toBe("short\n")
      writeFileSync(file, "")
      expect(await collect(inbox.read(message.uid, message.vsize))).toHaveLength(0)
    })
  }

  it("does not wait on a FIFO planted in place of a message: it leaves it to read", async () => {
    const store = tempStore()
    const { inbox, message, path: file } = await stored(store, body(50))
    unlinkSync(file)
    execFileSync("mkfifo", [file])
    expect(inbox.readCrlfNow(message.uid, message.vsize)).toBeNull()
  })

  it("opens with blocking calls only once per read, even when it then falls back", async () => {
    const store = tempStore()
    const { inbox, message, path: file } = await stored(store, body(50))
    writeFileSync(file, body(70))
    await collect(inbox.read(message.uid, message.vsize))
    expect(openedNow()).toEqual([file])
  })
})

describe("the POP3 maildrop's readNow", () => {
  async function openedWith(store: MaildirStore) {
    const maildrop = await store.open("alice")
    if (isMaildropRefusal(maildrop)) throw new Error(maildrop.code)
    return { maildrop, listed: await maildrop.list() }
  }

  it("hands over a small message at once, with bare LFs made CRLF", async () => {
    const store = tempStore()
    await stored(store, "Subject: lf\n\nbare\n")
    const { maildrop, listed } = await openedWith(store)
    expect(show(maildrop.readNow!(listed[0]!.uid)!)).toBe("Subject: lf\r\n\r\nbare\r\n")
    expect(maildrop.readNow!("0000000100000001")).toBeNull()
    await maildrop.close()
  })

  it("answers null over the limit, with the limit 0, and for a vanished file; read decides", async () => {
    for (const limit of [0, 20]) {
      const store = tempStore({ syncReadMaxBytes: limit })
      await stored(store, body(40))
      const { maildrop, listed } = await openedWith(store)
      expect(maildrop.readNow!(listed[0]!.uid)).toBeNull()
      expect(show(await collect(maildrop.read(listed[0]!.uid)))).toBe(body(40))
      await maildrop.close()
    }
    const store = tempStore()
    const { path } = await stored(store, body(40))
    const { maildrop, listed } = await openedWith(store)
    unlinkSync(path)
    expect(maildrop.readNow!(listed[0]!.uid)).toBeNull()
    await expect(collect(maildrop.read(listed[0]!.uid))).rejects.toMatchObject({
      code: "NO_MESSAGE",
    })
    await maildrop.close()
  })

  it("answers null when the lock is due for a refresh, so that read refreshes it", async () => {
    const store = tempStore()
    await stored(store, body(40))
    const { maildrop, listed } = await openedWith(store)
    const lockPath = join(store.userPath("alice"), POP3_LOCK_FILE)
    vi.useFakeTimers({ toFake: ["Date"] })
    try {
      vi.setSystemTime(Date.now() + LOCK_TOUCH_INTERVAL_MS)
      const old = new Date(Date.now() - 3_600_000)
      utimesSync(lockPath, old, old)
      expect(maildrop.readNow!(listed[0]!.uid)).toBeNull()
      expect(show(await collect(maildrop.read(listed[0]!.uid)))).toBe(body(40))
      expect(Date.now() - statSync(lockPath).mtimeMs).toBeLessThan(60_000)
      expect(show(maildrop.readNow!(listed[0]!.uid)!)).toBe(body(40))
    } finally {
      vi.useRealTimers()
    }
    await maildrop.close()
  })
})
