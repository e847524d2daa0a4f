import { SmtpServerConnection, type SmtpServerOptions } from "@mailwire/smtp"
import { describe, expect, it } from "vitest"
import { byteAtATime, dec, enc, ServerApp } from "./support.js"

const ENVELOPE = "EHLO c.test\r\nMAIL FROM:<root@nsa.test>\r\nRCPT TO:<root@gchq.test>\r\nDATA\r\n"

function deliver(body: string, options: SmtpServerOptions = {}, bytewise = false) {
  const app = new ServerApp(new SmtpServerConnection(options))
  app.conn.takeOutput()
  const input = enc(`${ENVELOPE}${body}MAIL FROM:<next@x.test>\r\n`)
  for (const piece of bytewise ? byteAtATime(input) : [input]) app.feed(piece)
  const output = dec(app.conn.takeOutput())
  return { app, output, bodies: app.messages.map((m) => dec(m.body)) }
}

describe("SMTP smuggling: only <CRLF>.<CRLF> ends DATA (DESIGN §4 invariant 1)", () => {
  // The two cases of go-smtp's TestServer_smtpSmuggling (see https://www.postfix.org/smtp-smuggling.html).
  const GO_SMTP = [
    {
      name: "<CR><LF>.<LF>",
      body: "This is a message with an SMTP smuggling dot:\r\n.\nFinal dot comes after.\r\n.\r\n",
      accepted: "This is a message with an SMTP smuggling dot:\r\n\nFinal dot comes after.\r\n",
      normalized: "This is a message with an SMTP smuggling dot:\r\n\r\nFinal dot comes after.\r\n",
    },
    {
      name: "<LF>.<CR><LF>",
      body: "This is a message with an SMTP smuggling dot:\n.\r\nFinal dot comes after.\r\n.\r\n",
      accepted: "This is a message with an SMTP smuggling dot:\n.\r\nFinal dot comes after.\r\n",
      normalized:
        "This is a message with an SMTP smuggling dot:\r\n.\r\nFinal dot comes after.\r\n",
    },
  ]
  for (const c of GO_SMTP) {
    it(`keeps ${c.name} inside the message, as go-smtp does (bareLineEndings: accept)`, () => {
      const { bodies, output } = deliver(c.body, { bareLineEndings: "accept" })
      expect(bodies).toEqual([c.accepted])
      expect(output).toContain("250 2.1.0 Sender OK\r\n")
    })
    it(`keeps ${c.name} inside the message and normalizes it by default`, () => {
      expect(deliver(c.body).bodies).toEqual([c.normalized])
      expect(deliver(c.body, {}, true).bodies).toEqual([c.normalized])
    })
    it(`refuses ${c.name} with 550 5.6.2 under bareLineEndings: reject`, () => {
      const { bodies, output, app } = deliver(c.body, { bareLineEndings: "reject" })
      expect(bodies).toEqual([])
      expect(output).toContain("550 5.6.2 ")
      expect(
        app.events.some((e) => e.type === "messageAborted" && e.reason === "bare-line-ending"),
      ).toBe(true)
    })
  }

  // Every mix of lone CR and lone LF around the dot that is not the real terminator.
  const ENDINGS = ["\r\n", "\n", "\r"]
  const fakes: string[] = []
  for (const before of ENDINGS) {
    for (const after of ENDINGS) {
      if (before === "\r\n" && after === "\r\n") continue
      fakes.push(`${before}.${after}`)
    }
  }
  for (const fake of fakes) {
    const shown = JSON.stringify(fake)
    it(`does not end the message at ${shown}, whole or byte at a time`, () => {
      const body = `line one${fake}SMUGGLED\r\n.\r\n`
      for (const bytewise of [false, true]) {
        const { bodies, app } = deliver(body, {}, bytewise)
        expect(bodies).toHaveLength(1)
        expect(bodies[0]).toContain("SMUGGLED")
        expect(app.events.filter((e) => e.type === "mailFrom")).toHaveLength(2)
      }
    })
  }

  it("reads a smuggled MAIL after a fake end as body, never as a command", () => {
    const { app } = deliver(
      "x\n.\nMAIL FROM:<evil@x.test>\r\nRCPT TO:<victim@y.test>\r\nDATA\r\nevil\r\n.\r\n",
    )
    const froms = app.events.flatMap((e) =>
      e.type === "mailFrom" ? [e.from?.localPart ?? ""] : [],
    )
    expect(froms).toEqual(["root", "next"])
  })
})
