import {
  formatCapabilities,
  InMemoryMaildropStore,
  type Pop3Capabilities,
  Pop3ClientConnection,
  Pop3ServerConnection,
  parseCapabilities,
} from "@mailwire/pop3"
import { encodeUtf8, RemoteProtocolError } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { cutAt, fixedRandom, Link, show, text } from "./link.js"

/** A message of CRLF lines, many of them starting with ".", as a maildrop stores it. */
const messageArb = fc
  .array(
    fc.oneof(
      fc.string({ unit: fc.constantFrom("a", " ", ".", ":", "é", "\t", "x"), maxLength: 30 }),
      fc.constantFrom(".", "..", ".\t", ". ", ""),
    ),
    { minLength: 0, maxLength: 25 },
  )
  .map((lines) => lines.map((line) => `${line}\r\n`).join(""))

const cutsArb = fc.array(fc.nat({ max: 5000 }), { maxLength: 12 })

async function secureLink(store: InMemoryMaildropStore, cuts: number[]): Promise<Link> {
  const link = new Link({ store, client: { isSecure: true }, server: { isSecure: true } })
  link.split = cutAt(cuts)
  await link.pump()
  link.client.send({ command: "CAPA" })
  await link.pump()
  link.client.login({ username: "alice", password: "wonderland" })
  await link.pump()
  expect(link.client.state).toBe("TRANSACTION")
  return link
}

describe("properties", () => {
  it("delivers any message byte-identical through RETR, for any split of the stream", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(messageArb, { minLength: 1, maxLength: 4 }),
        cutsArb,
        async (messages, cuts) => {
          const store = new InMemoryMaildropStore()
          for (const message of messages) store.deliver("alice", message)
          const link = await secureLink(store, cuts)
          const ids = messages.map((_, i) => link.client.send({ command: "RETR", message: i + 1 }))
          await link.pump()
          ids.forEach((id, i) => {
            const expected = encodeUtf8(messages[i]!)
            expect(show(link.message(id))).toBe(show(expected))
            expect(link.reply(id)).toMatchObject({
              type: "Ok",
              data: { size: expected.length },
            })
          })
        },
      ),
      { numRuns: 150 },
    )
  })

  it("deletes exactly the marked messages on QUIT, and nothing when the connection drops", async () => {
    const action = fc.oneof(
      fc.record({ command: fc.constant("DELE" as const), message: fc.integer({ min: 1, max: 6 }) }),
      fc.constant({ command: "RSET" as const }),
      fc.constant({ command: "NOOP" as const }),
      fc.record({ command: fc.constant("RETR" as const), message: fc.integer({ min: 1, max: 6 }) }),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.array(action, { maxLength: 12 }),
        fc.boolean(),
        cutsArb,
        async (actions, quit, cuts) => {
          const store = new InMemoryMaildropStore()
          for (let i = 1; i <= 5; i++)
            store.deliver("alice", `Subject: ${i}\r\n\r\nbody\r\n`, `u${i}`)
          const link = await secureLink(store, cuts)
          const marked = new Set<string>()
          for (const command of actions) {
            link.client.send(command)
            if (command.command === "DELE" && command.message <= 5)
              marked.add(`u${command.message}`)
            if (command.command === "RSET") marked.clear()
          }
          await link.pump()
          if (quit) {
            link.client.send({ command: "QUIT" })
            await link.pump()
            expect(store.uids("alice")).toEqual(
              ["u1", "u2", "u3", "u4", "u5"].filter((u) => !marked.has(u)),
            )
          } else {
            await link.responder.handle(link.server.receiveEnd())
            expect(store.uids("alice")).toEqual(["u1", "u2", "u3", "u4", "u5"])
          }
          expect(store.isLocked("alice")).toBe(false)
        },
      ),
      { numRuns: 150 },
    )
  })

  it("gives the server the same output for any split of the same commands", () => {
    const line = fc.constantFrom(
      "CAPA\r\n",
      "USER alice\r\n",
      "PASS x\r\n",
      "STAT\r\n",
      "NOOP\r\n",
      "AUTH PLAIN\r\n",
      "*\r\n",
      "APOP a b\r\n",
      "bogus\r\n",
      "LIST 1\r\n",
      "QUIT\r\n",
    )
    fc.assert(
      fc.property(fc.array(line, { maxLength: 15 }), cutsArb, (lines, cuts) => {
        const input = text(lines.join(""))
        const run = (pieces: Uint8Array[]) => {
          const conn = new Pop3ServerConnection({ random: fixedRandom, allowPlaintextAuth: true })
          const events = pieces.flatMap((piece) => [...conn.receive(piece)]).map((e) => e.type)
          return { events, output: show(conn.takeOutput()) }
        }
        expect(run(cutAt(cuts)(input))).toEqual(run([input]))
      }),
    )
  })

  it("never throws on arbitrary bytes from a client", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 8 }), (chunks) => {
        const conn = new Pop3ServerConnection({
          random: fixedRandom,
          allowPlaintextAuth: true,
          apop: true,
          tls: true,
        })
        for (const chunk of chunks) conn.receive(chunk)
        conn.receiveEnd()
        conn.takeOutput()
      }),
      { numRuns: 300 },
    )
  })

  it("gives events or RemoteProtocolError only for arbitrary bytes from a server", () => {
    const commands = fc.array(
      fc.constantFrom(
        { command: "CAPA" } as const,
        { command: "STAT" } as const,
        { command: "LIST" } as const,
        { command: "UIDL", message: 1 } as const,
        { command: "RETR", message: 1 } as const,
        { command: "TOP", message: 1, lines: 0 } as const,
        { command: "STLS" } as const,
        { command: "QUIT" } as const,
      ),
      { maxLength: 5 },
    )
    const prefix = fc.constantFrom("", "+OK hi <a@b>\r\n", "+OK\r\n+OK 1 2\r\n", "+OK\r\n.\r\n")
    fc.assert(
      fc.property(
        commands,
        prefix,
        fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 6 }),
        (sent, start, chunks) => {
          const conn = new Pop3ClientConnection()
          try {
            conn.receive(text(start))
            for (const command of sent) conn.send(command)
            for (const chunk of chunks) conn.receive(chunk)
            conn.receiveEnd()
          } catch (error) {
            if (!(error instanceof RemoteProtocolError)) throw error
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it("parses what it formats: capabilities round trip", () => {
    const word = fc.stringMatching(/^[A-Z][A-Z0-9-]{0,10}$/)
    const caps = fc.record({
      top: fc.boolean(),
      user: fc.boolean(),
      sasl: fc.option(fc.array(word, { minLength: 1, maxLength: 4 }), { nil: null }),
      respCodes: fc.boolean(),
      authRespCode: fc.boolean(),
      pipelining: fc.boolean(),
      expire: fc.option(
        fc.record({
          value: fc.oneof(fc.nat({ max: 9999 }), fc.constant("NEVER" as const)),
          perUser: fc.boolean(),
        }),
        { nil: null },
      ),
      loginDelay: fc.option(fc.record({ value: fc.nat({ max: 99999 }), perUser: fc.boolean() }), {
        nil: null,
      }),
      uidl: fc.boolean(),
      implementation: fc.option(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .]{0,20}[A-Za-z0-9]$/), {
        nil: null,
      }),
      stls: fc.boolean(),
      utf8: fc.option(fc.record({ user: fc.boolean() }), { nil: null }),
    })
    fc.assert(
      fc.property(caps, (value) => {
        // EXPIRE NEVER has no USER form (RFC 2449 §6.7).
        const expire =
          value.expire?.value === "NEVER"
            ? { value: "NEVER" as const, perUser: false }
            : value.expire
        const input: Pop3Capabilities = { ...value, expire, lines: [] }
        const lines = formatCapabilities(input)
        expect(parseCapabilities(lines)).toEqual({ ...input, lines })
      }),
    )
  })
})
