import {
  SmtpClientConnection,
  type SmtpClientEvent,
  type SmtpClientOptions,
  SmtpServerConnection,
} from "@mailwire/smtp"
import { describe, expect, it } from "vitest"
import { byteAtATime, dec, enc, runLink, ServerApp } from "./support.js"

/** A client past its greeting and EHLO, with `extensions` announced. */
function ready(extensions: readonly string[], options: SmtpClientOptions = {}) {
  const client = new SmtpClientConnection({ hostname: "c.test", ...options })
  client.receive(enc("220 mx.test ESMTP\r\n"))
  client.takeOutput()
  const lines = ["mx.test hi", ...extensions]
  const reply = lines
    .map((line, i) => `250${i === lines.length - 1 ? " " : "-"}${line}\r\n`)
    .join("")
  expect(client.receive(enc(reply)).at(-1)?.type).toBe("ready")
  return client
}

const wrote = (client: SmtpClientConnection) => dec(client.takeOutput())
const results = (events: ReadonlyArray<SmtpClientEvent>) =>
  events.flatMap((e) => (e.type === "transactionComplete" ? [e.result] : []))
const envelopeOf = (from: string, to: string) =>
  `MAIL FROM:<${from}>\r\nRCPT TO:<${to}>\r\nDATA\r\n`

/** Two messages queued on a PIPELINING client, the first one's envelope answered. */
function twoQueued() {
  const client = ready(["PIPELINING"])
  const first = client.sendMail({ from: "a@x.test", to: ["b@y.test"], body: enc("one\r\n") })
  const second = client.sendMail({ from: "a@x.test", to: ["c@y.test"], body: enc("two\r\n") })
  expect(wrote(client)).toBe(envelopeOf("a@x.test", "b@y.test"))
  client.receive(enc("250 ok\r\n250 ok\r\n354 go\r\n"))
  return { client, first, second }
}

describe("pipelining across messages (RFC 2920 §3.1)", () => {
  it("sends the next envelope in the same write as the end of the message before it", () => {
    const { client } = twoQueued()
    expect(wrote(client)).toBe(`one\r\n.\r\n${envelopeOf("a@x.test", "c@y.test")}`)
  })

  it("matches the final reply to the first message and the next replies to the second", () => {
    const { client, first, second } = twoQueued()
    client.takeOutput()
    const events = client.receive(enc("250 2.0.0 queued one\r\n250 ok\r\n250 ok\r\n354 go\r\n"))
    expect(events.map((e) => e.type)).toEqual(["transactionComplete", "readyForBody"])
    expect(results(events)).toMatchObject([
      { id: first, acceptedCount: 1, recipients: [{ reply: { lines: ["queued one"] } }] },
    ])
    expect(events[1]).toEqual({ type: "readyForBody", id: second })
    expect(wrote(client)).toBe("two\r\n.\r\n")
    expect(results(client.receive(enc("250 2.0.0 queued two\r\n")))).toMatchObject([
      { id: second, acceptedCount: 1, recipients: [{ reply: { lines: ["queued two"] } }] },
    ])
  })

  it("fails only the first message when its body is refused", () => {
    const { client, first, second } = twoQueued()
    client.takeOutput()
    const events = client.receive(enc("554 5.7.1 spam\r\n250 ok\r\n250 ok\r\n354 go\r\n"))
    expect(results(events)).toMatchObject([
      { id: first, acceptedCount: 0, recipients: [{ accepted: false, reply: { code: 554 } }] },
    ])
    expect(wrote(client)).toBe("two\r\n.\r\n")
    expect(results(client.receive(enc("250 ok\r\n")))).toMatchObject([
      { id: second, acceptedCount: 1 },
    ])
  })

  it("fails only the second message when its MAIL is refused, and never sends its body", () => {
    const { client, first, second } = twoQueued()
    client.takeOutput()
    const events = client.receive(
      enc("250 ok\r\n550 5.7.1 not you\r\n503 5.5.1 no MAIL\r\n503 5.5.1 no valid recipients\r\n"),
    )
    expect(results(events)).toMatchObject([
      { id: first, acceptedCount: 1 },
      { id: second, acceptedCount: 0, recipients: [{ accepted: false, reply: { code: 550 } }] },
    ])
    expect(wrote(client)).toBe("")
    const third = client.sendMail({ from: "a@x.test", to: ["d@y.test"], body: enc("3\r\n") })
    expect(wrote(client)).toBe(envelopeOf("a@x.test", "d@y.test"))
    client.receive(enc("250 ok\r\n250 ok\r\n354 go\r\n"))
    expect(wrote(client)).toBe("3\r\n.\r\n")
    expect(results(client.receive(enc("250 ok\r\n")))).toMatchObject([
      { id: third, acceptedCount: 1 },
    ])
  })

  it("sends an empty message, not the body, when a server says 354 after refusing MAIL", () => {
    const { client, second } = twoQueued()
    client.takeOutput()
    client.receive(enc("250 ok\r\n550 5.7.1 not you\r\n250 ok\r\n354 go\r\n"))
    expect(wrote(client)).toBe(".\r\n")
    expect(results(client.receive(enc("250 ok\r\n")))).toMatchObject([
      { id: second, acceptedCount: 0, recipients: [{ accepted: false, reply: { code: 550 } }] },
    ])
  })

  it("does not send the second body when its DATA is refused after 250s", () => {
    const { client, second } = twoQueued()
    client.takeOutput()
    const events = client.receive(enc("250 ok\r\n250 ok\r\n250 ok\r\n451 4.3.0 not now\r\n"))
    expect(results(events)[1]).toMatchObject({
      id: second,
      acceptedCount: 0,
      recipients: [{ accepted: false, temporary: true, reply: { code: 451 } }],
    })
    // The server still holds the second MAIL: the next transaction resets it first.
    expect(wrote(client)).toBe("")
    client.sendMail({ from: "a@x.test", to: ["d@y.test"], body: enc("3\r\n") })
    expect(wrote(client)).toBe(`RSET\r\n${envelopeOf("a@x.test", "d@y.test")}`)
  })

  it("fails both messages on a 421 after the first body, and closes", () => {
    const { client, first, second } = twoQueued()
    client.takeOutput()
    const events = client.receive(enc("421 4.3.2 shutting down\r\n"))
    expect(results(events).map((r) => [r.id, r.recipients[0]?.reply.code])).toEqual([
      [first, 421],
      [second, 421],
    ])
    expect(events.at(-1)).toMatchObject({ type: "closed", reply: { code: 421 } })
  })

  it("fails both messages with a synthetic reply when the server hangs up", () => {
    const { client, first, second } = twoQueued()
    client.takeOutput()
    const events = client.receiveEnd()
    expect(results(events).map((r) => [r.id, r.recipients[0]?.reply.synthetic])).toEqual([
      [first, true],
      [second, true],
    ])
  })

  it("keeps the first message's success when the hang-up comes after its final reply", () => {
    const { client, first, second } = twoQueued()
    client.takeOutput()
    const events = [...client.receive(enc("250 ok\r\n250 ok\r\n")), ...client.receiveEnd()]
    expect(results(events).map((r) => [r.id, r.acceptedCount])).toEqual([
      [first, 1],
      [second, 0],
    ])
  })

  it("waits for the final reply without PIPELINING", () => {
    const client = ready([])
    client.sendMail({ from: "a@x.test", to: ["b@y.test"], body: enc("one\r\n") })
    client.sendMail({ from: "a@x.test", to: ["c@y.test"], body: enc("two\r\n") })
    client.takeOutput()
    client.receive(enc("250 ok\r\n"))
    client.takeOutput()
    client.receive(enc("250 ok\r\n"))
    client.takeOutput()
    client.receive(enc("354 go\r\n"))
    expect(wrote(client)).toBe("one\r\n.\r\n")
    client.receive(enc("250 ok\r\n"))
    expect(wrote(client)).toBe("MAIL FROM:<a@x.test>\r\n")
  })

  it("waits for the final reply when PIPELINING is turned off", () => {
    const client = ready(["PIPELINING"], { usePipelining: false })
    client.sendMail({ from: "a@x.test", to: ["b@y.test"], body: enc("one\r\n") })
    client.sendMail({ from: "a@x.test", to: ["c@y.test"], body: enc("two\r\n") })
    for (const reply of ["250 ok\r\n", "250 ok\r\n"]) {
      client.takeOutput()
      client.receive(enc(reply))
    }
    client.takeOutput()
    client.receive(enc("354 go\r\n"))
    expect(wrote(client)).toBe("one\r\n.\r\n")
  })

  it("waits for the final reply after BDAT (RFC 3030)", () => {
    const client = ready(["PIPELINING", "CHUNKING"])
    client.sendMail({ from: "a@x.test", to: ["b@y.test"], body: enc("one") })
    client.sendMail({ from: "a@x.test", to: ["c@y.test"], body: enc("two") })
    client.takeOutput()
    client.receive(enc("250 ok\r\n250 ok\r\n"))
    expect(wrote(client)).toBe("BDAT 3\r\noneBDAT 0 LAST\r\n")
    client.receive(enc("250 ok\r\n250 ok\r\n"))
    expect(wrote(client)).toBe("MAIL FROM:<a@x.test>\r\nRCPT TO:<c@y.test>\r\n")
  })

  it("starts the next envelope when a streamed body ends", () => {
    const client = ready(["PIPELINING"])
    const first = client.sendMail({ from: "a@x.test", to: ["b@y.test"] })
    client.sendMail({ from: "a@x.test", to: ["c@y.test"], body: enc("two\r\n") })
    client.takeOutput()
    client.receive(enc("250 ok\r\n250 ok\r\n354 go\r\n"))
    client.writeBody(first, enc("one\r\n"))
    expect(wrote(client)).toBe("one\r\n")
    client.endBody(first)
    expect(wrote(client)).toBe(`.\r\n${envelopeOf("a@x.test", "c@y.test")}`)
  })

  it("reads every LMTP final reply of a message before the next one's (RFC 2033 §4.2)", () => {
    const client = ready(["PIPELINING"], { lmtp: true })
    const first = client.sendMail({
      from: "a@x.test",
      to: ["b@y.test", "c@y.test"],
      body: enc("1\r\n"),
    })
    const second = client.sendMail({ from: "a@x.test", to: ["d@y.test"], body: enc("2\r\n") })
    client.takeOutput()
    client.receive(enc("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n"))
    expect(wrote(client)).toBe(`1\r\n.\r\n${envelopeOf("a@x.test", "d@y.test")}`)
    const events = client.receive(enc("250 ok\r\n452 4.2.2 full\r\n250 ok\r\n250 ok\r\n354 go\r\n"))
    expect(results(events)).toMatchObject([
      { id: first, acceptedCount: 1, recipients: [{ accepted: true }, { accepted: false }] },
    ])
    expect(events.at(-1)).toEqual({ type: "readyForBody", id: second })
  })

  it("sends QUIT only after the last final reply", () => {
    const { client } = twoQueued()
    client.quit()
    client.takeOutput()
    client.receive(enc("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n"))
    expect(wrote(client)).toBe("two\r\n.\r\n")
    client.receive(enc("250 ok\r\n"))
    expect(wrote(client)).toBe("QUIT\r\n")
  })

  it("delivers many messages to mailwire's server, in order, however the bytes are split", () => {
    for (const split of [undefined, byteAtATime]) {
      const app = new ServerApp(new SmtpServerConnection({ hostname: "mx.test" }), (event) =>
        event.type === "rcptTo" && event.to.localPart === "nobody"
          ? { code: 550, enhancedCode: "5.1.1", text: "no such user" }
          : "accept",
      )
      const client = new SmtpClientConnection({ hostname: "client.test" })
      const sent: number[] = []
      const events = runLink(
        client,
        app,
        (event) => {
          if (event.type !== "ready") return
          for (let i = 0; i < 6; i++) {
            const to = i === 2 ? "nobody@y.test" : `r${i}@y.test`
            sent.push(client.sendMail({ from: "a@x.test", to: [to], body: enc(`m${i}\r\n`) }))
          }
          client.quit()
        },
        split === undefined ? {} : { toClient: split, toServer: split },
      )
      expect(results(events).map((r) => [r.id, r.acceptedCount])).toEqual(
        sent.map((id, i) => [id, i === 2 ? 0 : 1]),
      )
      expect(app.messages.map((m) => dec(m.body))).toEqual(
        ["m0", "m1", "m3", "m4", "m5"].map((b) => `${b}\r\n`),
      )
      expect(events.at(-1)?.type).toBe("closed")
    }
  })
})
