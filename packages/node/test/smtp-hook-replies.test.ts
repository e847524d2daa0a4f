import { createTransport, SmtpReplyError, type SmtpServerOptions } from "@mailwire/node/smtp"
import { describe, expect, it } from "vitest"
import { rawConnection } from "./harness/capture.js"
import { smtpServerStarter } from "./harness/smtp-servers.js"

const startServer = smtpServerStarter()
const start = async (options: SmtpServerOptions = {}) => (await startServer(options)).port

async function drain(stream: AsyncIterable<unknown>) {
  for await (const _chunk of stream) {
    // The bytes are not kept.
  }
}

describe("hooks that resolve with a positive reply", () => {
  it("answers MAIL, RCPT and the message with the hooks' own 2xx replies", async () => {
    const port = await start({
      onMailFrom: () => ({ code: 250, enhancedCode: "2.1.0", text: "Sender looks fine" }),
      onRcptTo: (address) => ({ code: 251, enhancedCode: "2.1.5", text: `Forwarding ${address}` }),
      async onData(_envelope, stream) {
        await drain(stream)
        return { code: 250, enhancedCode: "2.0.0", text: "Ok: queued as 4F3A" }
      },
    })
    const conn = await rawConnection(port)
    await conn.until(/^220 /m)
    conn.send("EHLO c.test\r\n")
    await conn.until(/^250 /m)
    conn.send("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA\r\n")
    await conn.until(/^354 /m)
    conn.send("Subject: hi\r\n\r\nhello\r\n.\r\n")
    await conn.until(/queued as/)
    conn.send("QUIT\r\n")
    await conn.closed
    expect(conn.received).toContain("250 2.1.0 Sender looks fine\r\n")
    expect(conn.received).toContain("251 2.1.5 Forwarding b@x.test\r\n")
    expect(conn.received).toContain("250 2.0.0 Ok: queued as 4F3A\r\n")
  })

  it("shows the queue id in the transport's response", async () => {
    const port = await start({
      async onData(_envelope, stream) {
        await drain(stream)
        return { code: 250, enhancedCode: "2.0.0", text: "Ok: queued as 77AB" }
      },
    })
    const transport = createTransport({ host: "127.0.0.1", port, startTls: "never" })
    const info = await transport.sendMail({ raw: "From: a@x.test\r\nTo: b@x.test\r\n\r\nhi\r\n" })
    await transport.close()
    expect(info.response).toBe("250 2.0.0 Ok: queued as 77AB")
  })

  it("refuses with 451 and reports a positive reply that cannot be sent", async () => {
    const errors: Error[] = []
    const port = await start({
      onRcptTo: () => ({ code: 250, text: "ok\r\n250 injected" }),
      onError: (error) => errors.push(error),
    })
    const transport = createTransport({ host: "127.0.0.1", port, startTls: "never" })
    const sent = transport.sendMail({ raw: "From: a@x.test\r\nTo: b@x.test\r\n\r\nhi\r\n" })
    await expect(sent).rejects.toMatchObject({ code: 451, enhancedCode: "4.3.0" })
    await transport.close()
    expect(errors.map((error) => error.name)).toContain("LocalProtocolError")
  })

  it("sends every line of a multi-line SmtpReplyError refusal", async () => {
    const port = await start({
      onRcptTo: () => {
        throw new SmtpReplyError(550, "No such user", {
          enhancedCode: "5.1.1",
          moreLines: ["See the directory"],
        })
      },
    })
    const conn = await rawConnection(port)
    await conn.until(/^220 /m)
    conn.send("EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\n")
    await conn.until(/^550 /m)
    conn.send("QUIT\r\n")
    await conn.closed
    expect(conn.received).toContain("550-5.1.1 No such user\r\n550 5.1.1 See the directory\r\n")
  })

  it("gives LMTP recipients their own positive replies", async () => {
    const port = await start({
      lmtp: true,
      async onData(_envelope, stream) {
        await drain(stream)
        return [
          { code: 250, enhancedCode: "2.1.5", text: "Delivered to b, id 1" },
          new SmtpReplyError(452, "Mailbox full", { enhancedCode: "4.2.2" }),
        ]
      },
    })
    const conn = await rawConnection(port)
    await conn.until(/^220 /m)
    conn.send(
      "LHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nRCPT TO:<c@x.test>\r\nDATA\r\n",
    )
    await conn.until(/^354 /m)
    conn.send("hi\r\n.\r\n")
    await conn.until(/^452 /m)
    conn.send("QUIT\r\n")
    await conn.closed
    expect(conn.received).toContain("250 2.1.5 Delivered to b, id 1\r\n452 4.2.2 Mailbox full\r\n")
  })
})
