/**
 * A send that every recipient refuses, over loopback: the rejection carries each
 * recipient's own reply, not only the first one's.
 */
import {
  createSmtpServer,
  createTransport,
  SmtpClient,
  SmtpReplyError,
  type SmtpServer,
} from "@mailwire/node/smtp"
import { afterEach, describe, expect, it } from "vitest"

const servers: SmtpServer[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

/** Refuses gone@ with 550 5.1.1, full@ with 452 4.2.2, busy@ with 450 4.2.1; accepts the rest. */
async function start(options: Parameters<typeof createSmtpServer>[0] = {}) {
  const server = createSmtpServer({
    hostname: "mx.test",
    onRcptTo: (address) => {
      if (address.startsWith("gone")) {
        throw new SmtpReplyError(550, "No such user", { enhancedCode: "5.1.1" })
      }
      if (address.startsWith("full")) return { code: 452, enhancedCode: "4.2.2", text: "Full" }
      if (address.startsWith("busy")) return { code: 450, enhancedCode: "4.2.1", text: "Later" }
      return undefined
    },
    ...options,
  })
  servers.push(server)
  return (await server.listen(0, "127.0.0.1")).port
}

const body = new TextEncoder().encode("Subject: x\r\n\r\nx\r\n")

describe("SmtpClient.send when every recipient is refused", () => {
  it("rejects with every recipient's own reply in `rejected`", async () => {
    const port = await start()
    const client = new SmtpClient({ host: "127.0.0.1", port, startTls: "never" })
    await client.connect()
    const to = ["gone@x.test", "full@x.test", "busy@x.test"]
    const failure = await client.send({ from: "a@x.test", to, body }).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(SmtpReplyError)
    const error = failure as SmtpReplyError
    expect([error.code, error.enhancedCode]).toEqual([550, "5.1.1"])
    expect(
      error.rejected.map(({ recipient, reply }) => [
        recipient,
        reply instanceof SmtpReplyError ? [reply.code, reply.enhancedCode, reply.temporary] : null,
      ]),
    ).toEqual([
      ["gone@x.test", [550, "5.1.1", false]],
      ["full@x.test", [452, "4.2.2", true]],
      ["busy@x.test", [450, "4.2.1", true]],
    ])
    // The connection is still usable for the next message.
    await expect(client.send({ from: "a@x.test", to: ["ok@x.test"], body })).resolves.toMatchObject(
      { accepted: ["ok@x.test"] },
    )
    await client.quit()
  })

  it("gives each recipient the message's refusal when the end of data refused it", async () => {
    const port = await start({
      onData: async (_envelope, stream) => {
        for await (const _chunk of stream) {
          // read and refuse
        }
        return { code: 554, enhancedCode: "5.7.1", text: "Spam" }
      },
    })
    const transport = createTransport({ host: "127.0.0.1", port, startTls: "never" })
    const failure = await transport
      .sendMail({ raw: body, envelope: { from: "a@x.test", to: ["ok1@x.test", "ok2@x.test"] } })
      .catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(SmtpReplyError)
    expect(
      (failure as SmtpReplyError).rejected.map((r) => [
        r.recipient,
        (r.reply as SmtpReplyError).code,
      ]),
    ).toEqual([
      ["ok1@x.test", 554],
      ["ok2@x.test", 554],
    ])
    await transport.close()
  })

  it("leaves `rejected` empty on errors that are not an all-refused send", () => {
    expect(new SmtpReplyError(550, "No").rejected).toEqual([])
  })
})
