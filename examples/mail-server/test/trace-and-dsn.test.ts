/** The `Received:` trace field (RFC 5321 §4.4, RFC 3848) and the DSN (RFC 3464, RFC 6522). */
import { parseMessage } from "@mailwire/mime"
import { describe, expect, it } from "vitest"
import { buildDsn, headerSection, MAX_RETURNED_HEADER_BYTES } from "../src/dsn.js"
import { formatLogLine } from "../src/log.js"
import { addressLiteral, receivedHeader, withProtocol } from "../src/trace.js"

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
const date = new Date("2026-11-26T05:00:00Z")

describe("Received trace field", () => {
  it("says from whom, by whom, with what, the id, the single recipient and the date", () => {
    const field = text(
      receivedHeader({
        clientHostname: "client.test",
        remoteAddress: "::ffff:192.0.2.7",
        isSecure: true,
        isAuthenticated: true,
        hostname: "mail.example.test",
        id: "abc123",
        recipients: ["bob@example.test"],
        date,
      }),
    )
    expect(field).toBe(
      "Received: from client.test ([192.0.2.7]) by mail.example.test (mailwire) with\r\n" +
        " ESMTPSA id abc123 for <bob@example.test>; Thu, 26 Nov 2026 05:00:00 +0000\r\n",
    )
  })

  it("leaves the recipient out when there are several", () => {
    const field = text(
      receivedHeader({
        clientHostname: null,
        remoteAddress: "127.0.0.1",
        isSecure: false,
        isAuthenticated: false,
        hostname: "mx.test",
        id: "x",
        recipients: ["a@x.test", "b@x.test"],
        date,
      }),
    )
    expect(field).toMatch(/^Received: from unknown \(\[127\.0\.0\.1\]\) by mx\.test/)
    expect(field).not.toContain(" for ")
  })

  it.each([
    [false, false, "ESMTP"],
    [true, false, "ESMTPS"],
    [false, true, "ESMTPA"],
    [true, true, "ESMTPSA"],
  ])(
    "names the protocol (TLS %s, AUTH %s) %s as RFC 3848 does",
    (isSecure, isAuthenticated, name) => {
      expect(withProtocol({ isSecure, isAuthenticated })).toBe(name)
    },
  )

  it("writes address literals as RFC 5321 §4.1.3 does", () => {
    expect(addressLiteral("10.0.0.1")).toBe("[10.0.0.1]")
    expect(addressLiteral("2001:db8::1")).toBe("[IPv6:2001:db8::1]")
  })

  it("cannot be broken by an EHLO name with line breaks or spaces", () => {
    const field = text(
      receivedHeader({
        clientHostname: "evil\r\nBcc: x@y.test",
        remoteAddress: "127.0.0.1",
        isSecure: false,
        isAuthenticated: false,
        hostname: "mx.test",
        id: "x",
        recipients: [],
        date,
      }),
    )
    expect(field.split("\r\n").filter((line) => /^\S/.test(line))).toHaveLength(1)
    expect(field).toContain("evil??Bcc:?x@y.test")
  })
})

describe("DSN", () => {
  const original = new TextEncoder().encode(
    "Received: from a\r\nFrom: alice@example.test\r\nSubject: hello\r\n\r\nSecret body\r\n",
  )
  const dsn = buildDsn({
    hostname: "mail.example.test",
    sender: "alice@example.test",
    id: "q1",
    arrivalDate: date,
    date: new Date("2026-11-26T06:00:00Z"),
    boundary: "b-123",
    originalHeaders: headerSection(original),
    failures: [
      {
        recipient: "x@remote.test",
        status: "5.1.1",
        diagnostic: "550 5.1.1 No such user",
        isSmtpReply: true,
        remoteMta: "relay.test",
      },
      {
        recipient: "y@remote.test",
        status: "4.4.1",
        diagnostic: "connection refused \u00e9\r\ninjected: yes",
        isSmtpReply: false,
        remoteMta: null,
      },
    ],
  })

  it("is a multipart/report with the three parts of RFC 6522", async () => {
    const parsed = await parseMessage(dsn)
    expect(parsed.defects).toEqual([])
    expect(parsed.root.contentType.mimeType).toBe("multipart/report")
    expect(parsed.root.contentType.parameters["report-type"]).toBe("delivery-status")
    expect(parsed.root.children.map((p) => p.contentType.mimeType)).toEqual([
      "text/plain",
      "message/delivery-status",
      "text/rfc822-headers",
    ])
    expect(parsed.subject).toBe("Undelivered Mail Returned to Sender")
    expect(parsed.to.map((a) => ("address" in a ? a.address : ""))).toEqual(["alice@example.test"])
  })

  it("has the per-message and per-recipient fields of RFC 3464 §2.2 and §2.3", () => {
    const body = text(dsn)
    const status = body.slice(
      body.indexOf("Reporting-MTA"),
      body.indexOf("--b-123\r\nContent-Type: text/rfc822"),
    )
    expect(status).toBe(
      [
        "Reporting-MTA: dns; mail.example.test",
        "X-Mailwire-Queue-ID: q1",
        "Arrival-Date: Thu, 26 Nov 2026 05:00:00 +0000",
        "",
        "Final-Recipient: rfc822; x@remote.test",
        "Action: failed",
        "Status: 5.1.1",
        "Remote-MTA: dns; relay.test",
        "Diagnostic-Code: smtp; 550 5.1.1 No such user",
        "Last-Attempt-Date: Thu, 26 Nov 2026 06:00:00 +0000",
        "",
        "Final-Recipient: rfc822; y@remote.test",
        "Action: failed",
        "Status: 4.4.1",
        "Diagnostic-Code: x-local; connection refused ???injected: yes",
        "Last-Attempt-Date: Thu, 26 Nov 2026 06:00:00 +0000",
        "",
        "",
      ].join("\r\n"),
    )
  })

  it("returns the original header section but not the body", () => {
    const body = text(dsn)
    expect(body).toContain(
      "Content-Type: text/rfc822-headers\r\n\r\nReceived: from a\r\nFrom: alice@example.test\r\nSubject: hello\r\n\r\n--b-123--\r\n",
    )
    expect(body).not.toContain("Secret body")
    expect(body).toMatch(/\r\nAuto-Submitted: auto-replied\r\n/)
  })

  it("uses CRLF line ends only", () => {
    expect(text(dsn).replaceAll("\r\n", "")).not.toMatch(/[\r\n]/)
  })

  it("cuts a huge header section at its limit", () => {
    const huge = new Uint8Array(MAX_RETURNED_HEADER_BYTES * 2).fill(0x61)
    expect(headerSection(huge)).toHaveLength(MAX_RETURNED_HEADER_BYTES)
  })
})

describe("log lines", () => {
  it("are one line with key=value fields, quoting what could break them", () => {
    expect(
      formatLogLine(date, "smtp-1", "rcpt", {
        to: "a@b.test",
        n: 2,
        none: undefined,
        bad: "x\r\ny z",
      }),
    ).toBe('2026-11-26T05:00:00.000Z smtp-1 rcpt to=a@b.test n=2 bad="x\\r\\ny z"')
  })
})
