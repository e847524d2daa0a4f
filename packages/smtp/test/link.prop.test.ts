import {
  SmtpClientConnection,
  type SmtpClientEvent,
  SmtpServerConnection,
  type SmtpServerExtensions,
  type TransactionResult,
} from "@mailwire/smtp"
import { concatBytes } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { enc, type Policy, runLink, ServerApp, type Splitter, splitAt, whole } from "./support.js"

interface Setup {
  readonly lmtp: boolean
  readonly extensions: SmtpServerExtensions
  readonly usePipelining: boolean
  readonly useChunking: boolean
}

/** Refuses every recipient whose local part starts with "no". */
const policy: Policy = (event) =>
  event.type === "rcptTo" && event.to.localPart.startsWith("no")
    ? { code: 550, enhancedCode: "5.1.1", text: "No such user" }
    : "accept"

interface Message {
  readonly body: Uint8Array
  readonly pieces: readonly number[]
  readonly binary: boolean
}

function run(
  setup: Setup,
  messages: readonly Message[],
  split: { toClient: Splitter; toServer: Splitter },
  from = "sender@a.test",
) {
  const app = new ServerApp(
    new SmtpServerConnection({
      hostname: "mx.test",
      lmtp: setup.lmtp,
      extensions: setup.extensions,
    }),
    policy,
  )
  const client = new SmtpClientConnection({
    hostname: "c.test",
    lmtp: setup.lmtp,
    usePipelining: setup.usePipelining,
    useChunking: setup.useChunking,
  })
  const results: TransactionResult[] = []
  const onEvent = (event: SmtpClientEvent) => {
    if (event.type === "transactionComplete") results.push(event.result)
    if (event.type !== "ready") return
    for (const message of messages) {
      const id = client.sendMail({
        from,
        to: ["one@b.test", "nobody@b.test", "two@b.test"],
        ...(message.binary ? { bodyType: "BINARYMIME" as const } : {}),
      })
      // The client-side split: the body is written in pieces of the given sizes.
      let at = 0
      for (const size of message.pieces) {
        client.writeBody(id, message.body.subarray(at, at + size))
        at += size
      }
      client.writeBody(id, message.body.subarray(at))
      client.endBody(id)
    }
    client.quit()
  }
  const events = runLink(client, app, onEvent, split)
  return { app, results, events }
}

const setups: Setup[] = []
for (const lmtp of [false, true])
  for (const pipelining of [false, true])
    for (const chunking of [false, true])
      for (const startTls of [false, true])
        for (const eightBitMime of [false, true])
          for (const enhancedStatusCodes of [false, true])
            setups.push({
              lmtp,
              extensions: {
                pipelining,
                chunking,
                startTls,
                eightBitMime,
                smtpUtf8: eightBitMime,
                enhancedStatusCodes,
                dsn: enhancedStatusCodes,
              },
              usePipelining: true,
              useChunking: true,
            })

const expectDelivered = (outcome: ReturnType<typeof run>, bodies: readonly Uint8Array[]) => {
  expect(outcome.app.messages.map((m) => Array.from(m.body))).toEqual(
    bodies.map((b) => Array.from(b)),
  )
  expect(outcome.results).toHaveLength(bodies.length)
  for (const result of outcome.results) {
    expect(result.recipients.map((r) => [r.address, r.accepted, r.reply.code])).toEqual([
      ["one@b.test", true, 250],
      ["nobody@b.test", false, 550],
      ["two@b.test", true, 250],
    ])
  }
  expect(outcome.events.at(-1)?.type).toBe("closed")
  expect(outcome.app.conn.state).toBe("closed")
}

describe("client ↔ server for every extension combination", () => {
  for (const setup of setups) {
    const name = `${setup.lmtp ? "LMTP" : "SMTP"} ${JSON.stringify(setup.extensions)}`
    it(`delivers two messages on one connection: ${name}`, () => {
      const bodies = [
        enc("Subject: one\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nend"),
        enc("Subject: two\r\n\r\nbody\r\n"),
      ]
      // With SMTPUTF8 offered, the sender is non-ASCII (RFC 6531).
      const from = setup.extensions.smtpUtf8 === true ? "δοκιμή@a.test" : "sender@a.test"
      const outcome = run(
        setup,
        bodies.map((body) => ({ body, pieces: [3, 7], binary: false })),
        { toClient: whole, toServer: whole },
        from,
      )
      expect(outcome.app.messages[0]?.envelope.from?.localPart).toBe(from.split("@")[0])
      // A body that does not end in CRLF gets one through DATA (RFC 5321 §4.1.1.4); BDAT keeps it.
      const viaData = !setup.extensions.chunking
      const expected = viaData
        ? [enc("Subject: one\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n"), bodies[1]!]
        : bodies
      expectDelivered(outcome, expected)
      expect(outcome.app.messages.every((m) => m.transfer === (viaData ? "DATA" : "BDAT"))).toBe(
        true,
      )
      const tls = outcome.events.some((e) => e.type === "startTls")
      expect(tls).toBe(setup.extensions.startTls === true)
    })
  }
})

describe("bodies arrive byte-identical at any split (fast-check)", () => {
  const setup = fc.record({
    lmtp: fc.boolean(),
    extensions: fc.record({
      pipelining: fc.boolean(),
      chunking: fc.boolean(),
      eightBitMime: fc.constant(true),
      startTls: fc.boolean(),
    }),
    usePipelining: fc.boolean(),
    useChunking: fc.boolean(),
  })
  // Text bodies: CRLF line ends only (DATA normalizes bare CR/LF), with dots and 8-bit bytes.
  const textPiece = fc.oneof(
    fc.constantFrom("\r\n", ".", "..", "\r\n.\r\n", "\r\n..\r\n", "é", "x"),
    fc.string({ unit: fc.constantFrom("a", " ", ".", "ü", "\t"), maxLength: 20 }),
  )
  const textBody = fc.array(textPiece, { maxLength: 30 }).map((parts) => {
    const text = `${parts.join("")}\r\n`
    return enc(text.startsWith("\r\n") ? `x${text}` : text)
  })
  const cuts = fc.array(fc.nat({ max: 10_000 }), { maxLength: 8 })
  const pieces = fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 6 })

  it("through DATA or BDAT, whatever the extensions, for text bodies", () => {
    fc.assert(
      fc.property(
        setup,
        fc.array(textBody, { minLength: 1, maxLength: 3 }),
        pieces,
        cuts,
        cuts,
        (s, bodies, sizes, down, up) => {
          const outcome = run(
            s,
            bodies.map((body) => ({ body, pieces: sizes, binary: false })),
            { toClient: splitAt(down), toServer: splitAt(up) },
          )
          expectDelivered(outcome, bodies)
        },
      ),
      { numRuns: 300 },
    )
  })

  it("through BDAT with BINARYMIME for arbitrary bytes (RFC 3030)", () => {
    const binary = fc.uint8Array({ maxLength: 300 })
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(binary, { minLength: 1, maxLength: 3 }),
        pieces,
        cuts,
        cuts,
        (lmtp, bodies, sizes, down, up) => {
          const s = { lmtp, extensions: {}, usePipelining: true, useChunking: true }
          const outcome = run(
            s,
            bodies.map((body) => ({ body, pieces: sizes, binary: true })),
            {
              toClient: splitAt(down),
              toServer: splitAt(up),
            },
          )
          expectDelivered(outcome, bodies)
          expect(concatBytes(outcome.app.messages.map((m) => m.body)).length).toBe(
            concatBytes(bodies).length,
          )
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe("per-recipient results match the server's decisions (fast-check)", () => {
  const local = fc.constantFrom("ok", "rcpt-refused", "lmtp-refused", "temp")
  const message = fc.record({
    fromRefused: fc.boolean(),
    to: fc.array(local, { minLength: 1, maxLength: 5 }),
    refuseBody: fc.boolean(),
  })

  /** Refuses by name: MAIL from "refused…", RCPT to "rcpt-refused…" (550) or "temp…" (451). */
  const decide =
    (lmtp: boolean): Policy =>
    (event) => {
      if (event.type === "mailFrom" && event.from?.localPart.startsWith("refused")) {
        return { code: 550, enhancedCode: "5.7.1", text: "Sender refused" }
      }
      if (event.type === "rcptTo" && event.to.localPart.startsWith("rcpt-refused"))
        return { code: 550 }
      if (event.type === "rcptTo" && event.to.localPart.startsWith("temp")) return { code: 451 }
      if (event.type !== "messageEnd") return "accept"
      const refuse = event.envelope.parameters.envid === "refuse"
      if (!lmtp) return refuse ? { code: 554, enhancedCode: "5.6.0", text: "No" } : "accept"
      return event.envelope.recipients.map((r) =>
        refuse || r.to.localPart.startsWith("lmtp-refused")
          ? { code: 552, enhancedCode: "5.2.2" }
          : null,
      )
    }

  it("for SMTP and LMTP, over DATA and BDAT, pipelined or not", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.array(message, { minLength: 1, maxLength: 4 }),
        (lmtp, pipelining, chunking, messages) => {
          const app = new ServerApp(
            new SmtpServerConnection({ lmtp, extensions: { pipelining, chunking } }),
            decide(lmtp),
          )
          const client = new SmtpClientConnection({ lmtp })
          const results: TransactionResult[] = []
          runLink(client, app, (event) => {
            if (event.type === "transactionComplete") results.push(event.result)
            if (event.type !== "ready") return
            messages.forEach((m, i) => {
              client.sendMail({
                from: `${m.fromRefused ? "refused" : "sender"}@a.test`,
                to: m.to.map((name, j) => `${name}${j}@b.test`),
                body: enc(`Message ${i}\r\n`),
                envid: m.refuseBody ? "refuse" : "keep",
              })
            })
            client.quit()
          })
          expect(results.map((r) => r.id)).toEqual(messages.map((_, i) => i + 1))
          results.forEach((result, i) => {
            const m = messages[i]!
            const expected = m.to.map((name) => {
              if (m.fromRefused) return [false, 550]
              if (name === "rcpt-refused") return [false, 550]
              if (name === "temp") return [false, 451]
              if (m.refuseBody) return [false, lmtp ? 552 : 554]
              if (lmtp && name === "lmtp-refused") return [false, 552]
              return [true, 250]
            })
            expect(result.recipients.map((r) => [r.accepted, r.reply.code])).toEqual(
              expected.map(([accepted, code]) => [accepted, code]),
            )
            expect(result.recipients.map((r) => r.temporary)).toEqual(
              m.to.map((name) => !m.fromRefused && name === "temp"),
            )
          })
          const delivered = messages.filter(
            (m) => !m.fromRefused && m.to.some((n) => n === "ok" || n === "lmtp-refused"),
          )
          expect(app.messages).toHaveLength(delivered.length)
        },
      ),
      { numRuns: 300 },
    )
  })
})
