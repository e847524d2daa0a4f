/**
 * Interop with Dovecot 2.3 on the same Maildir: what we deliver, Dovecot lists and
 * serves byte for byte over IMAP and POP3 (checked with curl), and what Dovecot stores,
 * our scan picks up. Skipped when Dovecot or curl is missing.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { MaildirStore } from "@mailwire/maildir"
import { isMaildropRefusal } from "@mailwire/pop3"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { peersAvailable } from "../../node/test/harness/peers.js"
import { run } from "../../node/test/harness/processes.js"
import { type DovecotOnMaildir, startDovecotOnMaildir } from "./harness/dovecot-on-maildir.js"
import { collect, show, tempDir, text } from "./temp-store.js"

const enabled = peersAvailable("maildir-dovecot", "dovecot", "curl")

const INBOX_MESSAGES = [
  "From: a@example.test\r\nSubject: first\r\n\r\nHello\r\n.leading dot\r\n",
  `From: b@example.test\r\nSubject: second\r\n\r\n${"long line ".repeat(500)}\r\n`,
]
const SEEN_MESSAGE = "From: c@example.test\r\nSubject: seen\r\n\r\nalready read\r\n"
const FOLDER_MESSAGE = "From: list@example.test\r\nSubject: list mail\r\n\r\nin a folder\r\n"
const APPENDED = "From: d@example.test\r\nSubject: appended by Dovecot\r\n\r\nvia IMAP APPEND\r\n"

async function curl(url: string, ...args: string[]): Promise<string> {
  const result = await run("curl", [
    "--silent",
    "--show-error",
    "--user",
    "alice:secret",
    ...args,
    url,
  ])
  if (result.code !== 0) throw new Error(`curl ${url} failed: ${result.stderr}`)
  return result.stdout
}

describe.runIf(enabled)("Dovecot on the same Maildir", () => {
  let root: string
  let dovecot: DovecotOnMaildir
  let imap: string
  let pop3: string

  beforeAll(async () => {
    // Not tempDir(): that one is removed after each test, and this root lives for the suite.
    root = mkdtempSync(join(tmpdir(), "mailwire-maildir-dovecot-root-"))
    const store = new MaildirStore({ root })
    for (const message of INBOX_MESSAGES) await store.deliver("alice", text(message))
    await store.deliver("alice", text(SEEN_MESSAGE), { flags: "S" })
    await store.createMailbox("alice", "Lists/mailwire")
    await store.createMailbox("alice", "Entwürfe")
    await store.deliver("alice", text(FOLDER_MESSAGE), { mailbox: "Lists/mailwire" })
    dovecot = await startDovecotOnMaildir(root, { alice: "secret" })
    imap = `imap://127.0.0.1:${dovecot.ports.imap}`
    pop3 = `pop3://127.0.0.1:${dovecot.ports.pop3}`
  }, 60_000)

  afterAll(async () => {
    await dovecot?.stop()
    rmSync(root, { recursive: true, force: true })
  })

  it("serves every message we delivered byte for byte over IMAP, in our UID order", async () => {
    const ours = await new MaildirStore({ root }).mailbox("alice", "INBOX").sync()
    const expected = [...INBOX_MESSAGES, SEEN_MESSAGE]
    expect(ours.messages.map((m) => m.uid)).toEqual([1, 2, 3])
    for (const [i, message] of expected.entries()) {
      expect(await curl(`${imap}/INBOX;UID=${i + 1}`)).toBe(message)
    }
    expect(await curl(`${imap}/Lists/mailwire;UID=1`)).toBe(FOLDER_MESSAGE)
  })

  it("reports our sizes and flags", async () => {
    const ours = await new MaildirStore({ root }).mailbox("alice", "INBOX").sync()
    const fetched = await curl(`${imap}/INBOX`, "--request", "UID FETCH 1:* (FLAGS RFC822.SIZE)")
    const lines = fetched.trim().split("\r\n")
    expect(lines).toHaveLength(3)
    for (const [i, message] of ours.messages.entries()) {
      expect(lines[i]).toContain(`RFC822.SIZE ${message.vsize}`)
      expect(lines[i]!.includes("\\Seen")).toBe(message.flags.includes("S"))
    }
  })

  it("lists our folders under the names we gave them", async () => {
    const listed = await curl(`${imap}/`)
    expect(listed).toContain('"/" INBOX')
    expect(listed).toContain('"/" Lists/mailwire')
    expect(listed).toMatch(/"\/" "?Entw&APw-rfe"?\r\n/)
  })

  it("serves our messages over POP3 with the sizes our maildrop reports", async () => {
    const store = new MaildirStore({ root })
    const maildrop = await store.open("alice")
    if (isMaildropRefusal(maildrop)) throw new Error(maildrop.text)
    const ourList = await maildrop.list()
    await maildrop.close()
    const theirList = await curl(`${pop3}/`)
    expect(theirList).toBe(ourList.map((m, i) => `${i + 1} ${m.size}\r\n`).join(""))
    expect(await curl(`${pop3}/1`)).toBe(INBOX_MESSAGES[0])
    expect(await curl(`${pop3}/3`)).toBe(SEEN_MESSAGE)
  })

  it("picks up a message Dovecot stored, and keeps our UIDs after Dovecot moved files to cur/", async () => {
    const file = join(tempDir(), "appended.eml")
    writeFileSync(file, APPENDED)
    await curl(`${imap}/INBOX`, "--upload-file", file)
    const store = new MaildirStore({ root })
    const state = await store.mailbox("alice", "INBOX").sync()
    expect(state.messages.map((m) => m.uid)).toEqual([1, 2, 3, 4])
    expect(state.messages.every((m) => !m.isNew)).toBe(true)
    const maildrop = await store.open("alice")
    if (isMaildropRefusal(maildrop)) throw new Error(maildrop.text)
    const listing = await maildrop.list()
    expect(show(await collect(maildrop.read(listing[3]!.uid)))).toBe(APPENDED)
    expect(show(await collect(maildrop.read(listing[0]!.uid)))).toBe(INBOX_MESSAGES[0])
    expect(listing[3]!.size).toBe(APPENDED.length)
    await maildrop.close()
  })
})
