import { SmtpClientConnection, type SmtpClientEvent, type SmtpClientOptions } from "@mailwire/smtp"
import { LocalProtocolError, RemoteProtocolError } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { dec, enc } from "./support.js"

/** A client past its greeting and EHLO, with `extensions` announced. */
function ready(extensions: readonly string[], options: SmtpClientOptions = {}) {
  const client = new SmtpClientConnection({ hostname: "c.test", ...options })
  client.receive(enc("220 mx.test ESMTP\r\n"))
  client.takeOutput()
  const lines = ["mx.test hi", ...extensions]
  const reply = lines
    .map((line, i) => `250${i === lines.length - 1 ? " " : "-"}${line}\r\n`)
    .join("")
  const events = client.receive(enc(reply))
  expect(events.at(-1)?.type).toBe("ready")
  return client
}

const wrote = (client: SmtpClientConnection) => dec(client.takeOutput())
const results = (events: ReadonlyArray<SmtpClientEvent>) =>
  events.flatMap((e) => (e.type === "transactionComplete" ? [e.result] : []))

describe("client session start", () => {
  it("falls back to HELO when EHLO is refused (RFC 5321 §3.2)", () => {
    const client = new SmtpClientConnection({ hostname: "c.test" })
    expect(client.receive(enc("220 old.test\r\n"))).toMatchObject([{ type: "greeting" }])
    expect(wrote(client)).toBe("EHLO c.test\r\n")
    client.receive(enc("502 5.5.1 What?\r\n"))
    expect(wrote(client)).toBe("HELO c.test\r\n")
    expect(client.receive(enc("250 old.test\r\n"))).toMatchObject([
      { type: "ready", capabilities: { domain: "old.test" } },
    ])
  })

  it("sends LHLO in LMTP and never HELO", () => {
    const client = new SmtpClientConnection({ lmtp: true })
    client.receive(enc("220 lmtp\r\n"))
    expect(wrote(client)).toBe("LHLO localhost\r\n")
    expect(client.receive(enc("500 no\r\n"))).toMatchObject([
      { type: "sessionFailed", stage: "hello" },
    ])
  })

  it("fails on a refused greeting and sends QUIT (RFC 5321 §3.1)", () => {
    const client = new SmtpClientConnection()
    expect(client.receive(enc("554 5.7.1 No service\r\n"))).toMatchObject([
      { type: "sessionFailed", stage: "greeting" },
    ])
    expect(wrote(client)).toBe("QUIT\r\n")
    expect(client.receive(enc("221 bye\r\n"))).toMatchObject([{ type: "closed" }])
  })

  it("refuses sendMail before ready", () => {
    const client = new SmtpClientConnection()
    expect(() => client.sendMail({ from: "a@b.test", to: ["c@d.test"] })).toThrow(
      LocalProtocolError,
    )
  })

  it("reports a reply nobody waits for as protocolError, closes, then throws on more input", () => {
    const client = ready([])
    const events = client.receive(enc("250 surprise\r\n"))
    expect(events.map((e) => e.type)).toEqual(["protocolError", "closed"])
    expect((events[0] as { error: unknown }).error).toBeInstanceOf(RemoteProtocolError)
    expect(client.state).toBe("closed")
    expect(() => client.receive(enc("250 more\r\n"))).toThrow(RemoteProtocolError)
  })

  it("closes on 421 at any time and fails queued transactions as temporary", () => {
    const client = ready([])
    const id = client.sendMail({ from: "a@b.test", to: ["c@d.test"], body: enc("x") })
    const events = client.receive(enc("421 4.3.2 Shutting down\r\n"))
    expect(results(events)).toMatchObject([
      { id, acceptedCount: 0, recipients: [{ accepted: false, temporary: true }] },
    ])
    expect(events.at(-1)).toMatchObject({ type: "closed", reply: { code: 421 } })
  })

  it("fails transactions when the server closes the connection, with a synthetic reply", () => {
    const client = ready([])
    client.sendMail({ from: "a@b.test", to: ["c@d.test"], body: enc("x") })
    const events = client.receiveEnd()
    expect(results(events)[0]?.recipients[0]).toMatchObject({
      accepted: false,
      temporary: true,
      reply: { code: 421, enhancedCode: "4.4.2", synthetic: true },
    })
  })

  it("marks a server's own 421 as not synthetic", () => {
    const client = ready([])
    client.sendMail({ from: "a@b.test", to: ["c@d.test"], body: enc("x") })
    const events = client.receive(enc("421 4.4.2 Going down\r\n"))
    const reply = results(events)[0]?.recipients[0]?.reply
    expect(reply).toEqual({ code: 421, enhancedCode: "4.4.2", lines: ["Going down"] })
    expect(reply?.synthetic).toBeUndefined()
  })
})

describe("client transactions", () => {
  it("without PIPELINING waits for each reply", () => {
    const client = ready([])
    client.sendMail({ from: "a@b.test", to: ["c@d.test", "e@f.test"], body: enc(".hi\r\n") })
    expect(wrote(client)).toBe("MAIL FROM:<a@b.test>\r\n")
    client.receive(enc("250 ok\r\n"))
    expect(wrote(client)).toBe("RCPT TO:<c@d.test>\r\n")
    client.receive(enc("550 5.1.1 no such user\r\n"))
    expect(wrote(client)).toBe("RCPT TO:<e@f.test>\r\n")
    client.receive(enc("250 ok\r\n"))
    expect(wrote(client)).toBe("DATA\r\n")
    expect(client.receive(enc("354 go\r\n"))).toMatchObject([{ type: "readyForBody" }])
    expect(wrote(client)).toBe("..hi\r\n.\r\n")
    const [result] = results(client.receive(enc("250 2.0.0 queued\r\n")))
    expect(result?.recipients).toEqual([
      {
        address: "c@d.test",
        accepted: false,
        reply: { code: 550, enhancedCode: "5.1.1", lines: ["no such user"] },
        temporary: false,
      },
      {
        address: "e@f.test",
        accepted: true,
        reply: { code: 250, enhancedCode: "2.0.0", lines: ["queued"] },
        temporary: false,
      },
    ])
  })

  it("with PIPELINING sends MAIL, every RCPT and DATA in one write (RFC 2920)", () => {
    const client = ready(["PIPELINING", "SIZE 1000"])
    client.sendMail({ from: "a@b.test", to: ["c@d.test", "e@f.test"], body: enc("hi\r\n") })
    expect(wrote(client)).toBe(
      "MAIL FROM:<a@b.test> SIZE=4\r\nRCPT TO:<c@d.test>\r\nRCPT TO:<e@f.test>\r\nDATA\r\n",
    )
    client.receive(enc("250 ok\r\n250 ok\r\n452 4.5.3 later\r\n354 go\r\n"))
    expect(wrote(client)).toBe("hi\r\n.\r\n")
    const [result] = results(client.receive(enc("250 ok\r\n")))
    expect(result?.recipients.map((r) => [r.accepted, r.temporary])).toEqual([
      [true, false],
      [false, true],
    ])
  })

  it("completes with every recipient refused when DATA is refused after pipelining", () => {
    const client = ready(["PIPELINING"])
    client.sendMail({ from: "a@b.test", to: ["c@d.test"], body: enc("hi\r\n") })
    client.takeOutput()
    const [result] = results(
      client.receive(enc("250 ok\r\n550 no\r\n554 5.5.1 no valid recipients\r\n")),
    )
    expect(result?.recipients[0]).toMatchObject({ accepted: false, reply: { code: 550 } })
    client.sendMail({ from: "a@b.test", to: ["c@d.test"], body: enc("hi\r\n") })
    expect(wrote(client)).toMatch(/^RSET\r\nMAIL FROM/)
  })

  it("reports a refused MAIL for every recipient", () => {
    const client = ready([])
    client.sendMail({ from: "a@b.test", to: ["c@d.test", "e@d.test"] })
    client.takeOutput()
    const [result] = results(client.receive(enc("451 4.3.0 try later\r\n")))
    expect(result?.recipients.map((r) => [r.reply.code, r.temporary])).toEqual([
      [451, true],
      [451, true],
    ])
  })

  it("streams BDAT chunks when CHUNKING is offered, after the recipients", () => {
    const client = ready(["CHUNKING", "PIPELINING"])
    const id = client.sendMail({ from: "a@b.test", to: ["c@d.test"] })
    client.writeBody(id, enc("part one "))
    expect(wrote(client)).toBe("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\n")
    expect(client.receive(enc("250 ok\r\n250 ok\r\n"))).toMatchObject([
      { type: "readyForBody", id },
    ])
    expect(wrote(client)).toBe("BDAT 9\r\npart one ")
    client.writeBody(id, enc("two"))
    client.endBody(id)
    expect(wrote(client)).toBe("BDAT 3\r\ntwoBDAT 0 LAST\r\n")
    const [result] = results(client.receive(enc("250 ok\r\n250 ok\r\n250 2.0.0 done\r\n")))
    expect(result?.acceptedCount).toBe(1)
  })

  it("reads one final reply per recipient in LMTP (RFC 2033 §4.2)", () => {
    const client = new SmtpClientConnection({ lmtp: true })
    client.receive(enc("220 lmtp\r\n"))
    client.receive(enc("250-lmtp\r\n250 PIPELINING\r\n"))
    client.takeOutput()
    client.sendMail({
      from: "a@b.test",
      to: ["x@y.test", "bad@y.test", "z@y.test"],
      body: enc("m\r\n"),
    })
    client.takeOutput()
    client.receive(enc("250 ok\r\n250 ok\r\n550 no\r\n250 ok\r\n354 go\r\n"))
    expect(results(client.receive(enc("250 2.0.0 delivered\r\n")))).toEqual([])
    const [result] = results(client.receive(enc("452 4.2.2 full\r\n")))
    expect(result?.recipients.map((r) => [r.address, r.accepted, r.reply.code])).toEqual([
      ["x@y.test", true, 250],
      ["bad@y.test", false, 550],
      ["z@y.test", false, 452],
    ])
  })

  it.each<[string, readonly string[], Parameters<SmtpClientConnection["sendMail"]>[0], string]>([
    [
      "a non-ASCII address without SMTPUTF8 (nodemailer #1378)",
      ["8BITMIME"],
      { from: "δ@b.test", to: ["c@d.test"] },
      "SMTPUTF8_REQUIRED",
    ],
    [
      "a non-ASCII header without SMTPUTF8",
      ["8BITMIME"],
      { from: "a@b.test", to: ["c@d.test"], body: enc("Subject: δ\r\n\r\nx") },
      "SMTPUTF8_REQUIRED",
    ],
    [
      "an 8-bit body without 8BITMIME",
      [],
      { from: "a@b.test", to: ["c@d.test"], body: enc("\r\nδ") },
      "EXTENSION_REQUIRED",
    ],
    [
      "a binary body without BINARYMIME",
      ["CHUNKING"],
      { from: "a@b.test", to: ["c@d.test"], bodyType: "BINARYMIME" },
      "EXTENSION_REQUIRED",
    ],
    [
      "DSN without DSN",
      [],
      { from: "a@b.test", to: [{ address: "c@d.test", notify: ["NEVER"] }] },
      "EXTENSION_REQUIRED",
    ],
    [
      "REQUIRETLS without REQUIRETLS",
      [],
      { from: "a@b.test", to: ["c@d.test"], requireTls: true },
      "EXTENSION_REQUIRED",
    ],
    [
      "a message over the server's SIZE",
      ["SIZE 10"],
      { from: "a@b.test", to: ["c@d.test"], size: 11 },
      "INVALID_ARGUMENT",
    ],
    ["a bad address", [], { from: "a@b.test", to: ["not an address"] }, "INVALID_ARGUMENT"],
    ["no recipients", [], { from: "a@b.test", to: [] }, "INVALID_ARGUMENT"],
    [
      "CRLF in an address object",
      [],
      { from: { localPart: "a\r\nRSET", domain: "b.test" }, to: ["c@d.test"] },
      "INVALID_ARGUMENT",
    ],
    [
      "CRLF in an ENVID-like extension",
      ["DSN"],
      {
        from: "a@b.test",
        to: [{ address: "c@d.test", orcpt: { addrType: "rfc822\r\n", address: "x" } }],
      },
      "INVALID_ARGUMENT",
    ],
  ])(
    "refuses %s with a clear LocalProtocolError, writing nothing",
    (_name, extensions, request, code) => {
      const client = ready(extensions)
      let error: unknown
      try {
        client.sendMail(request)
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(LocalProtocolError)
      expect((error as LocalProtocolError).code).toBe(code)
      expect(wrote(client)).toBe("")
    },
  )

  it("declares SMTPUTF8, 8BITMIME and DSN parameters when offered", () => {
    const client = ready(["SMTPUTF8", "8BITMIME", "DSN", "PIPELINING"])
    client.sendMail({
      from: "δ@b.test",
      to: [
        {
          address: "c@d.test",
          notify: ["FAILURE"],
          orcpt: { addrType: "rfc822", address: "c@d.test" },
        },
      ],
      body: enc("Subject: δ\r\n\r\nx"),
      ret: "HDRS",
      envid: "id 1",
    })
    expect(wrote(client)).toBe(
      "MAIL FROM:<δ@b.test> BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=id+201\r\n" +
        "RCPT TO:<c@d.test> NOTIFY=FAILURE ORCPT=rfc822;c@d.test\r\nDATA\r\n",
    )
  })

  it("gives events, at worst a protocolError event, for arbitrary server bytes", () => {
    const replies = fc.constantFrom(
      "220 x\r\n",
      "250 ok\r\n",
      "250-x\r\n",
      "354 go\r\n",
      "334 \r\n",
      "550 no\r\n",
      "421 bye\r\n",
      "\r\n",
      "2",
    )
    fc.assert(
      fc.property(
        fc.array(fc.oneof(replies.map(enc), fc.uint8Array({ maxLength: 30 })), { maxLength: 20 }),
        (chunks) => {
          const client = new SmtpClientConnection({
            credentials: { username: "u", password: "p" },
            allowPlaintextAuth: true,
          })
          let broken = false
          for (const chunk of chunks) {
            if (broken) {
              expect(() => client.receive(chunk)).toThrow(RemoteProtocolError)
              continue
            }
            for (const event of client.receive(chunk)) {
              if (event.type === "ready")
                client.sendMail({ from: "a@b.test", to: ["c@d.test"], body: enc("x") })
              if (event.type === "startTls") client.resumeTls()
              if (event.type === "protocolError") {
                expect(event.error).toBeInstanceOf(RemoteProtocolError)
                broken = true
              }
            }
            client.takeOutput()
          }
          client.receiveEnd()
          expect(client.state).toBe("closed")
        },
      ),
      { numRuns: 1000 },
    )
  })
})

describe("client BDAT failures (RFC 3030 §2)", () => {
  it("stops sending chunks after a refused one and reports its reply", () => {
    const client = ready(["CHUNKING"])
    const id = client.sendMail({ from: "a@b.test", to: ["c@d.test"] })
    client.receive(enc("250 ok\r\n"))
    client.receive(enc("250 ok\r\n"))
    client.writeBody(id, enc("12345"))
    expect(wrote(client)).toBe("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nBDAT 5\r\n12345")
    client.receive(enc("552 5.3.4 Too big\r\n"))
    client.writeBody(id, enc("67890"))
    client.endBody(id)
    expect(wrote(client)).toBe("BDAT 0 LAST\r\n")
    const [result] = results(client.receive(enc("503 5.5.1 Bad sequence\r\n")))
    expect(result?.recipients[0]).toMatchObject({
      accepted: false,
      reply: { code: 552, enhancedCode: "5.3.4" },
    })
  })
})

describe("output in pieces (takeOutputChunks)", () => {
  it("gives the same bytes as takeOutput, for the commands and then the body", () => {
    const body = enc("Subject: hi\r\n\r\n.leading dot\r\nend\r\n")
    const clients = [ready(["PIPELINING", "8BITMIME"]), ready(["PIPELINING", "8BITMIME"])]
    for (const client of clients) {
      client.sendMail({ from: "a@b.test", to: ["c@d.test", "e@d.test"], body })
    }
    const [joined, pieced] = clients as [SmtpClientConnection, SmtpClientConnection]
    const join = (chunks: Uint8Array[]) => dec(Uint8Array.from(chunks.flatMap((c) => [...c])))
    const commands = wrote(joined)
    expect(join(pieced.takeOutputChunks())).toBe(commands)
    expect(commands).toContain("DATA\r\n")
    const replies = enc("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n")
    for (const client of clients) client.receive(replies)
    const message = wrote(joined)
    const chunks = pieced.takeOutputChunks()
    expect(join(chunks)).toBe(message)
    expect(message).toContain("..leading dot\r\n")
    expect(chunks.every((chunk) => chunk.length > 0)).toBe(true)
    expect(pieced.takeOutputChunks()).toEqual([])
  })
})
