/**
 * Outbound mail end to end, with the server as a child process: through a relay that
 * wants STARTTLS and AUTH (aiosmtpd), through Postfix's smtp-sink after the relay was
 * down and the server restarted, and a permanent `550` turned into an RFC 3464 DSN in
 * the sender's own mailbox.
 */
import { parseMessage } from "@mailwire/mime"
import { afterEach, describe, expect, it } from "vitest"
import { type Aiosmtpd, startAiosmtpd } from "../../../packages/node/test/harness/aiosmtpd.js"
import { peersAvailable } from "../../../packages/node/test/harness/peers.js"
import { swaksSubmit } from "./harness/clients.js"
import {
  ALICE,
  eventually,
  type MailServerUnderTest,
  mailServer,
  splitTrace,
  testMessage,
  uniquePort,
} from "./harness/mail-server.js"
import { type SinkRelay, startSinkRelay } from "./harness/relay.js"

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
const run = peersAvailable("mail-server outbound", "swaks", "smtpSink", "python3", "openssl")

describe.runIf(run)("outbound mail", () => {
  let server: MailServerUnderTest | null = null
  let relay: SinkRelay | null = null
  let aiosmtpd: Aiosmtpd | null = null

  afterEach(async () => {
    await server?.cleanup()
    await relay?.stop()
    await aiosmtpd?.stop()
    server = null
    relay = null
    aiosmtpd = null
  })

  async function submit(s: MailServerUnderTest, to: readonly string[], message: Uint8Array) {
    const result = await swaksSubmit({
      port: s.ports.submission,
      certPath: s.certPath,
      user: ALICE.name,
      password: ALICE.password,
      from: "alice@example.test",
      to,
      message,
    })
    expect(result.code, result.stdout).toBe(0)
  }

  it("relays through aiosmtpd with STARTTLS and AUTH, bytes intact behind our trace field", async () => {
    aiosmtpd = await startAiosmtpd({ user: "relayuser", password: "relaypass" })
    server = await mailServer({
      extra: {
        relay: {
          host: "127.0.0.1",
          port: aiosmtpd.port,
          startTls: "required",
          auth: { user: "relayuser", pass: "relaypass" },
          tls: { ca: aiosmtpd.certPath },
        },
      },
    })
    await server.start()
    const message = testMessage(
      "alice@example.test",
      "carol@remote.test",
      "via-aiosmtpd",
      "Out into the world.\r\n",
    )
    await submit(server, ["carol@remote.test"], message)
    const s = server
    const a = aiosmtpd
    await eventually(s, () => a.messages().length === 1, "the relay to get the message")
    const { trace, rest } = splitTrace(a.messages()[0]!)
    expect(trace).toMatch(/^Received: from .* by mail\.example\.test \(mailwire\) with\s+ESMTPSA/)
    expect(decode(rest)).toBe(decode(message))
    await eventually(s, () => s.queued().length === 0, "the queue to empty")
    expect(s.output()).toMatch(/queue delivered id=\S+ to=carol@remote\.test/)
  }, 60_000)

  it("keeps a message queued while the relay is down, across a restart, and delivers it when the relay is back", async () => {
    const relayPort = await uniquePort()
    server = await mailServer({
      extra: {
        relay: { host: "127.0.0.1", port: relayPort },
        queue: { retryDelays: Array(60).fill(0.5) },
      },
    })
    await server.start()
    const message = testMessage(
      "alice@example.test",
      "dave@remote.test",
      "survives-restart",
      "Waited for the relay.\r\n",
    )
    await submit(server, ["dave@remote.test"], message)
    const s = server
    await eventually(
      s,
      () => /queue deferred .*to=dave@remote\.test/.test(s.output()),
      "a deferral",
    )
    expect(s.queued()).toHaveLength(1)
    expect(await s.stop()).toBe(0)
    expect(s.queued()).toHaveLength(1)

    relay = await startSinkRelay(relayPort)
    const r = relay
    await s.start()
    expect(s.output()).toMatch(/queue recovered messages=1/)
    // smtp-sink writes its dump with LF line ends, and may still be writing it.
    const expected = decode(message).replaceAll("\r\n", "\n")
    await eventually(
      s,
      () => r.messages().some((dump) => dump.includes(expected)),
      "the relay to get the message",
    )
    expect(r.messages()).toHaveLength(1)
    expect(r.messages()[0]).toContain("X-Rcpt-Args: <dave@remote.test>")
    await eventually(s, () => s.queued().length === 0, "the queue to empty")
    expect(s.mailbox("alice")).toHaveLength(0)
  }, 60_000)

  it("bounces a permanent 550 at once with an RFC 3464 DSN in the sender's mailbox", async () => {
    relay = await startSinkRelay(await uniquePort(), { rejectRcpt: "550 5.1.1 No such user here" })
    server = await mailServer({
      extra: { relay: { host: "127.0.0.1", port: relay.port }, queue: { retryDelays: [60] } },
    })
    await server.start()
    const message = testMessage(
      "alice@example.test",
      "nobody@remote.test",
      "will-bounce",
      "This goes nowhere.\r\n",
    )
    await submit(server, ["nobody@remote.test"], message)
    const s = server
    await eventually(s, () => s.mailbox("alice").length === 1, "the DSN")
    await eventually(s, () => s.queued().length === 0, "the queue to empty")
    expect(s.output()).not.toMatch(/queue deferred/)
    const dsn = s.mailbox("alice")[0]!
    const text = decode(dsn)
    expect(text).toMatch(/^From: Mail Delivery System <MAILER-DAEMON@mail\.example\.test>\r\n/)
    expect(text).toMatch(/\r\nAuto-Submitted: auto-replied\r\n/)
    const { root, defects } = await parseMessage(dsn)
    expect(defects).toEqual([])
    expect(root.contentType.mimeType).toBe("multipart/report")
    expect(root.contentType.parameters["report-type"]).toBe("delivery-status")
    expect(root.children.map((part) => part.contentType.mimeType)).toEqual([
      "text/plain",
      "message/delivery-status",
      "text/rfc822-headers",
    ])
    expect(text).toContain("Final-Recipient: rfc822; nobody@remote.test")
    expect(text).toContain("Action: failed")
    expect(text).toContain("Status: 5.1.1")
    expect(text).toContain("Remote-MTA: dns; 127.0.0.1")
    expect(text).toMatch(/Diagnostic-Code: smtp; 550 5\.1\.1 No such user here/)
    expect(text).toContain("Content-Type: text/rfc822-headers")
    expect(text).toContain("Subject: will-bounce")
    expect(text).not.toContain("This goes nowhere.")
  }, 60_000)

  it("bounces after the last retry when the relay never answers", async () => {
    server = await mailServer({
      extra: {
        relay: { host: "127.0.0.1", port: await uniquePort() },
        queue: { retryDelays: [0.2, 0.2] },
      },
    })
    await server.start()
    await submit(
      server,
      ["erin@remote.test"],
      testMessage("alice@example.test", "erin@remote.test", "gives-up", "Nobody home.\r\n"),
    )
    const s = server
    await eventually(s, () => s.mailbox("alice").length === 1, "the DSN")
    expect(s.output()).toMatch(/queue expired id=\S+ to=erin@remote\.test attempts=3/)
    const text = decode(s.mailbox("alice")[0]!)
    expect(text).toContain("Final-Recipient: rfc822; erin@remote.test")
    expect(text).toMatch(/Status: 4\.4\.1/)
  }, 60_000)
})
