/**
 * The POP3 server writes its output as the machine's pieces, unjoined, so the socket can
 * hold a view of a message chunk after the store has moved on. A store whose `read`
 * reuses one buffer for every chunk it yields must still have every chunk delivered as
 * it was when yielded.
 */
import type { Maildrop } from "@mailwire/pop3"
import { describe, expect, it } from "vitest"
import { loggedIn, pop3ServerStarter, storeWith, WrappingStore } from "./harness/pop3-servers.js"

const startServer = pop3ServerStarter()

/** Bytes of each chunk the store yields, and the chunks' lines: `aaa…`, `bbb…`, `ccc…`. */
const CHUNK_BYTES = 4096
const LINES = ["a", "b", "c"].map((letter) => `${letter.repeat(CHUNK_BYTES - 2)}\r\n`)
const MESSAGE = LINES.join("")

/** An in-memory store whose `read` yields the message in chunks of one reused buffer. */
class ReusingStore extends WrappingStore {
  constructor() {
    super(storeWith([MESSAGE]))
  }

  protected wrap(opened: Maildrop): Maildrop {
    const buffer = new Uint8Array(CHUNK_BYTES)
    return {
      list: () => opened.list(),
      read: async function* () {
        for (const line of LINES) {
          buffer.set(new TextEncoder().encode(line))
          yield buffer
        }
      },
      delete: (uids) => opened.delete(uids),
      close: () => opened.close(),
    }
  }
}

describe("a POP3 server over a store that reuses its read buffer", () => {
  it("delivers each chunk as the store yielded it", async () => {
    const { port } = await startServer(new ReusingStore())
    const conn = await loggedIn(port)
    const before = conn.received.length
    conn.send("RETR 1\r\nRETR 1\r\nQUIT\r\n")
    await conn.closed
    const answer = `+OK ${MESSAGE.length} octets\r\n${MESSAGE}.\r\n`
    const received = conn.received.slice(before)
    expect(received.slice(0, 2 * answer.length)).toBe(answer + answer)
    expect(received.slice(2 * answer.length)).toMatch(/^\+OK/)
  })
})
