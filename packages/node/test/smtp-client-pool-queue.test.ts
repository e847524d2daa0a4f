/**
 * The pool's queue: messages beyond what the open connections carry wait, go out as room
 * frees up, and each settles with its own outcome; a refused
 * message leaves its connection in use, and `close()` or a failed connect fails only
 * the messages it concerns.
 */
import { createServer } from "node:net"
import { ConnectionError, createTransport, SmtpReplyError } from "@mailwire/node/smtp"
import { describe, expect, it } from "vitest"
import { smtpServerStarter } from "./harness/smtp-servers.js"

const startServer = smtpServerStarter()

const message = (n: number) => ({
  raw: `Subject: ${n}\r\n\r\nmessage ${n}\r\n`,
  envelope: { from: "a@x.test", to: n % 5 === 3 ? `refused${n}@x.test` : `b${n}@x.test` },
})

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return typeof address === "object" && address !== null ? address.port : 0
}

describe("pooled messages waiting for a connection", () => {
  it("sends each on the connections open and settles it with its own outcome", async () => {
    const received: string[] = []
    let connections = 0
    const { port } = await startServer({
      onConnect: () => void connections++,
      onRcptTo: (address) => {
        if (address.startsWith("refused")) {
          throw new SmtpReplyError(550, "no such user", { enhancedCode: "5.1.1" })
        }
      },
      onData: async (_envelope, stream) => {
        const chunks: Uint8Array[] = []
        for await (const chunk of stream) chunks.push(chunk)
        received.push(Buffer.concat(chunks).toString().trim())
      },
    })
    const transport = createTransport({
      host: "127.0.0.1",
      port,
      startTls: "never",
      pool: true,
      maxConnections: 2,
    })
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, n) => transport.sendMail(message(n))),
    )
    await transport.close()
    outcomes.forEach((outcome, n) => {
      if (n % 5 === 3) {
        expect(outcome.status).toBe("rejected")
        expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(SmtpReplyError)
      } else {
        expect(outcome).toMatchObject({
          status: "fulfilled",
          value: { accepted: [`b${n}@x.test`], envelope: { to: [`b${n}@x.test`] } },
        })
      }
    })
    // Two connections deliver side by side: every accepted message arrives, once.
    const sent = Array.from({ length: 30 }, (_, n) => n).filter((n) => n % 5 !== 3)
    const bodies = received.map((text) => text.split("\r\n").at(-1))
    expect(bodies.sort()).toEqual(sent.map((n) => `message ${n}`).sort())
    // A refused recipient fails its message only: the connections stay in use.
    expect(connections).toBe(2)
  })

  it("fails the messages still waiting on close(), and finishes the ones on a connection", async () => {
    let releaseFirst: () => void = () => {}
    const first = new Promise<void>((resolve) => {
      releaseFirst = resolve
    })
    const { port } = await startServer({
      onData: async (_envelope, stream) => {
        for await (const _ of stream) {
          // read and drop
        }
        await first
      },
    })
    const transport = createTransport({
      host: "127.0.0.1",
      port,
      startTls: "never",
      pool: true,
      maxConnections: 1,
      pipelining: false,
    })
    const sending = [0, 1, 2].map((n) => transport.sendMail(message(n)))
    // Let the first message reach the server before closing.
    await new Promise((resolve) => setTimeout(resolve, 100))
    const closing = transport.close()
    releaseFirst()
    const outcomes = await Promise.allSettled(sending)
    await closing
    expect(outcomes[0]!.status).toBe("fulfilled")
    for (const outcome of outcomes.slice(1)) {
      expect(outcome.status).toBe("rejected")
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({ code: "ABORTED" })
    }
    await expect(transport.sendMail(message(4))).rejects.toMatchObject({
      name: "ConnectionError",
      code: "ABORTED",
    })
  })

  it("fails each waiting message with the connect error when no connection can be opened", async () => {
    const transport = createTransport({
      host: "127.0.0.1",
      port: await closedPort(),
      startTls: "never",
      pool: true,
      maxConnections: 1,
      connectionTimeout: 2000,
    })
    const outcomes = await Promise.allSettled(
      Array.from({ length: 4 }, (_, n) => transport.sendMail(message(n))),
    )
    await transport.close()
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected")
      const reason = (outcome as PromiseRejectedResult).reason
      expect(reason).toBeInstanceOf(ConnectionError)
      expect(reason).toMatchObject({ code: "CONNECT" })
    }
  })
})
