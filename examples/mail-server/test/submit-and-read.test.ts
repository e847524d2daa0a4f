/**
 * End to end through real clients: swaks and curl submit over STARTTLS with AUTH, Python
 * poplib and fetchmail read over STLS and POP3S, and what is read back is the bytes sent
 * plus our one `Received:` trace field. Also the listeners' policy: no relaying without
 * AUTH, no AUTH before TLS, a clean stop on SIGTERM.
 */
import { readFileSync } from "node:fs"
import { SmtpClient } from "@mailwire/node/smtp"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { rawConnection } from "../../../packages/node/test/harness/capture.js"
import { peersAvailable } from "../../../packages/node/test/harness/peers.js"
import { curlSubmit, fetchmailRead, poplibRead, swaksSubmit } from "./harness/clients.js"
import {
  ALICE,
  BOB,
  type MailServerUnderTest,
  mailServer,
  splitTrace,
  testMessage,
} from "./harness/mail-server.js"

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
const run = peersAvailable(
  "mail-server clients",
  "swaks",
  "curl",
  "python3",
  "fetchmail",
  "openssl",
)

describe.runIf(run)("mail server with real clients", () => {
  let server: MailServerUnderTest
  const sentBySwaks = testMessage(
    "alice@example.test",
    "bob@example.test",
    "swaks-hello",
    "Hello Bob, from swaks.\r\n.leading dot line\r\n",
  )
  const sentByCurl = testMessage(
    "alice@example.test",
    "bob@example.test",
    "curl-hello",
    "Hello Bob, from curl.\r\n\r\nTwo paragraphs.\r\n",
  )

  beforeAll(async () => {
    server = await mailServer()
    await server.start()
  }, 60_000)

  afterAll(async () => {
    await server?.cleanup()
  })

  it("takes a message from swaks on submission and stores it for the recipient", async () => {
    const result = await swaksSubmit({
      port: server.ports.submission,
      certPath: server.certPath,
      user: ALICE.name,
      password: ALICE.password,
      from: "alice@example.test",
      to: ["bob@example.test"],
      message: sentBySwaks,
    })
    expect(result.code, result.stdout + result.stderr).toBe(0)
    expect(result.stdout).toMatch(/<~ {2}250 2\.0\.0/)
    const stored = server.mailbox("bob")
    expect(stored).toHaveLength(1)
    const { trace, rest } = splitTrace(stored[0]!)
    expect(trace).toMatch(/^Received: from \S+ \(\[127\.0\.0\.1\]\) by mail\.example\.test/)
    expect(trace).toMatch(/with\s+ESMTPSA/)
    expect(decode(rest)).toBe(decode(sentBySwaks))
  })

  it("takes a message from curl on submission", async () => {
    const result = await curlSubmit({
      port: server.ports.submission,
      certPath: server.certPath,
      user: ALICE.name,
      password: ALICE.password,
      from: "alice@example.test",
      to: ["bob@example.test"],
      message: sentByCurl,
    })
    expect(result.code, result.stderr).toBe(0)
    expect(server.mailbox("bob")).toHaveLength(2)
  })

  it("logs in with SCRAM-SHA-256 against the stored credentials (our SMTP client)", async () => {
    const client = new SmtpClient({
      host: "127.0.0.1",
      port: server.ports.submission,
      startTls: "required",
      tls: { ca: readFileSync(server.certPath, "utf8") },
      auth: { user: ALICE.name, pass: ALICE.password, method: "SCRAM-SHA-256" },
    })
    try {
      const info = await client.connect()
      expect(info.authenticated).toBe("SCRAM-SHA-256")
      const result = await client.send({
        from: "alice@example.test",
        to: ["alice@example.test"],
        body: testMessage("alice@example.test", "alice@example.test", "scram", "Hi me.\r\n"),
      })
      expect(result.accepted).toEqual(["alice@example.test"])
    } finally {
      await client.quit()
    }
    expect(server.mailbox("alice")).toHaveLength(1)
  })

  it("gives poplib over STLS the bytes sent plus one Received field", async () => {
    const read = await poplibRead({
      port: server.ports.pop3,
      certPath: server.certPath,
      user: BOB.name,
      password: BOB.password,
      mode: "stls",
    })
    expect(read).toHaveLength(2)
    const bodies = read.map((message) => splitTrace(message))
    for (const { trace } of bodies)
      expect(trace).toMatch(/^Received: from client\.test|^Received: /)
    expect(bodies.map(({ rest }) => decode(rest)).sort()).toEqual(
      [decode(sentBySwaks), decode(sentByCurl)].sort(),
    )
    expect(read.map(decode)).toEqual(server.mailbox("bob").map(decode))
  })

  it("gives poplib over POP3S the same bytes, logging in with an address", async () => {
    const read = await poplibRead({
      port: server.ports.pop3s,
      certPath: server.certPath,
      user: "bob@example.test",
      password: BOB.password,
      mode: "pop3s",
    })
    expect(read.map(decode)).toEqual(server.mailbox("bob").map(decode))
  })

  it("gives fetchmail the messages intact behind its own Received field", async () => {
    const mbox = await fetchmailRead({
      port: server.ports.pop3,
      certPath: server.certPath,
      user: BOB.name,
      password: BOB.password,
    })
    for (const stored of server.mailbox("bob")) {
      // fetchmail hands messages to the MDA with LF line ends.
      expect(mbox).toContain(decode(stored).replaceAll("\r\n", "\n"))
    }
    expect(mbox.match(/by \S+ with POP3 \(fetchmail/g)).toHaveLength(2)
  }, 40_000)

  it("refuses relaying from the MX port with 554 5.7.1 and accepts local mail there", async () => {
    const c = await rawConnection(server.ports.smtp)
    await c.until(/^220 /m)
    c.send("EHLO outside.test\r\n")
    await c.until(/^250 /m)
    expect(c.received).not.toMatch(/AUTH/)
    expect(c.received).toMatch(/STARTTLS/)
    c.send("MAIL FROM:<someone@outside.test>\r\nRCPT TO:<victim@elsewhere.test>\r\n")
    await c.until(/554 5\.7\.1/)
    c.send("RCPT TO:<nobody@example.test>\r\n")
    await c.until(/550 5\.1\.1/)
    c.send("RCPT TO:<alice@example.test>\r\nDATA\r\n")
    await c.until(/^354 /m)
    c.send("Subject: from outside\r\n\r\nhi\r\n.\r\nQUIT\r\n")
    await c.until(/^221 /m)
    c.close()
    const stored = server.mailbox("alice").at(-1)
    expect(decode(stored!)).toMatch(/with\s+ESMTP\s+id\s+[0-9a-z]+\s+for\s+<alice@example\.test>;/)
    expect(decode(splitTrace(stored!).rest)).toBe("Subject: from outside\r\n\r\nhi\r\n")
  })

  it("never offers AUTH in clear on submission and requires it before MAIL", async () => {
    const c = await rawConnection(server.ports.submission)
    await c.until(/^220 /m)
    c.send("EHLO client.test\r\n")
    await c.until(/^250 /m)
    expect(c.received).toMatch(/STARTTLS/)
    expect(c.received).not.toMatch(/AUTH/)
    c.send("AUTH PLAIN AGFsaWNlAGFsaWNlLXNlY3JldA==\r\n")
    await c.until(/^5\d\d /m)
    c.send("MAIL FROM:<alice@example.test>\r\n")
    await c.until(/530 5\.7\.0/)
    c.close()
  })

  it("refuses a sender address that is not the user's own with 553 5.7.1", async () => {
    const result = await swaksSubmit({
      port: server.ports.submission,
      certPath: server.certPath,
      user: ALICE.name,
      password: ALICE.password,
      from: "bob@example.test",
      to: ["bob@example.test"],
      message: sentBySwaks,
    })
    expect(result.code).not.toBe(0)
    expect(result.stdout).toMatch(/553 5\.7\.1/)
  })

  it("refuses a wrong password", async () => {
    const result = await swaksSubmit({
      port: server.ports.submission,
      certPath: server.certPath,
      user: ALICE.name,
      password: "wrong",
      from: "alice@example.test",
      to: ["bob@example.test"],
      message: sentBySwaks,
    })
    expect(result.code).not.toBe(0)
    expect(result.stdout).toMatch(/535 /)
  })

  it("logs a line per session event and stops cleanly on SIGTERM", async () => {
    const log = server.output()
    expect(log).toMatch(/smtp-\d+ connect listener=submission remote=127\.0\.0\.1:\d+ tls=false/)
    expect(log).toMatch(/smtp-\d+ helo verb=EHLO name=outside\.test/)
    expect(log).toMatch(/smtp-\d+ starttls\n/)
    expect(log).toMatch(/smtp-\d+ auth-ok mechanism=PLAIN user=alice/)
    expect(log).toMatch(/smtp-\d+ auth-failed mechanism=PLAIN reason=invalid-credentials/)
    expect(log).toMatch(
      /smtp-\d+ mail-refused from=bob@example\.test reason=sender-mismatch code=553/,
    )
    expect(log).toMatch(
      /smtp-\d+ rcpt-refused to=victim@elsewhere\.test reason=relay-denied code=554/,
    )
    expect(log).toMatch(
      /smtp-\d+ rcpt-refused to=nobody@example\.test reason=unknown-user code=550/,
    )
    expect(log).toMatch(/smtp-\d+ rcpt to=alice@example\.test code=250/)
    expect(log).toMatch(/smtp-\d+ accepted id=\S+ from=alice@example\.test to=bob@example\.test/)
    expect(log).toMatch(/smtp-\d+ message size=\d+ recipients=1 code=250/)
    expect(log).toMatch(/smtp-\d+ close reason=quit/)
    expect(log).toMatch(/pop3-\d+ connect listener=pop3 remote=127\.0\.0\.1:\d+ tls=false/)
    expect(log).toMatch(/pop3-\d+ connect listener=pop3s remote=127\.0\.0\.1:\d+ tls=true/)
    expect(log).toMatch(/pop3-\d+ stls\n/)
    expect(log).toMatch(
      /pop3-\d+ auth-ok listener=pop3s user=bob@example\.test method=USER messages=\d+/,
    )
    expect(log).toMatch(/pop3-\d+ retrieve command=RETR number=1 size=\d+ ok=true/)
    expect(log).toMatch(/pop3-\d+ close reason=quit/)
    expect(log).not.toContain(ALICE.password)
    expect(await server.stop()).toBe(0)
    expect(server.output()).toMatch(/server stopped/)
  })
})
