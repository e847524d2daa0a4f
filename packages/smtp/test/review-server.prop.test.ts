import { SmtpServerConnection, type SmtpServerDecision } from "@mailwire/smtp"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const enc = (text: string) => new TextEncoder().encode(text)

/** Command-like pieces, so the machine reaches its decisions, mixed with arbitrary bytes. */
const piece = fc
  .oneof(
    fc.constantFrom(
      "EHLO c\r\n",
      "MAIL FROM:<a@x.test>\r\n",
      "RCPT TO:<b@y.test>\r\n",
      "DATA\r\n",
      "hello\r\n.\r\n",
      "BDAT 5\r\n",
      "BDAT 0 LAST\r\n",
      "RSET\r\n",
      "STARTTLS\r\n",
      "AUTH PLAIN AGEAYg==\r\n",
      "*\r\n",
      "NOOP\r\n".repeat(200),
    ),
    fc.string({ maxLength: 40 }),
  )
  .map(enc)
const arbitrary = fc.uint8Array({ maxLength: 64 })
const step = fc.oneof(
  fc.record({ feed: fc.oneof(piece, arbitrary) }),
  fc.record({ answer: fc.constantFrom("accept", "reject", "late") }),
)

describe("server review: held input under any interleaving of input and answers", () => {
  it("never throws on input, never holds more than maxBufferedInput, and ignores late answers", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const maxBufferedInput = 2048
        const conn = new SmtpServerConnection({
          extensions: { startTls: true },
          authMechanisms: ["PLAIN"],
          allowInsecureAuth: true,
          maxBufferedInput,
        })
        const take = (events: ReadonlyArray<{ type: string }>) => events.length
        for (const s of steps) {
          if (conn.state === "startTls") take(conn.resumeTls())
          if ("feed" in s) {
            const before = conn.isWaiting ? conn.bufferedLength : 0
            take(conn.receive(s.feed))
            if (conn.isWaiting && before + s.feed.length <= maxBufferedInput) {
              expect(conn.state).not.toBe("closed")
            }
          } else if (conn.pendingDecision !== null) {
            const event: SmtpServerDecision = conn.pendingDecision
            if (s.answer === "late") take(conn.shutdown())
            else if (event.type === "auth") take(conn.answerAuth(event, s.answer === "accept"))
            else if (s.answer === "accept") take(conn.accept(event))
            else take(conn.reject(event))
            if (s.answer === "late") expect(conn.accept(event)).toEqual([])
          }
          conn.takeOutput()
          if (conn.isWaiting) expect(conn.bufferedLength).toBeLessThanOrEqual(maxBufferedInput)
        }
      }),
      { numRuns: 300 },
    )
  })
})
