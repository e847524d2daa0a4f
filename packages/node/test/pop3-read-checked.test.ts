/**
 * RETR from `Maildrop.readNowChecked`: the session prefers it to `readNow`, passes the
 * store's `isClean` on to the machine, and the client gets byte for byte what a store
 * without the method gets, for random messages with dots, bare CRs and LFs, empty ones
 * and ones without a final CRLF. TOP reads the same way and stuffs as always.
 */
import { InMemoryMaildropStore, type Maildrop, type MaildropStore } from "@mailwire/pop3"
import { CR, DOT, LF } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { isCleanBody } from "../../wire/test/clean.js"
import { loggedIn, pop3ServerStarter, WrappingStore } from "./harness/pop3-servers.js"

const startServer = pop3ServerStarter()

/** An in-memory store whose maildrops answer `readNowChecked`, counting calls. */
class CheckingStore extends WrappingStore<InMemoryMaildropStore> {
  checked = 0
  cleanOnes = 0

  constructor() {
    super(new InMemoryMaildropStore())
  }

  protected wrap(opened: Maildrop): Maildrop {
    return {
      ...opened,
      readNow: () => {
        throw new Error("readNow should not be asked when readNowChecked is there")
      },
      readNowChecked: (uid) => {
        const bytes = opened.readNow!(uid)
        if (bytes === null) return null
        const isClean = isCleanBody(bytes)
        this.checked++
        if (isClean) this.cleanOnes++
        return { bytes, isClean }
      },
    }
  }
}

/** The client's view of RETR (and TOP n 1) of every message in `backend`'s maildrop. */
async function transcript(backend: MaildropStore, count: number): Promise<string> {
  const { port } = await startServer(backend)
  const conn = await loggedIn(port)
  const before = conn.received.length
  const commands: string[] = []
  for (let n = 1; n <= count; n++) commands.push(`RETR ${n}\r\nTOP ${n} 1\r\n`)
  conn.send(`${commands.join("")}QUIT\r\n`)
  await conn.closed
  return conn.received.slice(before)
}

const FIXED = [
  "",
  "a\r\nb\r\n",
  "no final line end",
  "a\r\nno final line end",
  ".leading dot\r\n",
  "a\r\n.dot after CRLF\r\n",
  "a\r\n.",
  "bare\nLF\n.dot\n",
  "bare\rCR\r\n",
  "ends with CR\r",
  "H: v\r\n\r\nbody\r\n",
]

const mailish = fc
  .array(fc.constantFrom(CR, LF, 0x41, 0x20, DOT), { maxLength: 80 })
  .map((bytes) => Uint8Array.from(bytes))

describe("RETR from Maildrop.readNowChecked", () => {
  it("answers byte for byte as a store without it, for fixed and random messages", async () => {
    const random = fc.sample(mailish, 60)
    const messages = [...FIXED.map((text) => new TextEncoder().encode(text)), ...random]
    const checking = new CheckingStore()
    const plain = new InMemoryMaildropStore()
    for (const message of messages) {
      checking.inner.deliver("alice", message)
      plain.deliver("alice", message)
    }
    const expected = await transcript(plain, messages.length)
    expect(await transcript(checking, messages.length)).toBe(expected)
    expect(checking.checked).toBe(messages.length * 2)
    expect(checking.cleanOnes).toBeGreaterThan(0)
    expect(expected).toContain("octets\r\na\r\n..dot after CRLF\r\n.\r\n")
  })
})
