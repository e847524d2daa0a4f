import { SmtpClientConnection, SmtpServerConnection } from "@mailwire/smtp"
import { describe, expect, it } from "vitest"
import { dec, enc, runLink, ServerApp } from "./support.js"

describe("client and server over an in-memory link", () => {
  it("delivers one message with the default extensions", () => {
    const app = new ServerApp(new SmtpServerConnection({ hostname: "mx.test" }))
    const client = new SmtpClientConnection({ hostname: "client.test" })
    const events = runLink(client, app, (event) => {
      if (event.type === "ready") {
        client.sendMail({
          from: "a@x.test",
          to: ["b@y.test", "c@y.test"],
          body: enc("Subject: hi\r\n\r\n.dot\r\n"),
        })
        client.quit()
      }
    })
    const done = events.find((e) => e.type === "transactionComplete")
    expect(done?.type === "transactionComplete" && done.result.acceptedCount).toBe(2)
    expect(app.messages.map((m) => dec(m.body))).toEqual(["Subject: hi\r\n\r\n.dot\r\n"])
    expect(events.at(-1)?.type).toBe("closed")
  })
})
