/**
 * Failures that must reject a promise with a typed error and never crash the process:
 * a server that never greets, one that hangs up mid-transaction, one that speaks
 * gibberish; and a client that resets our server mid-DATA.
 */
import { createServer, type Server, type Socket } from "node:net"
import { TLSSocket } from "node:tls"
import {
  ConnectionError,
  createSmtpServer,
  createTransport,
  type SmtpServer,
} from "@mailwire/node/smtp"
import fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import { type Captured, captureInto, rawConnection } from "./harness/capture.js"
import { testCertificate } from "./harness/tls.js"

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const step of cleanup.splice(0)) await step()
})

/** A fake server that runs `script` on each connection. */
async function fakeServer(script: (socket: Socket) => void): Promise<number> {
  const server: Server = createServer((socket) => {
    socket.on("error", () => {})
    script(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.emit("close")
      }),
  )
  const address = server.address()
  return typeof address === "object" && address !== null ? address.port : 0
}

const message = { raw: "Subject: x\r\n\r\nx\r\n", envelope: { from: "a@x.test", to: "b@x.test" } }

describe("the transport rejects with typed errors", () => {
  it("times out a server that never greets", async () => {
    const port = await fakeServer((socket) => cleanup.push(async () => void socket.destroy()))
    const transport = createTransport({ host: "127.0.0.1", port, greetingTimeout: 200 })
    const failure = transport.sendMail(message)
    await expect(failure).rejects.toBeInstanceOf(ConnectionError)
    await expect(failure).rejects.toMatchObject({ code: "TIMEOUT", stage: "greeting" })
    await transport.close()
  })

  it("reports a server that hangs up after MAIL as CLOSED", async () => {
    const port = await fakeServer((socket) => {
      socket.write("220 fake ESMTP\r\n")
      socket.on("data", (chunk: Buffer) => {
        const text = chunk.toString()
        if (text.startsWith("EHLO")) socket.write("250 fake\r\n")
        else socket.destroy()
      })
    })
    const transport = createTransport({ host: "127.0.0.1", port })
    await expect(transport.sendMail(message)).rejects.toMatchObject({
      name: "ConnectionError",
      code: "CLOSED",
    })
    await transport.close()
  })

  it("reports a server that does not speak SMTP as PROTOCOL", async () => {
    const port = await fakeServer((socket) => socket.write("HTTP/1.1 400 Bad Request\r\n\r\n"))
    const transport = createTransport({ host: "127.0.0.1", port })
    await expect(transport.sendMail(message)).rejects.toMatchObject({ code: "PROTOCOL" })
    await transport.close()
  })

  it("turns a 421 greeting into a temporary SmtpReplyError", async () => {
    const port = await fakeServer((socket) => socket.end("421 4.3.2 busy\r\n"))
    const transport = createTransport({ host: "127.0.0.1", port })
    await expect(transport.sendMail(message)).rejects.toMatchObject({
      name: "SmtpReplyError",
      code: 421,
      temporary: true,
    })
    await transport.close()
  })
})

describe("our server survives clients that misbehave", () => {
  it("survives arbitrary bytes from clients and keeps serving", async () => {
    const got: Captured[] = []
    const server: SmtpServer = createSmtpServer({ hostname: "mx.test", onData: captureInto(got) })
    cleanup.push(() => server.close())
    const { port } = await server.listen(0, "127.0.0.1")
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (bytes) => {
        const conn = await rawConnection(port)
        await conn.until(/^220 /m)
        conn.send(bytes)
        conn.send("\r\nQUIT\r\n")
        await Promise.race([conn.closed, new Promise((resolve) => setTimeout(resolve, 500))])
        conn.close()
      }),
      { numRuns: 25 },
    )
    const transport = createTransport({ host: "127.0.0.1", port, startTls: "never" })
    await transport.sendMail(message)
    await transport.close()
    expect(got.map((m) => m.body.toString())).toEqual([message.raw])
  })

  it("keeps serving after a client resets the connection in the middle of DATA", async () => {
    const got: Captured[] = []
    const errors: Error[] = []
    const server: SmtpServer = createSmtpServer({
      hostname: "mx.test",
      onData: captureInto(got),
      onError: (error) => void errors.push(error),
    })
    cleanup.push(() => server.close())
    const { port } = await server.listen(0, "127.0.0.1")
    const conn = await rawConnection(port)
    await conn.until(/^220 /m)
    conn.send("EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA\r\n")
    await conn.until(/^354 /m)
    conn.send("Subject: half\r\n\r\nhalf a mess")
    conn.socket.resetAndDestroy()
    await conn.closed
    const transport = createTransport({ host: "127.0.0.1", port, startTls: "never" })
    await transport.sendMail(message)
    await transport.close()
    expect(got.map((m) => m.body.toString())).toEqual([message.raw])
  })
})

describe("the client side of STARTTLS", () => {
  it("drops server bytes sent in plaintext after 220, never reading them as replies", async () => {
    const tls = await testCertificate()
    const bodies: string[] = []
    const port = await fakeServer((plain) => {
      plain.write("220 fake ESMTP\r\n")
      plain.once("data", () => {
        plain.write("250-fake\r\n250 STARTTLS\r\n")
        plain.once("data", () => {
          // The injected 554 would refuse the EHLO after TLS if the client read it.
          plain.write("220 Ready\r\n554 5.7.0 injected\r\n")
          const secure = new TLSSocket(plain, { isServer: true, key: tls.key, cert: tls.cert })
          secure.on("error", () => {})
          let data: string | null = null
          secure.on("data", (chunk: Buffer) => {
            const text = chunk.toString()
            if (data !== null) {
              data += text
              if (data.endsWith("\r\n.\r\n")) {
                bodies.push(data)
                data = null
                secure.write("250 2.0.0 queued\r\n")
              }
            } else if (text.startsWith("DATA")) {
              data = ""
              secure.write("354 go\r\n")
            } else if (text.startsWith("QUIT")) {
              secure.end("221 bye\r\n")
            } else {
              secure.write("250 ok\r\n")
            }
          })
        })
      })
    })
    const transport = createTransport({ host: "localhost", port, tls: { ca: tls.cert } })
    const info = await transport.sendMail(message)
    await transport.close()
    expect(info.response).toBe("250 2.0.0 queued")
    expect(bodies).toEqual(["Subject: x\r\n\r\nx\r\n.\r\n"])
  })

  it("will not send a password to a server that offers AUTH only in plaintext", async () => {
    const server = createSmtpServer({
      hostname: "mx.test",
      allowInsecureAuth: true,
      onAuth: () => true,
    })
    cleanup.push(() => server.close())
    const { port } = await server.listen(0, "127.0.0.1")
    const transport = createTransport({ host: "127.0.0.1", port, auth: { user: "a", pass: "b" } })
    await expect(transport.sendMail(message)).rejects.toMatchObject({
      name: "ConnectionError",
      code: "POLICY",
      stage: "auth",
    })
    await transport.close()
  })
})
