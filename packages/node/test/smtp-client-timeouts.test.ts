/**
 * The client's reply timeouts (RFC 5321 §4.5.3.2): the server must answer within the
 * stage's timeout of its last sign of life, however many messages are on the connection,
 * and an idle connection never times out.
 */
import { createServer, type Server, type Socket } from "node:net"
import { SmtpClient } from "@mailwire/node/smtp"
import { afterEach, describe, expect, it } from "vitest"

const servers: Server[] = []
const sockets: Socket[] = []
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy()
  await Promise.all(
    servers
      .splice(0)
      .map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
  )
})

/**
 * A PIPELINING server that answers each command line after `delayMs` (in order), and
 * says nothing to the lines `silent` picks.
 */
async function slowServer(delayMs: number, silent: (line: string) => boolean = () => false) {
  const server = createServer((socket) => {
    sockets.push(socket)
    socket.on("error", () => {})
    socket.write("220 slow.test ESMTP\r\n")
    let buffered = ""
    let inData = false
    let last = Promise.resolve()
    const later = (reply: string) => {
      last = last.then(() =>
        new Promise((resolve) => setTimeout(resolve, delayMs)).then(() => void socket.write(reply)),
      )
    }
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("latin1")
      for (let end = buffered.indexOf("\r\n"); end >= 0; end = buffered.indexOf("\r\n")) {
        const line = buffered.slice(0, end)
        buffered = buffered.slice(end + 2)
        if (inData && line !== ".") continue
        if (silent(inData ? "." : line)) {
          inData = false
          continue
        }
        if (inData) {
          inData = false
          later("250 2.0.0 queued\r\n")
        } else if (line.startsWith("EHLO")) socket.write("250-slow.test\r\n250 PIPELINING\r\n")
        else if (line === "DATA") {
          inData = true
          later("354 go\r\n")
        } else if (line === "QUIT") later("221 bye\r\n")
        else later("250 ok\r\n")
      }
    })
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("no port")
  return address.port
}

const body = new TextEncoder().encode("Subject: t\r\n\r\nt\r\n")
const send = (client: SmtpClient, n: number) =>
  client.send({ from: "a@x.test", to: [`r${n}@y.test`], body })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe("SmtpClient reply timeouts", () => {
  it("fails with TIMEOUT in the data stage when the server never answers the message", async () => {
    const port = await slowServer(0, (line) => line === ".")
    const client = new SmtpClient({ host: "127.0.0.1", port, startTls: "never", dataTimeout: 200 })
    await client.connect()
    await expect(send(client, 1)).rejects.toMatchObject({
      name: "ConnectionError",
      code: "TIMEOUT",
      stage: "data",
    })
  })

  it("does not time out a server that keeps answering, however long the messages take in all", async () => {
    // Each reply comes 100 ms after the one before; 3 messages take over a second.
    const port = await slowServer(100)
    const client = new SmtpClient({ host: "127.0.0.1", port, startTls: "never", dataTimeout: 400 })
    await client.connect()
    const results = await Promise.all([1, 2, 3].map((n) => send(client, n)))
    expect(results.map((r) => r.accepted)).toEqual([["r1@y.test"], ["r2@y.test"], ["r3@y.test"]])
    await client.quit()
  })

  it("never times out an idle connection, and times the next message from its send", async () => {
    const port = await slowServer(0)
    const client = new SmtpClient({ host: "127.0.0.1", port, startTls: "never", dataTimeout: 150 })
    await client.connect()
    await send(client, 1)
    await sleep(400)
    expect(client.isUsable).toBe(true)
    await expect(send(client, 2)).resolves.toMatchObject({ accepted: ["r2@y.test"] })
    await client.quit()
  })

  it("uses the shorter command timeout once greeted, even with a long greeting timeout", async () => {
    const port = await slowServer(0, (line) => line.startsWith("EHLO"))
    const client = new SmtpClient({
      host: "127.0.0.1",
      port,
      startTls: "never",
      greetingTimeout: 60_000,
      commandTimeout: 150,
    })
    await expect(client.connect()).rejects.toMatchObject({ code: "TIMEOUT", stage: "command" })
  })

  it("ends quit() after the command timeout when QUIT gets no answer", async () => {
    const port = await slowServer(0, (line) => line === "QUIT")
    const client = new SmtpClient({
      host: "127.0.0.1",
      port,
      startTls: "never",
      commandTimeout: 150,
    })
    await client.connect()
    await send(client, 1)
    await client.quit()
    expect(client.isUsable).toBe(false)
  })
})
