/**
 * `MaildirMailbox.readCrlfNowChecked` and the maildrop's `readNowChecked`: the bytes are
 * `readCrlfNow`'s, and `isClean` is true exactly when `DotEncoder` would hand those bytes
 * back unchanged (no bare CR or LF, no line beginning with `.`), since POP3 then skips
 * the dot-stuffing scan on the store's word.
 */
import { isMaildropRefusal } from "@mailwire/pop3"
import { DotEncoder } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { show, tempStore, text } from "./temp-store.js"

const CR = 0x0d
const LF = 0x0a
const DOT = 0x2e

/** Whether dot-stuffing leaves `crlf` as it is: the encoder's own answer. */
function needsNoStuffing(crlf: Uint8Array): boolean {
  const out = new DotEncoder().encode(crlf)
  return out.length === crlf.length && out.every((byte, i) => byte === crlf[i])
}

/** `message` with every bare LF made CRLF, as RETR sends it. */
const withCrlf = (message: string): string => message.replace(/(?<!\r)\n/g, "\r\n")

/** Delivers each message to alice and returns the inbox and its scanned messages. */
async function storedAll(messages: readonly Uint8Array[]) {
  const store = tempStore()
  for (const message of messages) await store.deliver("alice", message)
  const inbox = store.mailbox("alice", "INBOX")
  return { store, inbox, scanned: (await inbox.sync()).messages }
}

const mailish = fc
  .array(fc.constantFrom(CR, LF, 0x41, 0x20, DOT), { maxLength: 120 })
  .map((bytes) => Uint8Array.from(bytes))

describe("reading a message with its lines checked", () => {
  it("says clean exactly when the CRLF bytes need no dot-stuffing, for any bytes", async () => {
    const messages = fc.sample(fc.oneof(mailish, fc.uint8Array({ maxLength: 120 })), 150)
    const { inbox, scanned } = await storedAll(messages)
    expect(scanned).toHaveLength(messages.length)
    for (const message of scanned) {
      const checked = inbox.readCrlfNowChecked(message.uid, message.vsize)!
      expect(checked.bytes).toEqual(inbox.readCrlfNow(message.uid, message.vsize))
      expect(checked.isClean).toBe(needsNoStuffing(checked.bytes))
    }
  })

  it("finds a dot at the start, after CRLF, after a bare LF, and a bare CR anywhere", async () => {
    const cases: Array<[string, boolean]> = [
      ["", true],
      ["a\r\nb\r\n", true],
      ["a\nb\n", true],
      ["a\r\nno final line end", true],
      ["x.y\r\n", true],
      [".leading\r\n", false],
      ["a\r\n.dot\r\n", false],
      ["a\n.dot\n", false],
      ["a\r\n.", false],
      ["a\rb\r\n", false],
      ["a\r\nends with CR\r", false],
      ["\r\n", true],
      ["\n", true],
    ]
    const { inbox, scanned } = await storedAll(cases.map(([message]) => text(message)))
    // Keyed by the CRLF form, so the order the scan finds the files in does not matter.
    const expected = new Map(cases.map(([message, isClean]) => [withCrlf(message), isClean]))
    expect(scanned).toHaveLength(cases.length)
    for (const message of scanned) {
      const checked = inbox.readCrlfNowChecked(message.uid, message.vsize)!
      const crlf = show(checked.bytes)
      expect({ crlf, isClean: checked.isClean }).toEqual({ crlf, isClean: expected.get(crlf) })
    }
  })

  it("is what the POP3 maildrop's readNowChecked answers", async () => {
    const { store } = await storedAll([text("Subject: a\n\nplain\n"), text("Subject: b\n\n.x\n")])
    const maildrop = await store.open("alice")
    if (isMaildropRefusal(maildrop)) throw new Error(maildrop.code)
    const answers = (await maildrop.list()).map(({ uid }) => {
      const checked = maildrop.readNowChecked!(uid)!
      return { text: show(checked.bytes), isClean: checked.isClean }
    })
    expect(answers.sort((x, y) => x.text.localeCompare(y.text))).toEqual([
      { text: "Subject: a\r\n\r\nplain\r\n", isClean: true },
      { text: "Subject: b\r\n\r\n.x\r\n", isClean: false },
    ])
    expect(maildrop.readNowChecked!("0000000900000001")).toBeNull()
    await maildrop.close()
  })
})
