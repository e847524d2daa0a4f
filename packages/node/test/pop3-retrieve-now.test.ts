/**
 * RETR and TOP from `Maildrop.readNow`: a store that has the message at hand is answered
 * at once, one that has not (`null`, or no `readNow` at all) through `read`, and the
 * client sees the same bytes either way; failures are still `read`'s to report.
 */
import type { Pop3LogEntry } from "@mailwire/node/pop3"
import type { Maildrop, MaildropStore } from "@mailwire/pop3"
import { describe, expect, it } from "vitest"
import { loggedIn, pop3ServerStarter, storeWith, WrappingStore } from "./harness/pop3-servers.js"

const startServer = pop3ServerStarter()

const MESSAGES = [
  "Subject: one\r\n\r\nfirst\r\n.dot line\r\n",
  "Subject: two\r\n\r\nline 1\r\nline 2\r\n",
  "",
]

/** What the client receives for RETR 1, 2 and 3 and TOP 2 1, whichever way they are read. */
const EXPECTED =
  `+OK ${MESSAGES[0]!.length} octets\r\nSubject: one\r\n\r\nfirst\r\n..dot line\r\n.\r\n` +
  `+OK ${MESSAGES[1]!.length} octets\r\nSubject: two\r\n\r\nline 1\r\nline 2\r\n.\r\n` +
  "+OK 0 octets\r\n.\r\n" +
  `+OK ${MESSAGES[1]!.length} octets\r\nSubject: two\r\n\r\nline 1\r\n.\r\n`

type ReadNow = (maildrop: Maildrop, uid: string) => Uint8Array | null

/** An in-memory store whose maildrops count calls and answer `readNow` as told. */
class CountingStore extends WrappingStore {
  reads = 0
  readNows = 0

  constructor(
    private readonly readNow: ReadNow | undefined,
    private readonly failRead = false,
  ) {
    super(storeWith(MESSAGES))
  }

  protected wrap(opened: Maildrop): Maildrop {
    const store = this
    const readNow = this.readNow
    const maildrop: Maildrop = {
      list: () => opened.list(),
      read: async function* (uid) {
        store.reads++
        if (store.failRead) throw new Error("disk on fire")
        yield* opened.read(uid)
      },
      delete: (uids) => opened.delete(uids),
      close: () => opened.close(),
    }
    if (readNow !== undefined) {
      maildrop.readNow = (uid) => {
        store.readNows++
        return readNow(opened, uid)
      }
    }
    return maildrop
  }
}

async function session(
  backend: MaildropStore,
  log: Pop3LogEntry[] = [],
  errors: Error[] = [],
): Promise<string> {
  const { port } = await startServer(backend, {
    onLog: (entry) => log.push(entry),
    onError: (error) => errors.push(error),
  })
  const conn = await loggedIn(port)
  const before = conn.received.length
  conn.send("RETR 1\r\nRETR 2\r\nRETR 3\r\nTOP 2 1\r\nQUIT\r\n")
  await conn.closed
  const answers = conn.received.slice(before)
  return answers.slice(0, answers.lastIndexOf("+OK"))
}

describe("RETR and TOP from Maildrop.readNow", () => {
  it("answers from readNow when the store has the message at hand, never calling read", async () => {
    const store = new CountingStore((maildrop, uid) => maildrop.readNow!(uid))
    const log: Pop3LogEntry[] = []
    expect(await session(store, log)).toBe(EXPECTED)
    expect(store.readNows).toBe(4)
    expect(store.reads).toBe(0)
    const retrieved = log.filter((entry) => entry.type === "retrieve")
    expect(retrieved.map((entry) => entry.type === "retrieve" && entry.ok)).toEqual([
      true,
      true,
      true,
      true,
    ])
  })

  it("streams through read when readNow answers null, with the same bytes", async () => {
    const store = new CountingStore(() => null)
    expect(await session(store)).toBe(EXPECTED)
    expect(store.readNows).toBe(4)
    expect(store.reads).toBe(4)
  })

  it("streams through read from a store without readNow", async () => {
    const store = new CountingStore(undefined)
    expect(await session(store)).toBe(EXPECTED)
    expect(store.reads).toBe(4)
  })

  it("reports a readNow that throws and answers from read instead", async () => {
    const store = new CountingStore(() => {
      throw new Error("readNow broke its promise")
    })
    const errors: Error[] = []
    expect(await session(store, [], errors)).toBe(EXPECTED)
    expect(store.reads).toBe(4)
    expect(errors.map((error) => error.message)).toEqual(Array(4).fill("readNow broke its promise"))
  })

  it("leaves failures to read: -ERR [SYS/TEMP] and the session goes on", async () => {
    const store = new CountingStore(() => null, true)
    const log: Pop3LogEntry[] = []
    const answers = await session(store, log)
    expect(answers).toBe("-ERR [SYS/TEMP] Unable to read the message\r\n".repeat(4))
    expect(log.filter((entry) => entry.type === "retrieve" && !entry.ok)).toHaveLength(4)
  })
})
