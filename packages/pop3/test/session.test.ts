import { InMemoryMaildropStore } from "@mailwire/pop3"
import { describe, expect, it } from "vitest"
import { byteAtATime, Link, show } from "./link.js"

const MESSAGE_1 = "Subject: one\r\n\r\nfirst body\r\n"
const MESSAGE_2 = "Subject: two\r\nX: y\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nlast\r\n"

function storeWithMail(): InMemoryMaildropStore {
  const store = new InMemoryMaildropStore()
  store.deliver("alice", MESSAGE_1, "uid-1")
  store.deliver("alice", MESSAGE_2, "uid-2")
  return store
}

async function loggedIn(link: Link): Promise<void> {
  await link.pump()
  const capa = link.client.send({ command: "CAPA" })
  await link.pump()
  expect(link.reply(capa)).toMatchObject({ type: "Ok" })
  const login = link.client.login({ username: "alice", password: "wonderland" })
  await link.pump()
  expect(link.reply(login)).toMatchObject({ type: "Ok" })
  expect(link.client.state).toBe("TRANSACTION")
  expect(link.server.state).toBe("TRANSACTION")
}

describe("client and server over an in-memory link", () => {
  it("logs in with SASL PLAIN under TLS and lists, reads and deletes mail", async () => {
    const link = new Link({
      store: storeWithMail(),
      client: { isSecure: true },
      server: { isSecure: true },
    })
    await loggedIn(link)
    expect(link.serverEvents).toEqual([])
    const stat = link.client.send({ command: "STAT" })
    const list = link.client.send({ command: "LIST" })
    const uidl = link.client.send({ command: "UIDL" })
    const retr = link.client.send({ command: "RETR", message: 2 })
    const top = link.client.send({ command: "TOP", message: 2, lines: 1 })
    const dele = link.client.send({ command: "DELE", message: 1 })
    await link.pump()
    const size = MESSAGE_1.length + MESSAGE_2.length
    expect(link.reply(stat)).toMatchObject({ data: { kind: "stat", count: 2, size } })
    expect(link.reply(list)).toMatchObject({
      data: {
        kind: "list",
        entries: [
          { number: 1, size: MESSAGE_1.length },
          { number: 2, size: MESSAGE_2.length },
        ],
      },
    })
    expect(link.reply(uidl)).toMatchObject({
      data: {
        kind: "uidl",
        entries: [
          { number: 1, uid: "uid-1" },
          { number: 2, uid: "uid-2" },
        ],
      },
    })
    expect(show(link.message(retr))).toBe(MESSAGE_2)
    expect(link.reply(retr)).toMatchObject({
      type: "Ok",
      data: { kind: "message", size: MESSAGE_2.length },
    })
    expect(show(link.message(top))).toBe("Subject: two\r\nX: y\r\n\r\n.leading dot\r\n")
    expect(link.reply(dele)).toMatchObject({ type: "Ok" })
    expect(link.store.uids("alice")).toEqual(["uid-1", "uid-2"])
    const quit = link.client.send({ command: "QUIT" })
    await link.pump()
    expect(link.reply(quit)).toMatchObject({ type: "Ok" })
    expect(link.store.uids("alice")).toEqual(["uid-2"])
    expect(link.store.isLocked("alice")).toBe(false)
    expect(link.client.state).toBe("CLOSED")
    expect(link.server.state).toBe("CLOSED")
    expect(link.serverEvents).toEqual([{ type: "Closed", reason: "quit", maildropOpen: false }])
  })

  it("pipelines commands when the server lists PIPELINING", async () => {
    const link = new Link({
      store: storeWithMail(),
      client: { isSecure: true },
      server: { isSecure: true },
    })
    await loggedIn(link)
    link.client.send({ command: "STAT" })
    link.client.send({ command: "NOOP" })
    link.client.send({ command: "RETR", message: 1 })
    expect(show(link.client.takeOutput())).toBe("STAT\r\nNOOP\r\nRETR 1\r\n")
  })

  it("waits for each reply when the server does not list PIPELINING", async () => {
    const link = new Link({ client: { isSecure: true }, server: { isSecure: true } })
    await link.pump()
    link.client.send({ command: "CAPA" })
    link.client.send({ command: "NOOP" })
    expect(show(link.client.takeOutput())).toBe("CAPA\r\n")
  })

  it("logs in with APOP when the greeting has a timestamp and no SASL is safe", async () => {
    const link = new Link({ store: storeWithMail(), server: { apop: true } })
    await link.pump()
    link.client.send({ command: "CAPA" })
    await link.pump()
    expect(link.client.apopTimestamp).toMatch(/^<[0-9a-f]{24}@localhost>$/)
    const login = link.client.login({ username: "alice", password: "wonderland" })
    const line = link.client.takeOutput()
    expect(show(line)).toMatch(/^APOP alice [0-9a-f]{32}\r\n$/)
    await link.responder.handle(link.server.receive(line))
    await link.pump()
    expect(link.reply(login)).toMatchObject({ type: "Ok", command: "APOP" })
  })

  it("reports a wrong APOP secret as -ERR [AUTH]", async () => {
    const link = new Link({ store: storeWithMail(), server: { apop: true } })
    await link.pump()
    const login = link.client.send({ command: "APOP", username: "alice", secret: "wrong" })
    await link.pump()
    expect(link.reply(login)).toMatchObject({ type: "Err", code: "AUTH" })
    expect(link.client.state).toBe("AUTHORIZATION")
  })

  it("upgrades with STLS, then offers plaintext logins", async () => {
    const link = new Link({ store: storeWithMail(), server: { tls: true } })
    await link.pump()
    link.client.send({ command: "CAPA" })
    await link.pump()
    expect(link.client.capabilities?.stls).toBe(true)
    expect(link.client.capabilities?.user).toBe(false)
    expect(link.client.capabilities?.sasl).toBeNull()
    expect(() => link.client.login({ username: "alice", password: "wonderland" })).toThrow(
      /no login method/,
    )
    link.client.send({ command: "STLS" })
    await link.pump()
    expect(link.client.state).toBe("TLS_HANDSHAKE")
    expect(link.server.state).toBe("TLS_HANDSHAKE")
    expect(link.serverEvents).toContainEqual({ type: "StartTls" })
    link.server.resumeAfterTls()
    link.client.resumeAfterTls()
    expect(link.client.capabilities).toBeNull()
    link.client.send({ command: "CAPA" })
    await link.pump()
    expect(link.client.capabilities).toMatchObject({ stls: false, user: true, sasl: ["PLAIN"] })
    const login = link.client.login({ username: "alice", password: "wonderland" })
    await link.pump()
    expect(link.reply(login)).toMatchObject({ type: "Ok", command: "AUTH" })
  })

  it("logs in with USER/PASS where the server offers no SASL", async () => {
    const link = new Link({
      store: storeWithMail(),
      client: { isSecure: true },
      server: { isSecure: true, saslMechanisms: [] },
    })
    await link.pump()
    link.client.send({ command: "CAPA" })
    await link.pump()
    const login = link.client.login({ username: "alice", password: "wonderland" })
    await link.pump()
    expect(link.reply(login)).toMatchObject({ type: "Ok", command: "PASS" })
    expect(link.client.state).toBe("TRANSACTION")
  })

  it("answers [IN-USE] to a second session on a locked maildrop", async () => {
    const store = storeWithMail()
    const first = new Link({ store, client: { isSecure: true }, server: { isSecure: true } })
    await loggedIn(first)
    const second = new Link({ store, client: { isSecure: true }, server: { isSecure: true } })
    await second.pump()
    second.client.send({ command: "CAPA" })
    await second.pump()
    const login = second.client.login({ username: "alice", password: "wonderland" })
    await second.pump()
    expect(second.reply(login)).toMatchObject({ type: "Err", code: "IN-USE" })
    expect(second.client.state).toBe("AUTHORIZATION")
  })

  it("works the same when every byte arrives alone", async () => {
    const link = new Link({
      store: storeWithMail(),
      client: { isSecure: true },
      server: { isSecure: true },
    })
    link.split = byteAtATime
    await loggedIn(link)
    const retr = link.client.send({ command: "RETR", message: 2 })
    const uidl = link.client.send({ command: "UIDL", message: 1 })
    await link.pump()
    expect(show(link.message(retr))).toBe(MESSAGE_2)
    expect(link.reply(uidl)).toMatchObject({ data: { entries: [{ number: 1, uid: "uid-1" }] } })
  })
})
