/**
 * The command-order check (RFC 5321 §4.1.4) follows the published `ALLOWED_VERBS` table
 * in every command-reading state, for every verb: a verb outside the state's list gets
 * `503 5.5.1`, one inside it never does.
 */
import { ALLOWED_VERBS, SmtpServerConnection, type SmtpServerState } from "@mailwire/smtp"
import { describe, expect, it } from "vitest"
import { dec, enc, ServerApp } from "./support.js"

/** Commands that bring a fresh connection into each state. */
const SETUP: ReadonlyArray<[SmtpServerState, string]> = [
  ["connected", ""],
  ["ready", "EHLO c.test\r\n"],
  ["mail", "EHLO c.test\r\nMAIL FROM:<a@b.test>\r\n"],
  ["rcpt", "EHLO c.test\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\n"],
]

/** One well-formed line per verb the table checks (BDAT is checked by its own handler). */
const LINES: Readonly<Record<string, string>> = {
  EHLO: "EHLO c.test",
  HELO: "HELO c.test",
  LHLO: "LHLO c.test",
  MAIL: "MAIL FROM:<e@f.test>",
  RCPT: "RCPT TO:<g@h.test>",
  DATA: "DATA",
  RSET: "RSET",
  QUIT: "QUIT",
  NOOP: "NOOP",
  HELP: "HELP",
  VRFY: "VRFY someone",
  EXPN: "EXPN list",
  STARTTLS: "STARTTLS",
  AUTH: "AUTH PLAIN",
}

describe("command order by state", () => {
  for (const [state, setup] of SETUP) {
    it(`answers 503 in "${state}" exactly to the verbs ALLOWED_VERBS leaves out`, () => {
      const allowed = ALLOWED_VERBS[state] ?? []
      for (const [verb, line] of Object.entries(LINES)) {
        const app = new ServerApp(new SmtpServerConnection({ hostname: "mx.test" }))
        app.feed(enc(setup))
        expect(app.conn.state).toBe(state)
        app.conn.takeOutput()
        app.feed(enc(`${line}\r\n`))
        const reply = dec(app.conn.takeOutput())
        const refused = reply.startsWith("503 5.5.1")
        expect({ verb, refused }).toEqual({ verb, refused: !allowed.includes(verb as never) })
      }
    })
  }
})
