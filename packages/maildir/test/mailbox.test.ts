import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from "node:fs"
import { join } from "node:path"
import { MaildirStore, UIDLIST_FILE } from "@mailwire/maildir"
import { describe, expect, it } from "vitest"
import { collect, show, tempDir, tempStore, text } from "./temp-store.js"

const message = (n: number) => text(`Subject: message ${n}\r\n\r\nbody ${n}\r\n`)

describe("the UID list", () => {
  it("gives UIDs in delivery order and keeps them, UIDVALIDITY and UIDNEXT across a reopen", async () => {
    const root = tempDir()
    const first = new MaildirStore({ root })
    for (let n = 1; n <= 3; n++) await first.deliver("alice", message(n))
    const before = await first.mailbox("alice", "INBOX").sync()
    expect(before.messages.map((m) => m.uid)).toEqual([1, 2, 3])
    expect(before.uidNext).toBe(4)

    const reopened = new MaildirStore({ root })
    const inbox = reopened.mailbox("alice", "INBOX")
    const after = await inbox.sync()
    expect(after).toEqual(before)
    for (const m of after.messages) {
      expect(show(await collect(inbox.read(m.uid)))).toBe(show(message(m.uid)))
    }
  })

  it("never reuses the UID of an expunged message, even after a reopen", async () => {
    const root = tempDir()
    const store = new MaildirStore({ root })
    await store.deliver("alice", message(1))
    await store.deliver("alice", message(2))
    const state = await store.mailbox("alice", "INBOX").expunge([2])
    expect(state.messages.map((m) => m.uid)).toEqual([1])
    await new MaildirStore({ root }).deliver("alice", message(3))
    const after = await new MaildirStore({ root }).mailbox("alice", "INBOX").sync()
    expect(after.messages.map((m) => m.uid)).toEqual([1, 3])
    expect(after.uidValidity).toBe(state.uidValidity)
  })

  it("gives each change a higher modification sequence, and leaves unchanged messages alone", async () => {
    const store = tempStore()
    const inbox = store.mailbox("alice", "INBOX")
    await store.deliver("alice", message(1))
    await store.deliver("alice", message(2))
    const start = await inbox.sync()
    expect(await inbox.sync()).toEqual(start)
    const flagged = await inbox.setFlags(1, "S")
    expect(flagged.highestModseq).toBe(start.highestModseq + 1)
    expect(flagged.messages[0]).toMatchObject({
      uid: 1,
      flags: "S",
      isNew: false,
      modseq: flagged.highestModseq,
    })
    expect(flagged.messages[1]!.modseq).toBe(start.messages[1]!.modseq)
    expect(readdirSync(join(inbox.path, "cur"))).toEqual([`${flagged.messages[0]!.base}:2,S`])
    const expunged = await inbox.expunge([2])
    expect(expunged.highestModseq).toBe(flagged.highestModseq + 1)
  })

  it("notices flags another program changed by renaming the file", async () => {
    const store = tempStore()
    const inbox = store.mailbox("alice", "INBOX")
    const delivered = await store.deliver("alice", message(1))
    const start = await inbox.sync()
    renameSync(delivered.path, join(inbox.path, "cur", `${delivered.file}:2,RS`))
    const after = await inbox.sync()
    expect(after.messages[0]).toMatchObject({ uid: 1, flags: "RS" })
    expect(after.messages[0]!.modseq).toBeGreaterThan(start.highestModseq)
  })

  it("reads a message another program moved from new/ to cur/ since the last scan", async () => {
    const store = tempStore()
    const inbox = store.mailbox("alice", "INBOX")
    const delivered = await store.deliver("alice", message(1))
    await inbox.sync()
    renameSync(delivered.path, join(inbox.path, "cur", `${delivered.file}:2,S`))
    expect(show(await collect(inbox.read(1)))).toBe(show(message(1)))
    await expect(collect(inbox.read(7))).rejects.toMatchObject({ code: "NO_MESSAGE" })
  })

  it("picks up messages other software dropped into new/ and cur/, measuring their CRLF size", async () => {
    const store = tempStore()
    const maildir = await store.createUser("alice")
    writeFileSync(join(maildir, "new", "1600000002.12345_1.procmail"), "Subject: lf\n\nline\n")
    writeFileSync(
      join(maildir, "cur", "1600000001.Vfd00I12M345.courier:2,S"),
      "Subject: crlf\r\n\r\n",
    )
    writeFileSync(join(maildir, "new", ".hidden-partial"), "not a message")
    const state = await store.mailbox("alice", "INBOX").sync()
    expect(state.messages).toMatchObject([
      { uid: 1, base: "1600000001.Vfd00I12M345.courier", flags: "S", vsize: 17, isNew: false },
      { uid: 2, base: "1600000002.12345_1.procmail", flags: "", vsize: 21, isNew: true },
    ])
  })

  it("notices a message another program deleted", async () => {
    const store = tempStore()
    const inbox = store.mailbox("alice", "INBOX")
    const one = await store.deliver("alice", message(1))
    await store.deliver("alice", message(2))
    const start = await inbox.sync()
    unlinkSync(one.path)
    const after = await inbox.sync()
    expect(after.messages.map((m) => m.uid)).toEqual([2])
    expect(after.highestModseq).toBeGreaterThan(start.highestModseq)
  })

  it("starts a new UID list with a new UIDVALIDITY when the file is damaged", async () => {
    const store = tempStore()
    const inbox = store.mailbox("alice", "INBOX")
    await store.deliver("alice", message(1))
    await inbox.sync()
    writeFileSync(join(inbox.path, UIDLIST_FILE), "garbage\n")
    const after = await inbox.sync()
    expect(after.messages.map((m) => m.uid)).toEqual([1])
    expect(readFileSync(join(inbox.path, UIDLIST_FILE), "utf8")).toMatch(
      /^mailwire-uidlist 1 V\d+ N2 M\d+\n1 /,
    )
  })

  it("appends with flags and reports the UID it got, as UIDPLUS needs", async () => {
    const store = tempStore()
    await store.createUser("alice")
    const inbox = store.mailbox("alice", "INBOX")
    await store.deliver("alice", message(1))
    const appended = await inbox.append(message(2), "S")
    const state = await inbox.sync()
    expect(appended).toMatchObject({ uid: 2, uidValidity: state.uidValidity })
    expect(state.messages[1]).toMatchObject({ uid: 2, flags: "S", isNew: false })
  })

  it("refuses to scan a mailbox that does not exist", async () => {
    const store = tempStore()
    await expect(store.mailbox("alice", "Nope").sync()).rejects.toMatchObject({
      code: "NO_MAILBOX",
    })
  })
})

describe("mailboxes and subscriptions", () => {
  it("creates, lists and deletes Maildir++ folders", async () => {
    const store = tempStore()
    expect(await store.listMailboxes("alice")).toEqual([])
    await store.createMailbox("alice", "Sent")
    await store.createMailbox("alice", "Entw&APw-rfe", "mutf7")
    await store.createMailbox("alice", "Lists/mailwire")
    await expect(store.createMailbox("alice", "Sent")).rejects.toMatchObject({
      code: "MAILBOX_EXISTS",
    })
    const maildir = store.userPath("alice")
    expect(readdirSync(maildir).sort()).toEqual(
      [".Entw&APw-rfe", ".Lists.mailwire", ".Sent", "cur", "new", "tmp"].sort(),
    )
    expect(readdirSync(join(maildir, ".Sent")).sort()).toEqual([
      "cur",
      "maildirfolder",
      "new",
      "tmp",
    ])
    expect(await store.listMailboxes("alice")).toEqual([
      "INBOX",
      "Entwürfe",
      "Lists/mailwire",
      "Sent",
    ])
    await store.deliver("alice", message(1), { mailbox: "Sent" })
    await store.deleteMailbox("alice", "Sent")
    expect(await store.listMailboxes("alice")).toEqual(["INBOX", "Entwürfe", "Lists/mailwire"])
    await expect(store.deleteMailbox("alice", "Sent")).rejects.toMatchObject({ code: "NO_MAILBOX" })
    await expect(store.deleteMailbox("alice", "INBOX")).rejects.toMatchObject({
      code: "INVALID_NAME",
    })
  })

  it("skips folders on disk whose names it would not have made", async () => {
    const store = tempStore()
    const maildir = await store.createUser("alice")
    for (const folder of [".&AC8-etc", ".a..b", ".x&"]) {
      for (const sub of ["cur", "new", "tmp"])
        mkdirSync(join(maildir, folder, sub), { recursive: true })
    }
    expect(await store.listMailboxes("alice")).toEqual(["INBOX"])
  })

  it("keeps subscriptions across stores, including for mailboxes that do not exist", async () => {
    const root = tempDir()
    const store = new MaildirStore({ root })
    await store.subscribe("alice", "Sent")
    await store.subscribe("alice", "Entw&APw-rfe", "mutf7")
    await Promise.all([store.subscribe("alice", "A"), store.subscribe("alice", "B")])
    await store.subscribe("alice", "Sent")
    await store.unsubscribe("alice", "A")
    expect(await new MaildirStore({ root }).subscriptions("alice")).toEqual([
      "B",
      "Entwürfe",
      "Sent",
    ])
    await expect(store.subscribe("alice", "../x")).rejects.toMatchObject({ code: "INVALID_NAME" })
  })
})

describe("options", () => {
  it.each([
    [{}, "root"],
    [{ root: "" }, "root"],
    [{ root: "/x", staleTmpMs: -1 }, "staleTmpMs"],
    [{ root: "/x", lockTimeoutMs: "10" }, "lockTimeoutMs"],
    [{ root: "/x", syncReadMaxBytes: -1 }, "syncReadMaxBytes"],
    [{ root: "/x", syncReadMaxBytes: 1.5 }, "syncReadMaxBytes"],
    [{ root: "/x", colour: "red" }, "options"],
  ])("refuses %j with a message naming %s", (options, field) => {
    expect(() => new MaildirStore(options as never)).toThrow(
      expect.objectContaining({ code: "INVALID_OPTIONS", message: expect.stringContaining(field) }),
    )
  })
})

describe("users", () => {
  it("deletes a user's Maildir whole, and shrugs at a user who is not there", async () => {
    const store = tempStore()
    await store.deliver("alice", message(1))
    await store.createMailbox("alice", "Sent")
    await store.deliver("bob", message(2))
    await store.deleteUser("alice")
    await store.deleteUser("carol")
    expect(readdirSync(store.root)).toEqual(["bob"])
    expect(await store.listMailboxes("alice")).toEqual([])
    await expect(store.deleteUser("..")).rejects.toMatchObject({ code: "INVALID_NAME" })
  })
})

describe("renaming mailboxes", () => {
  it("moves a folder and its children, keeping UIDs and UIDVALIDITY", async () => {
    const store = tempStore()
    await store.createMailbox("alice", "Lists")
    await store.createMailbox("alice", "Lists/a")
    await store.createMailbox("alice", "Listsandmore")
    await store.deliver("alice", message(1), { mailbox: "Lists/a" })
    await store.deliver("alice", message(2), { mailbox: "Lists/a" })
    const before = await store.mailbox("alice", "Lists/a").sync()
    await store.renameMailbox("alice", "Lists", "Archive/Lists")
    expect(await store.listMailboxes("alice")).toEqual([
      "INBOX",
      "Archive/Lists",
      "Archive/Lists/a",
      "Listsandmore",
    ])
    const after = await store.mailbox("alice", "Archive/Lists/a").sync()
    expect(after.uidValidity).toBe(before.uidValidity)
    expect(after.messages.map((m) => [m.uid, m.base])).toEqual(
      before.messages.map((m) => [m.uid, m.base]),
    )
  })

  it.each([
    ["Nope", "Other", "NO_MAILBOX"],
    ["Lists", "Sent", "MAILBOX_EXISTS"],
    ["Lists", "Lists/inner", "INVALID_NAME"],
    ["INBOX", "Old", "INVALID_NAME"],
    ["Lists", "../x", "INVALID_NAME"],
  ])("refuses to rename %j to %j (%s)", async (from, to, code) => {
    const store = tempStore()
    await store.createMailbox("alice", "Lists")
    await store.createMailbox("alice", "Sent")
    await expect(store.renameMailbox("alice", from, to)).rejects.toMatchObject({ code })
    expect(await store.listMailboxes("alice")).toEqual(["INBOX", "Lists", "Sent"])
  })
})
