/**
 * Hooks that answer at once and hooks that answer later, mixed in one pipelined batch
 * (RFC 2920 §3.1): the replies still go out in command order, and a transport given an
 * envelope sends with it without reading the message's headers.
 */
import { createTransport, SmtpReplyError, type SmtpServerOptions } from "@mailwire/node/smtp"
import { describe, expect, it } from "vitest"
import { rawConnection } from "./harness/capture.js"
import { smtpServerStarter } from "./harness/smtp-servers.js"

const startServer = smtpServerStarter()
const start = async (options: SmtpServerOptions = {}) => (await startServer(options)).port

describe("hooks that return plain values and hooks that return promises", () => {
  it("answers a pipelined batch in command order", async () => {
    const port = await start({
      onMailFrom: async () => undefined,
      onRcptTo: (address) => {
        if (address === "now@x.test") return { code: 250, text: "now" }
        if (address === "later@x.test") return Promise.resolve({ code: 250, text: "later" })
        if (address === "refused-later@x.test") {
          return Promise.reject(new SmtpReplyError(550, "refused later"))
        }
        throw new SmtpReplyError(550, "refused now")
      },
    })
    const conn = await rawConnection(port)
    await conn.until(/^220 /m)
    conn.send("EHLO c.test\r\n")
    await conn.until(/^250 /m)
    conn.send(
      "MAIL FROM:<a@x.test>\r\nRCPT TO:<later@x.test>\r\nRCPT TO:<refused-now@x.test>\r\n" +
        "RCPT TO:<now@x.test>\r\nRCPT TO:<refused-later@x.test>\r\nRSET\r\nQUIT\r\n",
    )
    await conn.closed
    const replies = conn.received.split("\r\n").filter((line) => line !== "")
    expect(replies.slice(-7)).toEqual([
      "250 2.1.0 Sender OK",
      "250 later",
      "550 refused now",
      "250 now",
      "550 refused later",
      "250 2.0.0 OK",
      "221 2.0.0 Bye",
    ])
  })
})

describe("a transport given an envelope", () => {
  it("sends a raw message whose headers name no sender or recipient", async () => {
    const seen: { from: string; to: readonly string[] }[] = []
    const port = await start({
      async onData(envelope, stream) {
        seen.push({ from: envelope.from, to: envelope.to })
        for await (const _chunk of stream) {
          // The bytes are not kept.
        }
      },
    })
    const transport = createTransport({ host: "127.0.0.1", port, startTls: "never" })
    const info = await transport.sendMail({
      raw: "Subject: no addresses\r\n\r\nhi\r\n",
      envelope: { from: "a@x.test", to: ["b@x.test"] },
    })
    await transport.close()
    expect(info.envelope).toEqual({ from: "a@x.test", to: ["b@x.test"] })
    expect(seen).toEqual([{ from: "a@x.test", to: ["b@x.test"] }])
  })
})
