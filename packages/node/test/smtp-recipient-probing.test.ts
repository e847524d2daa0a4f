/**
 * Recipient probing over a real socket: a client that guesses mailboxes is cut off with
 * `421 4.7.0` once `onRcptTo` has refused `maxRejectedRecipients` of them.
 */
import { createSmtpServer, SmtpReplyError, type SmtpServerOptions } from "@mailwire/node/smtp"
import { describe, expect, it } from "vitest"
import { rawConnection } from "./harness/capture.js"
import { smtpServerStarter } from "./harness/smtp-servers.js"

const startServer = smtpServerStarter()
const start = async (options: SmtpServerOptions = {}) => (await startServer(options)).port

const probes = (count: number) =>
  Array.from({ length: count }, (_, i) => `RCPT TO:<guess${i}@mx.test>\r\n`).join("")

describe("createSmtpServer maxRejectedRecipients", () => {
  it("answers 421 4.7.0 and closes after the default 20 refused recipients", async () => {
    const port = await start({
      onRcptTo: () => {
        throw new SmtpReplyError(550, "No such user", { enhancedCode: "5.1.1" })
      },
    })
    const client = await rawConnection(port)
    await client.until(/^220 /m)
    client.send(`EHLO probe\r\nMAIL FROM:<p@probe.test>\r\n${probes(25)}`)
    await client.closed
    const lines = client.received.trimEnd().split("\r\n")
    expect(lines.filter((l) => l.startsWith("550 5.1.1"))).toHaveLength(20)
    expect(lines.at(-1)).toBe("421 4.7.0 Too many rejected recipients")
  })

  it("takes a smaller limit as an option and rejects a bad one at construction", async () => {
    let asked = 0
    const port = await start({
      maxRejectedRecipients: 2,
      onRcptTo: async () => {
        asked++
        return { code: 450, enhancedCode: "4.2.0", text: "Try later" }
      },
    })
    const client = await rawConnection(port)
    await client.until(/^220 /m)
    client.send(`EHLO probe\r\nMAIL FROM:<p@probe.test>\r\n${probes(5)}`)
    await client.closed
    expect(asked).toBe(2)
    expect(client.received).toMatch(/450 4\.2\.0 Try later\r\n421 4\.7\.0 Too many rejected/)
    expect(() => createSmtpServer({ maxRejectedRecipients: 0 })).toThrow(
      /option "maxRejectedRecipients"/,
    )
  })
})
