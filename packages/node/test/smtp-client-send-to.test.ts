/**
 * `SmtpClient.sendTo`: a send whose outcome goes to a waiter instead of a promise (what the
 * transport's pool uses). The waiter is called exactly once; a failure before the message
 * is queued reaches it after the call returns; it may send the next message, or quit,
 * from inside its callback.
 */
import type { Socket } from "node:net"
import {
  ConnectionError,
  createTransport,
  SmtpClient,
  type SmtpSendResult,
} from "@mailwire/node/smtp"
import { describe, expect, it } from "vitest"
import { netServerStarter } from "./harness/net-servers.js"

const listen = netServerStarter()

/**
 * A PIPELINING server that takes every message; with `dropAtMail`, it closes the
 * connection when it reads that `MAIL` (counting from 1 on each connection), or with
 * `breakAtMail` answers that `MAIL` with a line that is not a reply.
 */
async function server(
  dropAtMail?: number,
  breakAtMail?: number,
): Promise<{ port: number; bodies: string[] }> {
  const bodies: string[] = []
  const port = await listen((socket: Socket) => {
    let buffered = ""
    let body: string[] | null = null
    let mails = 0
    socket.on("error", () => {})
    socket.write("220 test ESMTP\r\n")
    const answer = (line: string) => {
      if (body !== null) {
        if (line !== ".") body.push(line)
        else {
          bodies.push(body.join("\r\n"))
          body = null
          socket.write("250 2.0.0 queued\r\n")
        }
        return
      }
      if (line.startsWith("EHLO")) socket.write("250-test\r\n250 PIPELINING\r\n")
      else if (line.startsWith("MAIL") && ++mails === dropAtMail) socket.destroy()
      else if (line.startsWith("MAIL") && mails === breakAtMail) socket.write("garbage\r\n")
      else if (line === "DATA") {
        body = []
        socket.write("354 go ahead\r\n")
      } else if (line === "QUIT") socket.end("221 bye\r\n")
      else socket.write("250 ok\r\n")
    }
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("latin1")
      for (let end = buffered.indexOf("\r\n"); end >= 0; end = buffered.indexOf("\r\n")) {
        const line = buffered.slice(0, end)
        buffered = buffered.slice(end + 2)
        if (!socket.destroyed) answer(line)
      }
    })
  })
  return { port, bodies }
}

const message = (n: number) => ({
  from: "a@x.test",
  to: [`r${n}@y.test`],
  body: new TextEncoder().encode(`Subject: ${n}\r\n\r\nmessage ${n}\r\n`),
})

/** A waiter that records each call and settles `done` on the first. */
function recorder() {
  const calls: (SmtpSendResult | Error)[] = []
  let settle: () => void = () => {}
  const done = new Promise<void>((resolve) => {
    settle = resolve
  })
  const waiter = {
    resolve(result: SmtpSendResult) {
      calls.push(result)
      settle()
    },
    reject(error: Error) {
      calls.push(error)
      settle()
    },
  }
  return { calls, done, waiter }
}

describe("SmtpClient.sendTo", () => {
  it("hands the outcome to the waiter, once", async () => {
    const { port, bodies } = await server()
    const client = new SmtpClient({ host: "127.0.0.1", port, startTls: "never" })
    await client.connect()
    const { calls, done, waiter } = recorder()
    client.sendTo(message(1), waiter)
    await done
    await client.quit()
    expect(calls).toEqual([expect.objectContaining({ accepted: ["r1@y.test"], rejected: [] })])
    expect(bodies).toEqual(["Subject: 1\r\n\r\nmessage 1"])
  })

  it("rejects a send before the session is ready after the call returns", async () => {
    const client = new SmtpClient({ host: "127.0.0.1", port: 1, startTls: "never" })
    const { calls, done, waiter } = recorder()
    client.sendTo(message(1), waiter)
    expect(calls).toEqual([])
    await done
    expect(calls).toEqual([expect.any(ConnectionError)])
    expect((calls[0] as ConnectionError).code).toBe("CLOSED")
  })

  it("lets a waiter send the next message from inside its callback", async () => {
    const { port, bodies } = await server()
    const client = new SmtpClient({ host: "127.0.0.1", port, startTls: "never" })
    await client.connect()
    const outcomes: string[] = []
    const finished = new Promise<void>((resolve, reject) => {
      const sendFrom = (n: number) => {
        client.sendTo(message(n), {
          resolve(result) {
            outcomes.push(...result.accepted)
            if (n < 5) sendFrom(n + 1)
            else resolve()
          },
          reject,
        })
      }
      sendFrom(1)
    })
    await finished
    await client.quit()
    expect(outcomes).toEqual(["r1@y.test", "r2@y.test", "r3@y.test", "r4@y.test", "r5@y.test"])
    expect(bodies).toHaveLength(5)
  })

  it("lets a waiter quit from inside the failure of the connection", async () => {
    // A protocol error fails the client while its socket is still open.
    const { port } = await server(undefined, 1)
    // No reply deadline: a quit left waiting for a reply would wait forever.
    const client = new SmtpClient({
      host: "127.0.0.1",
      port,
      startTls: "never",
      commandTimeout: 0,
      dataTimeout: 0,
    })
    await client.connect()
    let quitting: Promise<void> | null = null
    const failed = new Promise<Error>((resolve) => {
      client.sendTo(message(1), {
        resolve: () => {},
        reject(error) {
          quitting = client.quit()
          resolve(error)
        },
      })
    })
    const error = await failed
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as ConnectionError).code).toBe("PROTOCOL")
    await quitting
    expect(client.isUsable).toBe(false)
  })
})

describe("the pool settling messages from the connection's replies", () => {
  it("fails the messages of a broken connection and sends the next on a new one", async () => {
    const { port, bodies } = await server(2)
    const transport = createTransport({
      host: "127.0.0.1",
      port,
      startTls: "never",
      pool: true,
      maxConnections: 1,
      commandTimeout: 0,
      dataTimeout: 0,
    })
    const raw = (n: number) => ({
      raw: `Subject: ${n}\r\n\r\nmessage ${n}\r\n`,
      envelope: { from: "a@x.test", to: `r${n}@y.test` },
    })
    const first = await transport.sendMail(raw(1))
    expect(first).toMatchObject({ accepted: ["r1@y.test"], envelope: { to: ["r1@y.test"] } })
    // The server drops the connection at the second MAIL: that message fails alone.
    await expect(transport.sendMail(raw(2))).rejects.toBeInstanceOf(ConnectionError)
    const third = await transport.sendMail(raw(3))
    expect(third).toMatchObject({ accepted: ["r3@y.test"] })
    await transport.close()
    expect(bodies).toEqual(["Subject: 1\r\n\r\nmessage 1", "Subject: 3\r\n\r\nmessage 3"])
  })
})
