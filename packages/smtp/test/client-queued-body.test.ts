/**
 * Body pieces written before the server's `354` are kept (copied) and sent, in order, once
 * it comes; the kept pieces are let go when the body starts, and pieces written after that
 * go straight out. Pins the hand-over from kept to streamed pieces, for one message and
 * for the next one queued behind it.
 */
import { SmtpClientConnection } from "@mailwire/smtp"
import { describe, expect, it } from "vitest"
import { dec, enc } from "./support.js"

function ready(): SmtpClientConnection {
  const client = new SmtpClientConnection({ hostname: "c.test" })
  client.receive(enc("220 mx.test ESMTP\r\n"))
  client.receive(enc("250-mx.test hi\r\n250 PIPELINING\r\n"))
  client.takeOutput()
  return client
}

const wrote = (client: SmtpClientConnection) => dec(client.takeOutput())

describe("body pieces written before the server is ready for them", () => {
  it("go out in order after 354, then later pieces follow, each once", () => {
    const client = ready()
    const id = client.sendMail({ from: "a@x.test", to: ["b@y.test"] })
    const first = enc("first ")
    client.writeBody(id, first)
    client.writeBody(id, enc("second\r\n"))
    // The caller may reuse its buffer: what was kept is a copy.
    first.fill(0x21)
    expect(wrote(client)).toBe("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n")
    client.receive(enc("250 ok\r\n250 ok\r\n354 go\r\n"))
    expect(wrote(client)).toBe("first second\r\n")
    client.writeBody(id, enc(".third\r\n"))
    client.endBody(id)
    expect(wrote(client)).toBe("..third\r\n.\r\n")
  })

  it("keep the next message's pieces apart from the one before", () => {
    const client = ready()
    const one = client.sendMail({ from: "a@x.test", to: ["b@y.test"] })
    const two = client.sendMail({ from: "a@x.test", to: ["c@y.test"] })
    client.writeBody(one, enc("one a\r\n"))
    client.writeBody(two, enc("two a\r\n"))
    client.writeBody(one, enc("one b\r\n"))
    client.writeBody(two, enc("two b\r\n"))
    client.endBody(two)
    client.takeOutput()
    client.receive(enc("250 ok\r\n250 ok\r\n354 go\r\n"))
    expect(wrote(client)).toBe("one a\r\none b\r\n")
    client.endBody(one)
    expect(wrote(client)).toBe(".\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<c@y.test>\r\nDATA\r\n")
    client.receive(enc("250 2.0.0 queued\r\n250 ok\r\n250 ok\r\n354 go\r\n"))
    expect(wrote(client)).toBe("two a\r\ntwo b\r\n.\r\n")
  })
})
