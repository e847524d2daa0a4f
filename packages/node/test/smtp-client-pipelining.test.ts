/**
 * Pipelining across messages (RFC 2920 §3.1) through `SmtpClient` and the pool: the next
 * envelope follows a message's end-of-data in the same write, replies are matched to
 * the right message, a failure of one message fails no other, and a broken connection
 * fails only the messages on it.
 */
import type { Socket } from "node:net"
import {
  ConnectionError,
  createTransport,
  SmtpClient,
  SmtpReplyError,
  type TransportOptions,
} from "@mailwire/node/smtp"
import { describe, expect, it } from "vitest"
import { netServerStarter } from "./harness/net-servers.js"

const listen = netServerStarter()

/** A pooled transport to `server`, plain text, with `options` on top. */
function pooled(server: ScriptedServer, options: Partial<TransportOptions>) {
  return createTransport({
    host: "127.0.0.1",
    port: server.port,
    startTls: "never",
    pool: true,
    ...options,
  })
}

/** What a scripted server answers to one command line, or at the end of a message. */
type Answer = string | null

/** How the scripted server behaves; every answer defaults to a positive reply. */
interface Script {
  /** Announce PIPELINING. Default true. */
  readonly pipelining?: boolean
  /** The reply to a command line (`null`: the default). */
  readonly command?: (line: string, session: Session) => Answer
  /**
   * Called at the end of each message; answers with its final reply. `hold` delays the
   * reply until the server has read the next `MAIL` (or the client quits).
   */
  readonly endOfData?: (message: number, session: Session) => Answer | "hold"
}

/** One connection's state as the scripted server saw it. */
interface Session {
  readonly socket: Socket
  /** Messages whose end-of-data was read, counting from 1. */
  messages: number
  /** Every command line, in order. */
  readonly lines: string[]
}

interface ScriptedServer {
  readonly port: number
  readonly sessions: Session[]
  /** Messages received in full, in order. */
  readonly bodies: string[]
}

/** A line-by-line SMTP server that answers as `script` says. */
async function scriptedServer(script: Script = {}): Promise<ScriptedServer> {
  const sessions: Session[] = []
  const bodies: string[] = []
  const port = await listen((socket) => {
    const session: Session = { socket, messages: 0, lines: [] }
    sessions.push(session)
    let buffered = ""
    let body: string[] | null = null
    let held: string | null = null
    socket.on("error", () => {})
    socket.write("220 scripted.test ESMTP\r\n")
    const answer = (line: string) => {
      if (body !== null) {
        if (line !== ".") {
          body.push(line)
          return
        }
        bodies.push(body.join("\r\n"))
        body = null
        session.messages++
        const reply = script.endOfData?.(session.messages, session) ?? "250 2.0.0 queued"
        if (reply === "hold") held = "250 2.0.0 queued"
        else if (reply !== null) socket.write(`${reply}\r\n`)
        return
      }
      session.lines.push(line)
      if (held !== null && (line.startsWith("MAIL") || line === "QUIT")) {
        socket.write(`${held}\r\n`)
        held = null
      }
      const custom = script.command?.(line, session) ?? null
      if (custom !== null) {
        if (custom !== "") socket.write(`${custom}\r\n`)
        if (custom.startsWith("354")) body = []
        return
      }
      if (line.startsWith("EHLO")) {
        const extensions = script.pipelining === false ? [] : ["PIPELINING"]
        const lines = ["scripted.test", ...extensions]
        socket.write(lines.map((l, i) => `250${i < lines.length - 1 ? "-" : " "}${l}\r\n`).join(""))
      } else if (line === "DATA") {
        body = []
        socket.write("354 go ahead\r\n")
      } else if (line === "QUIT") {
        socket.end("221 bye\r\n")
      } else {
        socket.write("250 ok\r\n")
      }
    }
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("latin1")
      for (let end = buffered.indexOf("\r\n"); end >= 0; end = buffered.indexOf("\r\n")) {
        const line = buffered.slice(0, end)
        buffered = buffered.slice(end + 2)
        answer(line)
      }
    })
  })
  return { port, sessions, bodies }
}

const body = (n: number) => new TextEncoder().encode(`Subject: ${n}\r\n\r\nmessage ${n}\r\n`)
const raw = (n: number) => ({
  raw: `Subject: ${n}\r\n\r\nmessage ${n}\r\n`,
  envelope: { from: "a@x.test", to: `r${n}@y.test` },
})
const client = (port: number) => new SmtpClient({ host: "127.0.0.1", port, startTls: "never" })

describe("SmtpClient pipelining across messages", () => {
  it("sends the next envelope before the previous message's final reply", async () => {
    // The server answers a message only once it has read the next MAIL: without
    // pipelining across messages the client would wait forever.
    const server = await scriptedServer({ endOfData: () => "hold" })
    const c = client(server.port)
    await c.connect()
    const sent = [1, 2, 3].map((n) =>
      c.send({ from: "a@x.test", to: [`r${n}@y.test`], body: body(n) }),
    )
    const done = await Promise.all(sent.slice(0, 2))
    expect(done.map((result) => result.accepted)).toEqual([["r1@y.test"], ["r2@y.test"]])
    expect(server.bodies.slice(0, 2)).toEqual(
      [1, 2].map((n) => `Subject: ${n}\r\n\r\nmessage ${n}`),
    )
    // The third one's reply is held for a MAIL that never comes.
    c.close()
    await expect(sent[2]).rejects.toMatchObject({ code: "ABORTED" })
  })

  it("matches each final reply to its own message", async () => {
    const server = await scriptedServer({
      endOfData: (n) => (n === 1 ? "554 5.7.1 message 1 refused" : `250 2.0.0 queued ${n}`),
    })
    const c = client(server.port)
    await c.connect()
    const [first, second, third] = [1, 2, 3].map((n) =>
      c.send({ from: "a@x.test", to: [`r${n}@y.test`], body: body(n) }),
    )
    await expect(first).rejects.toMatchObject({
      code: 554,
      message: expect.stringContaining("message 1"),
    })
    await expect(second).resolves.toMatchObject({ response: "250 2.0.0 queued 2" })
    await expect(third).resolves.toMatchObject({ response: "250 2.0.0 queued 3" })
    await c.quit()
  })

  it("fails only the message whose MAIL was refused, and never sends its body", async () => {
    const server = await scriptedServer({
      command: (line) => {
        if (line === "MAIL FROM:<bad@x.test>") return "550 5.7.1 not you"
        return null
      },
    })
    const c = client(server.port)
    await c.connect()
    const first = c.send({ from: "a@x.test", to: ["r1@y.test"], body: body(1) })
    const second = c.send({ from: "bad@x.test", to: ["r2@y.test"], body: body(2) })
    const third = c.send({ from: "a@x.test", to: ["r3@y.test"], body: body(3) })
    await expect(first).resolves.toMatchObject({ accepted: ["r1@y.test"] })
    const refused = await second.catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(SmtpReplyError)
    expect(refused).toMatchObject({ code: 550 })
    await expect(third).resolves.toMatchObject({ accepted: ["r3@y.test"] })
    await c.quit()
    // This server even said 354 after refusing MAIL: it got an empty message (RFC 2920 §3.1).
    expect(server.bodies).toEqual([
      "Subject: 1\r\n\r\nmessage 1",
      "",
      "Subject: 3\r\n\r\nmessage 3",
    ])
  })

  it("fails the messages still open when the server hangs up, and keeps the ones it took", async () => {
    const server = await scriptedServer({
      endOfData: (n, session) => {
        if (n === 1) return "250 2.0.0 queued 1"
        session.socket.destroy()
        return null
      },
    })
    const c = client(server.port)
    await c.connect()
    const [first, ...open] = [1, 2, 3].map((n) =>
      c.send({ from: "a@x.test", to: [`r${n}@y.test`], body: body(n) }),
    )
    await expect(first).resolves.toMatchObject({ response: "250 2.0.0 queued 1" })
    for (const pending of open) {
      const error = await pending.catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ConnectionError)
      expect(error).toMatchObject({ code: "CLOSED" })
    }
  })

  it("fails every message on the connection with the server's 421", async () => {
    const server = await scriptedServer({
      endOfData: (_n, session) => {
        session.socket.end("421 4.3.2 shutting down\r\n")
        return null
      },
    })
    const c = client(server.port)
    await c.connect()
    const sent = [1, 2].map((n) =>
      c.send({ from: "a@x.test", to: [`r${n}@y.test`], body: body(n) }),
    )
    for (const pending of sent) {
      const error = await pending.catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SmtpReplyError)
      expect(error).toMatchObject({ code: 421, temporary: true })
    }
    expect(c.isUsable).toBe(false)
  })

  it("waits for each final reply when the server does not offer PIPELINING", async () => {
    let early = false
    const server = await scriptedServer({
      pipelining: false,
      endOfData: () => "hold",
      command: (line, session) => {
        // With no PIPELINING a MAIL may only come after the previous message's reply.
        if (line.startsWith("MAIL") && session.messages > 0) early = true
        return null
      },
    })
    const c = client(server.port)
    await c.connect()
    const sent = [1, 2].map((n) =>
      c.send({ from: "a@x.test", to: [`r${n}@y.test`], body: body(n) }),
    )
    // The held reply is released by QUIT only: nothing else may reach the server first.
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(server.bodies).toHaveLength(1)
    expect(early).toBe(false)
    c.close()
    await Promise.allSettled(sent)
  })
})

describe("the pool with pipelining", () => {
  it("carries several messages on one connection, each with its own result", async () => {
    const server = await scriptedServer({
      endOfData: (n) => (n === 2 ? "452 4.3.1 full" : "250 2.0.0 queued"),
    })
    const transport = pooled(server, { maxConnections: 1 })
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => transport.sendMail(raw(n))))
    await transport.close()
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
      "fulfilled",
    ])
    expect(server.sessions).toHaveLength(1)
    // Some MAIL was read while a message's final reply was still owed.
    const lines = server.sessions[0]!.lines
    expect(lines.filter((l) => l.startsWith("MAIL"))).toHaveLength(5)
  })

  it("queues the next messages on a busy connection instead of waiting for it", async () => {
    // Messages 1 and 2 are answered only once the next MAIL arrives: a pool that waits
    // for each message before sending the next would never finish.
    const server = await scriptedServer({ endOfData: (n) => (n < 3 ? "hold" : "250 2.0.0 ok") })
    const transport = pooled(server, { maxConnections: 1 })
    const results = await Promise.all([1, 2, 3].map((n) => transport.sendMail(raw(n))))
    await transport.close()
    expect(results.map((r) => r.accepted)).toEqual([["r1@y.test"], ["r2@y.test"], ["r3@y.test"]])
    expect(server.sessions).toHaveLength(1)
  })

  it("closes a pooled connection once it has been idle for idleTimeout, not before", async () => {
    const server = await scriptedServer()
    const transport = pooled(server, { idleTimeout: 300 })
    const quits = () => server.sessions.filter((s) => s.lines.includes("QUIT")).length
    // Used again before the timeout each time: the same connection stays open.
    for (let n = 1; n <= 3; n++) {
      await transport.sendMail(raw(n))
      await new Promise((resolve) => setTimeout(resolve, 150))
    }
    expect(server.sessions).toHaveLength(1)
    expect(quits()).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect(quits()).toBe(1)
    await transport.close()
  })

  it("keeps maxMessages per connection while pipelining", async () => {
    const server = await scriptedServer()
    const transport = pooled(server, { maxConnections: 2, maxMessages: 3 })
    await Promise.all(Array.from({ length: 12 }, (_, n) => transport.sendMail(raw(n))))
    await transport.close()
    const perSession = server.sessions.map(
      (s) => s.lines.filter((l) => l.startsWith("MAIL")).length,
    )
    expect(perSession.every((count) => count <= 3)).toBe(true)
    expect(perSession.reduce((a, b) => a + b, 0)).toBe(12)
  })

  it("gives a streamed message its own connection, so its failing stream fails no other", async () => {
    const server = await scriptedServer()
    const transport = pooled(server, { maxConnections: 1 })
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("the disk went away"))
      },
    })
    const streamed = transport.sendMail({
      from: "a@x.test",
      to: "s@y.test",
      subject: "streamed",
      text: "see attached",
      attachments: [{ filename: "a.bin", content: failing }],
    })
    const others = [1, 2, 3].map((n) => transport.sendMail(raw(n)))
    await expect(streamed).rejects.toThrow()
    const settled = await Promise.allSettled(others)
    await transport.close()
    expect(settled.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"])
  })

  it("serves a streamed message in its turn while other messages keep coming", async () => {
    const server = await scriptedServer()
    const transport = pooled(server, { maxConnections: 1 })
    const content = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("attached bytes"))
        controller.close()
      },
    })
    const before = [1, 2, 3].map((n) => transport.sendMail(raw(n)))
    const streamed = transport.sendMail({
      from: "a@x.test",
      to: "s@y.test",
      subject: "streamed",
      text: "see attached",
      attachments: [{ filename: "a.bin", content }],
    })
    const after = [4, 5, 6, 7, 8, 9].map((n) => transport.sendMail(raw(n)))
    await Promise.all([...before, streamed, ...after])
    await transport.close()
    const order = server.bodies.map((b) => (b.includes("Subject: streamed") ? "s" : b.slice(9, 10)))
    expect(order).toEqual(["1", "2", "3", "s", "4", "5", "6", "7", "8", "9"])
  })

  it("does not stack messages when pipelining is turned off", async () => {
    let stacked = false
    const server = await scriptedServer({
      command: (line, session) => {
        const mails = session.lines.filter((l) => l.startsWith("MAIL")).length
        if (line.startsWith("MAIL") && mails - 1 > session.messages) stacked = true
        return null
      },
      endOfData: () => "hold",
    })
    const transport = pooled(server, { maxConnections: 1, pipelining: false })
    const sent = [1, 2].map((n) => transport.sendMail(raw(n)))
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(server.bodies).toHaveLength(1)
    expect(stacked).toBe(false)
    await transport.close()
    for (const session of server.sessions) session.socket.destroy()
    await Promise.allSettled(sent)
  })
})
