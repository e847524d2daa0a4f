import { SmtpClientConnection } from "@mailwire/smtp"
import { LocalProtocolError } from "@mailwire/wire"
import { describe, expect, it } from "vitest"
import { dec, enc } from "./support.js"

function ready(extensions: readonly string[] = []) {
  const client = new SmtpClientConnection({ hostname: "c.test" })
  client.receive(enc("220 mx.test ESMTP\r\n"))
  client.takeOutput()
  const lines = ["mx.test hi", ...extensions]
  client.receive(
    enc(lines.map((l, i) => `250${i === lines.length - 1 ? " " : "-"}${l}\r\n`).join("")),
  )
  return client
}

/** The envelope lines a PIPELINING client writes for `from` and `to`, and the result addresses. */
function envelope(from: string, to: string[]) {
  const client = ready(["PIPELINING", "SMTPUTF8"])
  client.sendMail({ from, to, body: enc("x\r\n") })
  const lines = dec(client.takeOutput()).split("\r\n").slice(0, -2)
  const replies = ["250 ok", ...to.map(() => "250 ok"), "354 go"].join("\r\n")
  client.receive(enc(`${replies}\r\n`))
  client.takeOutput()
  const done = client.receive(enc("250 ok\r\n")).find((e) => e.type === "transactionComplete")
  const addresses =
    done?.type === "transactionComplete" ? done.result.recipients.map((r) => r.address) : []
  return { lines, addresses }
}

describe("envelope addresses as the client sends them (RFC 5321 §4.1.2)", () => {
  it("sends a plain address as given", () => {
    expect(envelope("a.b+c@x.test", ["d@[192.0.2.1]", "Postmaster"])).toEqual({
      lines: ["MAIL FROM:<a.b+c@x.test>", "RCPT TO:<d@[192.0.2.1]>", "RCPT TO:<Postmaster>"],
      addresses: ["d@[192.0.2.1]", "Postmaster"],
    })
  })

  it("prints a quoted local part in its canonical form", () => {
    expect(envelope('"a b"@x.test', ['"plain"@y.test', '"q\\"t"@y.test'])).toEqual({
      lines: ['MAIL FROM:<"a b"@x.test>', "RCPT TO:<plain@y.test>", 'RCPT TO:<"q\\"t"@y.test>'],
      addresses: ["plain@y.test", '"q\\"t"@y.test'],
    })
  })

  it("drops a source route (RFC 5321 Appendix C)", () => {
    expect(envelope("a@x.test", ["@r.test,@s.test:b@y.test"])).toEqual({
      lines: ["MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>"],
      addresses: ["b@y.test"],
    })
  })

  it("sends a UTF-8 address with SMTPUTF8 (RFC 6531 §3.4)", () => {
    const { lines } = envelope("a@x.test", ["ü@bücher.test"])
    expect(lines).toEqual(["MAIL FROM:<a@x.test> SMTPUTF8", "RCPT TO:<ü@bücher.test>"])
  })

  it("refuses an invalid address, or one with a line break, before writing anything", () => {
    for (const bad of ["a@b>c", "a b@x.test", "a@x.test\r\nRSET", "a@", "@x.test", "a@-x.test"]) {
      const client = ready(["PIPELINING"])
      expect(() => client.sendMail({ from: "a@x.test", to: [bad] })).toThrow(LocalProtocolError)
      expect(() => client.sendMail({ from: bad, to: ["b@x.test"] })).toThrow(LocalProtocolError)
      expect(client.takeOutput()).toHaveLength(0)
    }
  })
})
