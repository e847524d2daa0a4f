import {
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs"
import { hostname } from "node:os"
import { join } from "node:path"
import {
  formatUidList,
  MAX_KEPT_SCANS,
  type MaildirStore,
  parseUidList,
  pop3UniqueId,
  SETTLED_MTIME_MS,
  UIDLIST_FILE,
} from "@mailwire/maildir"
import { isMaildropRefusal } from "@mailwire/pop3"
import { describe, expect, it } from "vitest"
import { tempStore, text } from "./temp-store.js"

/** The unique-ids a POP3 login of `user` lists now. */
async function listedIds(store: MaildirStore, user = "alice"): Promise<string[]> {
  const maildrop = await store.open(user)
  if (isMaildropRefusal(maildrop)) throw new Error(`refused: ${maildrop.code}`)
  try {
    return (await maildrop.list()).map((listed) => listed.uid)
  } finally {
    await maildrop.close()
  }
}

/** Sets the times of `new/`, `cur/` and the UID list to `seconds` (whole, so they read back exactly). */
function setStampTimes(store: MaildirStore, seconds: number, user = "alice"): void {
  const path = store.userPath(user)
  for (const name of ["new", "cur", UIDLIST_FILE]) utimesSync(join(path, name), seconds, seconds)
}

/** A whole second well before now: stamps this old are settled. */
const settledSeconds = () => Math.floor((Date.now() - 10 * SETTLED_MTIME_MS) / 1000)

/** How long a full scan waits for the UID list's lock here: short, the tests hold it. */
const LOCK_TIMEOUT_MS = 50

/** A store whose alice has two messages, with a scan kept by a login on settled stamps. */
async function storeWithKeptScan(
  options: { keptScanMessages?: number; staleTmpMs?: number } = {},
): Promise<{ store: MaildirStore; ids: string[]; at: number }> {
  const store = tempStore({ lockTimeoutMs: LOCK_TIMEOUT_MS, ...options })
  await store.deliver("alice", text("Subject: 1\r\n\r\none\r\n"))
  await store.deliver("alice", text("Subject: 2\r\n\r\ntwo\r\n"))
  await listedIds(store)
  const at = settledSeconds()
  setStampTimes(store, at)
  const ids = await listedIds(store)
  expect(ids).toHaveLength(2)
  return { store, ids, at }
}

/** Delivers one message to `user` and logs in twice, so that `user` too has a kept scan. */
async function keepScanOf(store: MaildirStore, at: number, user: string): Promise<void> {
  await store.deliver(user, text("Subject: 1\r\n\r\none\r\n"))
  await listedIds(store, user)
  setStampTimes(store, at, user)
  await listedIds(store, user)
}

/**
 * Holds alice's UID list lock as a live process would, so a full scan cannot run (the
 * login gets `SYS/TEMP` once `LOCK_TIMEOUT_MS` passes) while a kept scan needs no lock.
 * Returns the function that lets it go.
 */
function holdUidListLock(store: MaildirStore, user = "alice"): () => void {
  const lockPath = join(store.userPath(user), `${UIDLIST_FILE}.lock`)
  writeFileSync(lockPath, `${process.pid} ${hostname()}\n`)
  return () => unlinkSync(lockPath)
}

describe("the inbox scan a POP3 login keeps for the next", () => {
  it("is used while new/, cur/ and the UID list show no change, without the UID list's lock", async () => {
    const { store, ids, at } = await storeWithKeptScan()
    const release = holdUidListLock(store)
    expect(await listedIds(store)).toEqual(ids)
    // A changed stamp sends the login to the full scan, which needs the lock.
    utimesSync(join(store.userPath("alice"), "cur"), at + 1, at + 1)
    await expect(listedIds(store)).rejects.toThrow("refused: SYS/TEMP")
    release()
    expect(await listedIds(store)).toEqual(ids)
  })

  it("shows a message delivered between two logins", async () => {
    const { store, ids } = await storeWithKeptScan()
    await store.deliver("alice", text("Subject: 3\r\n\r\nthree\r\n"))
    const now = await listedIds(store)
    expect(now.slice(0, 2)).toEqual(ids)
    expect(now).toHaveLength(3)
  })

  it("drops a message removed or moved by other software between two logins", async () => {
    const { store, ids } = await storeWithKeptScan()
    const path = store.userPath("alice")
    const [first, second] = readdirSync(join(path, "new")).sort()
    unlinkSync(join(path, "new", first!))
    expect(await listedIds(store)).toEqual([ids[1]])
    // A mail reader that has seen it moves it to cur/ with a flag: same unique-id.
    renameSync(join(path, "new", second!), join(path, "cur", `${second!}:2,S`))
    expect(await listedIds(store)).toEqual([ids[1]])
  })

  it("leaves a stale tmp/ file to the next full scan", async () => {
    const { store, at } = await storeWithKeptScan({ staleTmpMs: 0 })
    const path = store.userPath("alice")
    const leftover = join(path, "tmp", "crashed.delivery")
    writeFileSync(leftover, "partial")
    utimesSync(leftover, at, at)
    // Writing into tmp/ changes no stamp: the kept scan is used and removes nothing.
    await listedIds(store)
    expect(readdirSync(join(path, "tmp"))).toEqual(["crashed.delivery"])
    utimesSync(join(path, "cur"), at + 1, at + 1)
    await listedIds(store)
    expect(readdirSync(join(path, "tmp"))).toEqual([])
  })

  it("follows a UID list rewritten by another process while the directories stay as they were", async () => {
    const { store, at } = await storeWithKeptScan()
    const file = join(store.userPath("alice"), UIDLIST_FILE)
    const list = parseUidList(readFileSync(file, "utf8"))!
    // Written aside and renamed into place, as every writer of the list does; the same
    // length and the old times, so only the new file's inode tells.
    writeFileSync(`${file}.new`, formatUidList({ ...list, uidValidity: list.uidValidity + 1 }))
    renameSync(`${file}.new`, file)
    setStampTimes(store, at)
    const validity = list.uidValidity + 1
    expect(await listedIds(store)).toEqual([pop3UniqueId(1, validity), pop3UniqueId(2, validity)])
  })

  it("is not kept when a stamp changed too recently to be told from a change after it", async () => {
    const store = tempStore({ lockTimeoutMs: LOCK_TIMEOUT_MS })
    await store.deliver("alice", text("Subject: 1\r\n\r\none\r\n"))
    await listedIds(store)
    // Times in the same second as the login (or later) are not settled.
    const recent = Math.ceil(Date.now() / 1000)
    setStampTimes(store, recent)
    expect(await listedIds(store)).toHaveLength(1)
    setStampTimes(store, recent)
    const release = holdUidListLock(store)
    await expect(listedIds(store)).rejects.toThrow("refused: SYS/TEMP")
    release()
  })

  it("is kept for the last MAX_KEPT_SCANS users only", async () => {
    const { store, at } = await storeWithKeptScan()
    for (let n = 0; n < MAX_KEPT_SCANS; n++) await keepScanOf(store, at, `user${n}`)
    const release = holdUidListLock(store)
    await expect(listedIds(store)).rejects.toThrow("refused: SYS/TEMP")
    release()
    const lastRelease = holdUidListLock(store, `user${MAX_KEPT_SCANS - 1}`)
    expect(await listedIds(store, `user${MAX_KEPT_SCANS - 1}`)).toHaveLength(1)
    lastRelease()
  })

  it("sees a user's Maildir removed and made again", async () => {
    const { store } = await storeWithKeptScan()
    await store.deleteUser("alice")
    expect(await listedIds(store)).toEqual([])
  })

  it("keeps at most keptScanMessages messages in all, the least recently used scan going first", async () => {
    // alice's two messages fill the budget of three with bob's one; carol's one pushes
    // alice's scan (the least recently used) out, and bob's stays.
    const { store, at } = await storeWithKeptScan({ keptScanMessages: 3 })
    for (const user of ["bob", "carol"]) await keepScanOf(store, at, user)
    const releaseAlice = holdUidListLock(store)
    await expect(listedIds(store)).rejects.toThrow("refused: SYS/TEMP")
    releaseAlice()
    const releaseCarol = holdUidListLock(store, "carol")
    expect(await listedIds(store, "carol")).toHaveLength(1)
    releaseCarol()
  })

  it("never keeps a scan larger than the whole budget, and keeps none with keptScanMessages: 0", async () => {
    for (const keptScanMessages of [1, 0]) {
      const { store } = await storeWithKeptScan({ keptScanMessages })
      const release = holdUidListLock(store)
      await expect(listedIds(store)).rejects.toThrow("refused: SYS/TEMP")
      release()
    }
  })
})
