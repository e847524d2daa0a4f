/**
 * The POP3 session's synchronous path: commands that need no waiting (RETR from
 * `Maildrop.readNow`, LIST, STAT, DELE…) are answered within the socket's `'data'` event,
 * and what did wait before still waits: a socket that asks for `'drain'`, a slow login
 * hook, the idle timer. Each test checks a behaviour that path must have or keep.
 */
import { Socket } from "node:net"
import type { Pop3LogEntry } from "@mailwire/node/pop3"
import type { Maildrop, MaildropStore } from "@mailwire/pop3"
import { afterEach, describe, expect, it, vi } from "vitest"
import { rawConnection } from "./harness/capture.js"
import { loggedIn, pop3ServerStarter, storeWith, WrappingStore } from "./harness/pop3-servers.js"

const startServer = pop3ServerStarter()
afterEach(() => {
  vi.restoreAllMocks()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function start(
  backend: MaildropStore,
  options?: Parameters<typeof startServer>[1],
): Promise<number> {
  return (await startServer(backend, options)).port
}

/** A store whose `readNow` calls `onReadNow` first. */
class WatchedStore extends WrappingStore {
  constructor(
    inner: MaildropStore,
    private readonly onReadNow: () => void,
  ) {
    super(inner)
  }

  protected wrap(opened: Maildrop): Maildrop {
    return {
      list: () => opened.list(),
      read: (uid) => opened.read(uid),
      readNow: (uid) => {
        this.onReadNow()
        return opened.readNow?.(uid) ?? null
      },
      delete: (uids) => opened.delete(uids),
      close: () => opened.close(),
    }
  }
}

describe("POP3 session, synchronous path", () => {
  it("writes a RETR answered from readNow before any microtask runs", async () => {
    let microtaskRan = false
    const store = new WatchedStore(storeWith(["Subject: a\r\n\r\nbody\r\n"]), () => {
      microtaskRan = false
      queueMicrotask(() => {
        microtaskRan = true
      })
    })
    const port = await start(store)
    const conn = await loggedIn(port)
    const writtenBeforeMicrotask: boolean[] = []
    const write = Socket.prototype.write
    vi.spyOn(Socket.prototype, "write").mockImplementation(function (
      this: Socket,
      ...args: Parameters<Socket["write"]>
    ) {
      const [chunk] = args
      const text = typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk)
      if (text.includes(" octets\r\n")) writtenBeforeMicrotask.push(!microtaskRan)
      return write.apply(this, args)
    })
    conn.send("RETR 1\r\n")
    await conn.until(/body\r\n\.\r\n/)
    conn.close()
    expect(writtenBeforeMicrotask).toEqual([true])
  })

  it("answers pipelined commands of one chunk in order", async () => {
    const port = await start(storeWith(["Subject: a\r\n\r\none\r\n", "Subject: b\r\n\r\n.two\r\n"]))
    const conn = await loggedIn(port)
    const before = conn.received.length
    conn.send("STAT\r\nRETR 2\r\nDELE 1\r\nRETR 1\r\nLIST\r\nNOOP\r\nQUIT\r\n")
    await conn.closed
    expect(conn.received.slice(before)).toBe(
      "+OK 2 39\r\n" +
        "+OK 20 octets\r\nSubject: b\r\n\r\n..two\r\n.\r\n" +
        "+OK message 1 deleted\r\n" +
        "-ERR Message 1 already deleted\r\n" +
        "+OK 1 messages (20 octets)\r\n2 20\r\n.\r\n" +
        "+OK\r\n" +
        "+OK POP3 server signing off (1 messages left)\r\n",
    )
  })

  it("waits for 'drain' before answering more RETRs when the client does not read", async () => {
    const big = `Subject: big\r\n\r\n${"x".repeat(78)}\r\n`.repeat(8_000)
    const log: Pop3LogEntry[] = []
    const port = await start(storeWith([big]), { onLog: (entry) => log.push(entry) })
    const conn = await loggedIn(port)
    conn.socket.pause()
    const requests = 40
    conn.send("RETR 1\r\n".repeat(requests))
    const retrieved = () => log.filter((entry) => entry.type === "retrieve").length
    while (retrieved() === 0) await sleep(10)
    await sleep(200)
    // Without backpressure all 40 answers (26 MB) would be queued in memory by now: each
    // RETR waits for the socket to take the answers before it.
    expect(retrieved()).toBeLessThan(requests)
    const answerLength = `+OK ${big.length} octets\r\n`.length + big.length + ".\r\n".length
    let receivedLength = 0
    const all = new Promise<void>((resolve) => {
      conn.socket.on("data", (chunk: Buffer) => {
        receivedLength += chunk.length
        if (receivedLength >= requests * answerLength) resolve()
      })
    })
    conn.socket.resume()
    await all
    await vi.waitFor(() => expect(retrieved()).toBe(requests), { timeout: 20_000 })
    conn.close()
  })

  it("still waits for an async login hook and answers commands behind it in order", async () => {
    const port = await start(storeWith(["Subject: a\r\n\r\none\r\n"]), {
      onAuth: async (request) => {
        await sleep(50)
        return request.kind === "password" && request.password === "secret"
      },
    })
    const conn = await rawConnection(port)
    await conn.until(/^\+OK/m)
    const before = conn.received.length
    conn.send("USER alice\r\nPASS secret\r\nSTAT\r\nRETR 1\r\nQUIT\r\n")
    await conn.closed
    expect(conn.received.slice(before)).toMatch(
      /^\+OK[^\r]*\r\n\+OK maildrop has 1 messages[^\r]*\r\n\+OK 1 19\r\n\+OK 19 octets\r\nSubject: a\r\n\r\none\r\n\.\r\n\+OK POP3 server signing off/,
    )
  })

  it("counts the idle timeout from the client's last command", async () => {
    const port = await start(storeWith(["Subject: a\r\n\r\none\r\n"]), { idleTimeout: 300 })
    const conn = await loggedIn(port)
    let closed = false
    void conn.closed.then(() => {
      closed = true
    })
    // Five commands 150 ms apart: well past one timeout in all, never one between two.
    for (let i = 0; i < 5; i++) {
      await sleep(150)
      conn.send("NOOP\r\n")
    }
    await conn.until(/(?:\+OK\r\n){5}/)
    expect(closed).toBe(false)
    await conn.closed
    expect(conn.received).toMatch(/-ERR \[SYS\/TEMP\] Autologout timer expired\r\n$/)
  })
})
