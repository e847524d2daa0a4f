import { SmtpClientConnection, type SmtpClientEvent, type SmtpClientOptions } from "@mailwire/smtp"
import { RemoteProtocolError } from "@mailwire/wire"
import { describe, expect, it } from "vitest"
import { dec, enc } from "./support.js"

/** A client that has read the greeting and is waiting for its EHLO reply. */
function greeted(options: SmtpClientOptions = {}) {
  const client = new SmtpClientConnection({ hostname: "c.test", ...options })
  client.receive(enc("220 mx.test ESMTP\r\n"))
  expect(dec(client.takeOutput())).toBe("EHLO c.test\r\n")
  return client
}

function ehlo(client: SmtpClientConnection, extensions: readonly string[]) {
  const lines = ["mx.test hi", ...extensions]
  const reply = lines.map((l, i) => `250${i === lines.length - 1 ? " " : "-"}${l}\r\n`).join("")
  return client.receive(enc(reply))
}

const types = (events: ReadonlyArray<SmtpClientEvent>) => events.map((e) => e.type)

describe("client review: replies the client does not expect", () => {
  it("closes on a multi-line reply whose lines carry different codes", () => {
    const client = greeted()
    const events = client.receive(enc("250-mx.test hi\r\n251 PIPELINING\r\n"))
    expect(types(events)).toEqual(["protocolError", "closed"])
    expect(client.state).toBe("closed")
    expect(() => client.receive(enc("250 OK\r\n"))).toThrow(RemoteProtocolError)
  })

  it("fails the transaction when the server closes in the middle of a multi-line reply", () => {
    const client = greeted()
    ehlo(client, ["PIPELINING"])
    client.takeOutput()
    client.sendMail({ from: "a@x.test", to: ["b@y.test"], body: enc("hi\r\n") })
    client.takeOutput()
    expect(client.receive(enc("250-2.1.0 Sender"))).toEqual([])
    const events = client.receiveEnd()
    expect(types(events)).toEqual(["transactionComplete", "closed"])
    const done = events[0] as Extract<SmtpClientEvent, { type: "transactionComplete" }>
    expect(done.result.recipients.every((r) => r.reply.code === 421)).toBe(true)
    expect(client.state).toBe("closed")
  })

  it("closes on a reply that answers no command", () => {
    const client = greeted()
    ehlo(client, [])
    client.takeOutput()
    expect(types(client.receive(enc("250 surprise\r\n")))).toEqual(["protocolError", "closed"])
    expect(client.state).toBe("closed")
  })

  it("never reads an injected reply pipelined behind 220 to STARTTLS as a reply", () => {
    const client = greeted()
    ehlo(client, ["STARTTLS", "AUTH PLAIN"])
    expect(dec(client.takeOutput())).toBe("STARTTLS\r\n")
    const events = client.receive(enc("220 go ahead\r\n250-mx.test\r\n250 AUTH PLAIN\r\n"))
    expect(events).toMatchObject([{ type: "startTls" }])
    expect(dec((events[0] as { discarded: Uint8Array }).discarded)).toBe(
      "250-mx.test\r\n250 AUTH PLAIN\r\n",
    )
    client.resumeTls()
    expect(dec(client.takeOutput())).toBe("EHLO c.test\r\n")
    expect(client.capabilities.extensions.size ?? 0).toBe(0)
  })
})

describe("client review: no credentials in clear (DESIGN §4 invariant 3)", () => {
  it("refuses a forced XOAUTH2 on a connection without TLS", () => {
    const client = greeted({
      startTls: "never",
      mechanism: "XOAUTH2",
      credentials: { username: "alice", accessToken: "ya29.token" },
    })
    const events = ehlo(client, ["AUTH XOAUTH2 OAUTHBEARER"])
    expect(events).toMatchObject([{ type: "sessionFailed", stage: "auth", reply: null }])
    expect(dec(client.takeOutput())).toBe("QUIT\r\n")
  })

  it("refuses a forced OAUTHBEARER without TLS, and sends it with allowPlaintextAuth", () => {
    const options = {
      startTls: "never",
      mechanism: "OAUTHBEARER",
      credentials: { username: "alice", accessToken: "ya29.token" },
    } as const
    expect(ehlo(greeted(options), ["AUTH OAUTHBEARER"])).toMatchObject([
      { type: "sessionFailed", stage: "auth" },
    ])
    const allowed = greeted({ ...options, allowPlaintextAuth: true })
    expect(ehlo(allowed, ["AUTH OAUTHBEARER"])).toEqual([])
    expect(dec(allowed.takeOutput())).toMatch(/^AUTH OAUTHBEARER /)
  })
})

describe("client: replies completed before a protocol error", () => {
  it("keeps a transaction the server completed when garbage follows in the same chunk", () => {
    const client = greeted()
    ehlo(client, ["PIPELINING"])
    client.takeOutput()
    const first = client.sendMail({ from: "a@x.test", to: ["b@y.test"], body: enc("one\r\n") })
    const second = client.sendMail({ from: "a@x.test", to: ["c@y.test"], body: enc("two\r\n") })
    client.takeOutput()
    client.receive(enc("250 2.1.0 OK\r\n250 2.1.5 OK\r\n354 go\r\n"))
    client.takeOutput()
    const events = client.receive(enc("250 2.0.0 queued as 1\r\n\x00\xffgarbage\r\n"))
    expect(types(events)).toEqual([
      "transactionComplete",
      "protocolError",
      "transactionComplete",
      "closed",
    ])
    const [done, , failed] = events as Extract<SmtpClientEvent, { type: "transactionComplete" }>[]
    expect(done!.result).toMatchObject({ id: first, acceptedCount: 1 })
    expect(done!.result.recipients[0]!.reply.synthetic).toBeUndefined()
    expect(failed!.result).toMatchObject({ id: second, acceptedCount: 0 })
    expect(failed!.result.recipients[0]!.reply).toMatchObject({ code: 421, synthetic: true })
  })
})
