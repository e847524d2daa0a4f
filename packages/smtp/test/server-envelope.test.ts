/**
 * The envelope in a `rcptTo`, `messageStart` or `messageEnd` event is a snapshot of the
 * transaction when the event was made: recipients accepted later do not show up in it.
 */
import { SmtpServerConnection, type SmtpServerEvent } from "@mailwire/smtp"
import { describe, expect, it } from "vitest"
import { enc, ServerApp } from "./support.js"

function recipientsOf(event: SmtpServerEvent): string[] {
  if (event.type !== "rcptTo" && event.type !== "messageStart" && event.type !== "messageEnd") {
    throw new Error(`no envelope in ${event.type}`)
  }
  return event.envelope.recipients.map((r) => `${r.to.localPart}@${r.to.domain}`)
}

describe("envelope snapshots in server events", () => {
  it("keeps each event's recipients as they were when it was made", () => {
    const app = new ServerApp(new SmtpServerConnection({ hostname: "mx.test" }))
    app.feed(
      enc(
        "EHLO c.test\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<one@d.test>\r\nRCPT TO:<two@d.test>\r\n" +
          "DATA\r\nHello\r\n.\r\n",
      ),
    )
    const withEnvelope = app.events.filter((event) =>
      ["rcptTo", "messageStart", "messageEnd"].includes(event.type),
    )
    expect(withEnvelope.map((event) => [event.type, recipientsOf(event)])).toEqual([
      ["rcptTo", []],
      ["rcptTo", ["one@d.test"]],
      ["messageStart", ["one@d.test", "two@d.test"]],
      ["messageEnd", ["one@d.test", "two@d.test"]],
    ])
    const [first, second] = withEnvelope
    if (first?.type !== "rcptTo" || second?.type !== "rcptTo")
      throw new Error("expected RCPT events")
    expect(first.envelope.recipients).not.toBe(second.envelope.recipients)
  })
})
