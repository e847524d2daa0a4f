import { encodeResponse, ResponseDecoder } from "@mailwire/imap"
import { describe, expect, it } from "vitest"
import { REAL_SERVER_RESPONSES } from "./fixtures/real-servers.js"
import { RFC_RESPONSES } from "./fixtures/rfc-responses.js"
import { bytewise, feed, latin1, responsesOf } from "./helpers.js"

const bytesOf = (wire: string) => Uint8Array.from(wire, (c) => c.charCodeAt(0))

function reencode(wire: string): string {
  const events = feed(new ResponseDecoder(), [bytesOf(wire)])
  expect(events.filter((e) => e.type === "error")).toEqual([])
  return responsesOf(events)
    .map((r) => latin1(encodeResponse(r, { utf8: true })))
    .join("")
}

describe("RFC response examples", () => {
  for (const fixture of RFC_RESPONSES) {
    it(`parses and re-encodes ${fixture.source}`, () => {
      expect(reencode(fixture.wire)).toBe(fixture.canonical ?? fixture.wire)
    })
    it(`gives the same events byte at a time: ${fixture.source}`, () => {
      const whole = feed(new ResponseDecoder(), [bytesOf(fixture.wire)])
      expect(feed(new ResponseDecoder(), bytewise(bytesOf(fixture.wire)))).toEqual(whole)
    })
  }
})

describe("real server quirks", () => {
  for (const fixture of REAL_SERVER_RESPONSES) {
    it(`reads ${fixture.software} (${fixture.reference})`, () => {
      expect(reencode(fixture.wire)).toBe(fixture.canonical)
      const whole = feed(new ResponseDecoder(), [bytesOf(fixture.wire)])
      expect(feed(new ResponseDecoder(), bytewise(bytesOf(fixture.wire)))).toEqual(whole)
    })
  }
})

describe("typed values", () => {
  const one = (wire: string) => {
    const [response] = responsesOf(feed(new ResponseDecoder(), [bytesOf(wire)]))
    return response
  }

  it("reads a FETCH with ENVELOPE and BODY into typed values", () => {
    const response = one(
      `${RFC_RESPONSES.find((f) => f.source === "RFC 9051 §7.5.2")!.wire.split("\r\n")[1]}\r\n`,
    )
    expect(response).toMatchObject({
      type: "fetch",
      seq: 12,
      items: [
        { type: "FLAGS", value: ["\\Seen"] },
        {
          type: "INTERNALDATE",
          value: { date: new Date("1996-07-17T09:44:25Z"), offsetMinutes: -420 },
        },
        { type: "RFC822.SIZE", value: 4286 },
        {
          type: "ENVELOPE",
          value: {
            subject: "IMAP4rev2 WG mtg summary and minutes",
            from: [{ name: "Terry Gray", adl: null, mailbox: "gray", host: "cac.washington.edu" }],
            bcc: null,
            messageId: "<B27397-0100000@cac.washington.edu>",
          },
        },
        {
          type: "BODY",
          value: {
            kind: "single",
            type: "TEXT",
            subtype: "PLAIN",
            size: 3028,
            lines: 92,
            encoding: "7BIT",
          },
        },
      ],
    })
  })

  it("reads response codes with data", () => {
    expect(one("A004 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n")).toEqual({
      type: "status",
      tag: "A004",
      status: "OK",
      code: {
        type: "COPYUID",
        uidValidity: 38505,
        sourceUids: [
          { start: 304, end: 304 },
          { start: 319, end: 320 },
        ],
        destinationUids: [{ start: 3956, end: 3958 }],
      },
      text: "Done",
    })
    expect(one("* OK [HIGHESTMODSEQ 715194045007]\r\n")).toMatchObject({
      code: { type: "HIGHESTMODSEQ", modseq: 715194045007n },
    })
    expect(one("* OK [REFERRAL imap://a/b] go there\r\n")).toMatchObject({
      code: { type: "other", name: "REFERRAL", text: "imap://a/b" },
      text: "go there",
    })
  })

  it("reads Gmail's X-GM items as typed values", () => {
    expect(one(REAL_SERVER_RESPONSES[0]!.wire)).toMatchObject({
      items: [
        { type: "X-GM-THRID", value: 1278455344230334865n },
        { type: "X-GM-MSGID", value: 1278455344230334865n },
        { type: "X-GM-LABELS", value: ["\\Inbox", "\\Sent", "Important", "Muy Importante"] },
        { type: "UID", value: 4 },
      ],
    })
  })

  it("keeps unknown FETCH items and untagged responses as generic values", () => {
    expect(one('* 1 FETCH (X-FOO (1 "a" NIL) UID 2)\r\n')).toEqual({
      type: "fetch",
      seq: 1,
      items: [
        { type: "other", name: "X-FOO", value: [{ atom: "1" }, "a", null] },
        { type: "UID", value: 2 },
      ],
    })
    expect(one("* XLIST-THING a b c\r\n")).toEqual({
      type: "unknown",
      number: null,
      name: "XLIST-THING",
      text: "a b c",
    })
  })

  it("reads UTF-8 in quoted strings (IMAP4rev2, RFC 6855)", () => {
    const bytes = new TextEncoder().encode('* LIST () "/" "Entwürfe"\r\n')
    const events = feed(new ResponseDecoder(), [bytes])
    expect(events[0]).toMatchObject({ type: "response", response: { mailbox: "Entwürfe" } })
  })

  it("reports a syntax error without losing the next response", () => {
    const events = feed(new ResponseDecoder(), [bytesOf("* 1 FETCH (UID x)\r\n* 2 EXISTS\r\n")])
    expect(events).toEqual([
      { type: "error", code: "SYNTAX", isFatal: false, tag: null },
      { type: "response", response: { type: "exists", number: 2 } },
    ])
  })
})
