/**
 * Pipelining across messages against a model server whose every reply is chosen at
 * random (fast-check): each message's result is decided by its own replies only, and a
 * body goes out only for a message whose MAIL, a RCPT and DATA were accepted.
 */
import { SmtpClientConnection, type TransactionResult } from "@mailwire/smtp"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { dec, enc } from "./support.js"

/** How the model server answers one message's commands. */
interface Outcome {
  readonly mail: boolean
  readonly rcpt: boolean
  readonly data: boolean
  readonly final: boolean
}

/**
 * A server that answers each command line as `outcomes` says, message by message, with
 * every reply held until `flush` (so replies arrive in random batches).
 */
class ModelServer {
  private buffered = ""
  private inData = false
  private message = 0
  private held = ""
  readonly bodies: string[] = []
  private body: string[] = []

  constructor(private readonly outcomes: readonly Outcome[]) {}

  read(bytes: Uint8Array): void {
    this.buffered += dec(bytes)
    for (let end = this.buffered.indexOf("\r\n"); end >= 0; end = this.buffered.indexOf("\r\n")) {
      const line = this.buffered.slice(0, end)
      this.buffered = this.buffered.slice(end + 2)
      this.answer(line)
    }
  }

  flush(): Uint8Array {
    const out = enc(this.held)
    this.held = ""
    return out
  }

  private answer(line: string): void {
    if (line === "RSET") {
      this.held += "250 ok\r\n"
      return
    }
    if (line === "QUIT") {
      this.held += "221 bye\r\n"
      return
    }
    const outcome = this.outcomes[this.message]!
    if (this.inData) {
      if (line !== ".") {
        this.body.push(line)
        return
      }
      this.inData = false
      this.bodies.push(this.body.join("\r\n"))
      this.held += outcome.final ? "250 2.0.0 queued\r\n" : "554 5.7.1 refused\r\n"
      this.message++
      return
    }
    const ready = outcome.mail && outcome.rcpt
    if (line.startsWith("MAIL")) this.held += outcome.mail ? "250 ok\r\n" : "550 5.7.1 no\r\n"
    else if (line.startsWith("RCPT"))
      this.held += outcome.mail && outcome.rcpt ? "250 ok\r\n" : "550 5.1.1 no\r\n"
    else if (line === "DATA") {
      if (ready && outcome.data) {
        this.inData = true
        this.body = []
        this.held += "354 go\r\n"
      } else {
        this.held += "554 5.5.1 no valid recipients\r\n"
        this.message++
      }
    }
  }
}

const outcome = fc.record({
  mail: fc.boolean(),
  rcpt: fc.boolean(),
  data: fc.boolean(),
  final: fc.boolean(),
})

describe("pipelining across messages against random replies (fast-check)", () => {
  it("decides each message by its own replies and sends only accepted bodies", () => {
    fc.assert(
      fc.property(
        fc.array(outcome, { minLength: 1, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
        (outcomes, flushes) => {
          const server = new ModelServer(outcomes)
          const client = new SmtpClientConnection({ hostname: "c.test" })
          client.receive(enc("220 mx.test\r\n"))
          client.takeOutput()
          client.receive(enc("250-mx.test\r\n250 PIPELINING\r\n"))
          const ids = outcomes.map((_, i) =>
            client.sendMail({ from: "a@x.test", to: [`r${i}@y.test`], body: enc(`m${i}\r\n`) }),
          )
          client.quit()
          const results: TransactionResult[] = []
          server.read(client.takeOutput())
          for (let step = 0; step < 10_000 && client.state !== "closed"; step++) {
            // Replies arrive now or later, several batches at once.
            if (!flushes[step % flushes.length] && step < 200) continue
            for (const event of client.receive(server.flush())) {
              if (event.type === "transactionComplete") results.push(event.result)
            }
            server.read(client.takeOutput())
          }
          expect(client.state).toBe("closed")
          expect(results.map((r) => r.id)).toEqual(ids)
          const delivered = outcomes.map((o) => o.mail && o.rcpt && o.data && o.final)
          expect(results.map((r) => r.acceptedCount === 1)).toEqual(delivered)
          const sent = outcomes.flatMap((o, i) => (o.mail && o.rcpt && o.data ? [`m${i}`] : []))
          expect(server.bodies).toEqual(sent)
        },
      ),
      { numRuns: 300 },
    )
  })
})
