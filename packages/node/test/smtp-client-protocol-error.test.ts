import type { Socket } from "node:net"
import { ConnectionError, replyError, SmtpClient, SmtpReplyError } from "@mailwire/node/smtp"
import { describe, expect, it } from "vitest"
import { netServerStarter } from "./harness/net-servers.js"

const listen = netServerStarter()

/**
 * A fake SMTP server that answers line by line and, at the end of the first message,
 * sends its `250` and then garbage in one write.
 */
async function fakeServer(endOfData = "garbage"): Promise<number> {
  return listen((socket: Socket) => {
    let buffered = ""
    let inData = false
    socket.on("error", () => {})
    socket.write("220 fake.test ESMTP\r\n")
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("latin1")
      for (let end = buffered.indexOf("\r\n"); end >= 0; end = buffered.indexOf("\r\n")) {
        const line = buffered.slice(0, end)
        buffered = buffered.slice(end + 2)
        if (inData) {
          if (line === ".") {
            inData = false
            if (endOfData === "hang up") socket.destroy()
            else socket.write("250 2.0.0 Ok: queued as 4F3A\r\n\x00not a reply at all\r\n")
          }
        } else if (line.startsWith("EHLO")) {
          socket.write("250-fake.test\r\n250 PIPELINING\r\n")
        } else if (line === "DATA") {
          inData = true
          socket.write("354 go ahead\r\n")
        } else {
          socket.write("250 2.1.0 Ok\r\n")
        }
      }
    })
  })
}

describe("SmtpClient when the server breaks the protocol after a good reply", () => {
  it("resolves the message the server took and rejects only the one still open", async () => {
    const port = await fakeServer()
    const client = new SmtpClient({ host: "127.0.0.1", port, startTls: "never" })
    await client.connect()
    const body = new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n")
    const first = client.send({ from: "a@x.test", to: ["b@x.test"], body })
    const second = client.send({ from: "a@x.test", to: ["c@x.test"], body })
    const [one, two] = await Promise.allSettled([first, second])
    client.close()
    expect(one).toMatchObject({
      status: "fulfilled",
      value: { accepted: ["b@x.test"], response: "250 2.0.0 Ok: queued as 4F3A" },
    })
    expect(two.status).toBe("rejected")
    const error = (two as PromiseRejectedResult).reason
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error).toMatchObject({ code: "PROTOCOL" })
  })
})

describe("SmtpClient when the server hangs up instead of answering", () => {
  it("rejects with ConnectionError CLOSED, not a made-up 421 reply", async () => {
    const port = await fakeServer("hang up")
    const client = new SmtpClient({ host: "127.0.0.1", port, startTls: "never" })
    await client.connect()
    const body = new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n")
    const sent = client.send({ from: "a@x.test", to: ["b@x.test"], body })
    await expect(sent).rejects.toBeInstanceOf(ConnectionError)
    await expect(sent).rejects.toMatchObject({ code: "CLOSED" })
    client.close()
  })

  it("turns a synthetic reply into ConnectionError CLOSED and a real 421 into SmtpReplyError", () => {
    const made = replyError(
      { code: 421, enhancedCode: "4.4.2", lines: ["Connection closed"], synthetic: true },
      "DATA",
    )
    expect(made).toBeInstanceOf(ConnectionError)
    expect(made).toMatchObject({ code: "CLOSED", stage: "DATA" })
    const real = replyError({ code: 421, enhancedCode: "4.4.2", lines: ["Going down"] }, "DATA")
    expect(real).toBeInstanceOf(SmtpReplyError)
    expect(real).toMatchObject({ code: 421, temporary: true })
  })
})
