import { existsSync, statSync, utimesSync, writeFileSync } from "node:fs"
import { hostname } from "node:os"
import { join } from "node:path"
import {
  LOCK_TOUCH_INTERVAL_MS,
  MaildirStore,
  POP3_LOCK_FILE,
  pop3UniqueId,
  UIDLIST_FILE,
} from "@mailwire/maildir"
import {
  isMaildropRefusal,
  type Maildrop,
  MaildropResponder,
  Pop3ServerConnection,
} from "@mailwire/pop3"
import { afterEach, describe, expect, it, vi } from "vitest"
import { crash, readLines, startFixture } from "./child-bundle.js"
import { collect, show, tempDir, tempStore, text } from "./temp-store.js"

const CRLF_MESSAGE = "Subject: one\r\n\r\n.dot line\r\nend\r\n"
const LF_MESSAGE = "Subject: two\n\nbare lf\n"

async function opened(store: MaildirStore, user = "alice"): Promise<Maildrop> {
  const maildrop = await store.open(user)
  if (isMaildropRefusal(maildrop)) throw new Error(`refused: ${maildrop.code}`)
  return maildrop
}

const children: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const stop of children.splice(0)) await stop()
})

describe("the POP3 maildrop backend", () => {
  it("lists messages with unique-ids and CRLF sizes, and reads them as RETR sends them", async () => {
    const store = tempStore()
    await store.deliver("alice", text(CRLF_MESSAGE))
    await store.deliver("alice", text(LF_MESSAGE))
    const maildrop = await opened(store)
    const state = await store.mailbox("alice", "INBOX").sync()
    const listing = await maildrop.list()
    expect(listing).toEqual([
      { uid: pop3UniqueId(1, state.uidValidity), size: CRLF_MESSAGE.length },
      { uid: pop3UniqueId(2, state.uidValidity), size: LF_MESSAGE.length + 3 },
    ])
    expect(listing[0]!.uid).toMatch(/^00000001[0-9A-F]{8}$/)
    expect(show(await collect(maildrop.read(listing[0]!.uid)))).toBe(CRLF_MESSAGE)
    expect(show(await collect(maildrop.read(listing[1]!.uid)))).toBe(
      "Subject: two\r\n\r\nbare lf\r\n",
    )
    await expect(collect(maildrop.read("nope"))).rejects.toThrow()
    await maildrop.close()
  })

  it("deletes only when asked, and keeps unique-ids across sessions", async () => {
    const store = tempStore()
    for (const n of [1, 2, 3]) await store.deliver("alice", text(`Subject: ${n}\r\n\r\n`))
    const first = await opened(store)
    const ids = (await first.list()).map((m) => m.uid)
    await first.close()
    const second = await opened(store)
    expect((await second.list()).map((m) => m.uid)).toEqual(ids)
    await second.delete([ids[1]!, "0000000900000009"])
    await second.close()
    const third = await opened(store)
    expect((await third.list()).map((m) => m.uid)).toEqual([ids[0], ids[2]])
    await third.close()
  })

  it("deletes nothing when the UID list was rebuilt under a new UIDVALIDITY during the session", async () => {
    const store = tempStore()
    await store.deliver("alice", text(CRLF_MESSAGE))
    const maildrop = await opened(store)
    const [only] = await maildrop.list()
    const inbox = store.mailbox("alice", "INBOX")
    writeFileSync(join(inbox.path, UIDLIST_FILE), "mailwire-uidlist 1 V7 N1 M1\n")
    await expect(maildrop.delete([only!.uid])).rejects.toMatchObject({
      code: "UIDVALIDITY_CHANGED",
    })
    expect((await inbox.sync()).messages).toHaveLength(1)
    await maildrop.close()
  })

  it("gives a second session IN-USE until the first closes", async () => {
    const root = tempDir()
    const one = new MaildirStore({ root })
    const two = new MaildirStore({ root })
    const first = await opened(one)
    expect(await two.open("alice")).toEqual({ code: "IN-USE", text: expect.any(String) })
    expect(await one.open("alice")).toMatchObject({ code: "IN-USE" })
    expect(await two.open("bob")).not.toHaveProperty("code")
    await first.close()
    await first.close()
    const again = await opened(two)
    await again.close()
  })

  it("takes over a lock left by a process that is gone, or untouched past the stale age", async () => {
    const store = tempStore({ staleLockMs: 60_000 })
    const lockPath = join(await store.createUser("alice"), POP3_LOCK_FILE)
    writeFileSync(lockPath, `${2 ** 22 + 7} ${hostname()}\n`)
    const taken = await opened(store)
    await taken.close()
    expect(existsSync(lockPath)).toBe(false)

    writeFileSync(lockPath, "1 another-host\n")
    expect(await store.open("alice")).toMatchObject({ code: "IN-USE" })
    const old = new Date(Date.now() - 120_000)
    utimesSync(lockPath, old, old)
    const retaken = await opened(store)
    await retaken.close()
  })

  it("refreshes its lock while the session uses the store, so it never looks stale", async () => {
    const store = tempStore()
    await store.deliver("alice", text(CRLF_MESSAGE))
    const maildrop = await opened(store)
    const lockPath = join(store.userPath("alice"), POP3_LOCK_FILE)
    const listed = await maildrop.list()
    vi.useFakeTimers({ toFake: ["Date"] })
    try {
      for (const use of [
        () => maildrop.list(),
        async () => collect(maildrop.read(listed[0]!.uid)),
        () => maildrop.delete([]),
      ]) {
        vi.setSystemTime(Date.now() + LOCK_TOUCH_INTERVAL_MS)
        const old = new Date(Date.now() - 3_600_000)
        utimesSync(lockPath, old, old)
        await use()
        expect(Date.now() - statSync(lockPath).mtimeMs).toBeLessThan(60_000)
      }
    } finally {
      vi.useRealTimers()
    }
    await maildrop.close()
  })

  it("reads a message whole and as stored whatever CRLF size it is told to expect", async () => {
    const store = tempStore()
    await store.deliver("alice", text(CRLF_MESSAGE))
    await store.deliver("alice", text(LF_MESSAGE))
    const mailbox = store.mailbox("alice", "INBOX")
    const { messages } = await mailbox.sync()
    for (const [message, stored] of [
      [messages[0]!, CRLF_MESSAGE],
      [messages[1]!, LF_MESSAGE],
    ] as const) {
      for (const hint of [undefined, 0, 1, message.vsize - 1, message.vsize, message.vsize + 7]) {
        expect(show(await collect(mailbox.read(message.uid, hint)))).toBe(stored)
      }
    }
  })

  it("touches its lock at most once per LOCK_TOUCH_INTERVAL_MS, well inside the stale age", async () => {
    const store = tempStore()
    await store.deliver("alice", text(CRLF_MESSAGE))
    const maildrop = await opened(store)
    const lockPath = join(store.userPath("alice"), POP3_LOCK_FILE)
    const listed = await maildrop.list()
    const old = new Date(Math.floor(Date.now() / 1_000) * 1_000 - 1_000)
    utimesSync(lockPath, old, old)
    await collect(maildrop.read(listed[0]!.uid))
    await maildrop.list()
    expect(statSync(lockPath).mtimeMs).toBe(old.getTime())
    expect(LOCK_TOUCH_INTERVAL_MS).toBeLessThan(30 * 60 * 1000)
    await maildrop.close()
  })

  it("holds the lock across processes, and frees it when the holder is killed", async () => {
    const root = tempDir()
    const store = new MaildirStore({ root })
    await store.deliver("alice", text(CRLF_MESSAGE))
    const child = await startFixture("hold-maildrop.mjs", [root, "alice"])
    children.push(() => crash(child))
    let said = ""
    await readLines(child, (line) => {
      said = line
      return true
    })
    expect(said).toBe("locked 1")
    expect(await store.open("alice")).toMatchObject({ code: "IN-USE" })
    await crash(child)
    const maildrop = await opened(store)
    expect(await maildrop.list()).toHaveLength(1)
    await maildrop.close()
  })
})

describe("a POP3 session over the Maildir", () => {
  it("logs in, lists, retrieves dot-stuffed, deletes at QUIT, and unlocks", async () => {
    const store = tempStore()
    await store.deliver("alice", text(CRLF_MESSAGE))
    await store.deliver("alice", text(LF_MESSAGE))
    const conn = new Pop3ServerConnection({ allowPlaintextAuth: true })
    const responder = new MaildropResponder(conn, {
      store,
      verify: (request) => request.kind === "password" && request.password === "secret",
    })
    const said = [show(conn.takeOutput())]
    const send = async (line: string) => {
      await responder.handle(conn.receive(text(`${line}\r\n`)))
      said.push(show(conn.takeOutput()))
      return said.at(-1)!
    }
    await send("USER alice")
    expect(await send("PASS secret")).toMatch(/^\+OK/)
    expect(await store.open("alice")).toMatchObject({ code: "IN-USE" })
    const total = CRLF_MESSAGE.length + LF_MESSAGE.length + 3
    expect(await send("STAT")).toBe(`+OK 2 ${total}\r\n`)
    expect(await send("RETR 1")).toBe(
      `+OK ${CRLF_MESSAGE.length} octets\r\nSubject: one\r\n\r\n..dot line\r\nend\r\n.\r\n`,
    )
    expect(await send("DELE 1")).toMatch(/^\+OK/)
    expect((await store.mailbox("alice", "INBOX").sync()).messages).toHaveLength(2)
    expect(await send("QUIT")).toMatch(/^\+OK/)
    const left = await store.mailbox("alice", "INBOX").sync()
    expect(left.messages.map((m) => m.uid)).toEqual([2])
    const next = await opened(store)
    await next.close()
  })
})
