import { type Command, CommandDecoder, encodeCommand, ResponseDecoder } from "@mailwire/imap"
import { concatBytes } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { REAL_CLIENT_COMMANDS, REJECTED_CLIENT_COMMANDS } from "./fixtures/real-clients.js"
import { REAL_SERVER_RESPONSES } from "./fixtures/real-servers.js"
import { bytewise, feed, latin1, type Normalised, splitAt, withLiterals } from "./helpers.js"

const bytesOf = (wire: string) => Uint8Array.from(wire, (c) => c.charCodeAt(0))

function commandsOf(events: readonly Normalised[]): Command[] {
  const out: Command[] = []
  let literals: string[] = []
  for (const event of events) {
    if (event.type === "literal") literals.push(event.bytes)
    else if (event.type === "command") {
      out.push(withLiterals(event.command, literals))
      literals = []
    }
  }
  return out
}

describe("real client quirks (server side)", () => {
  for (const fixture of REAL_CLIENT_COMMANDS) {
    it(`reads ${fixture.software} (${fixture.reference})`, () => {
      const events = feed(new CommandDecoder(), [bytesOf(fixture.wire)])
      expect(events.filter((e) => e.type === "error")).toEqual([])
      const written = commandsOf(events)
        .map((c) => latin1(concatBytes(encodeCommand(c).map((p) => p.bytes))))
        .join("")
      expect(written).toBe(fixture.canonical)
      expect(feed(new CommandDecoder(), bytewise(bytesOf(fixture.wire)))).toEqual(events)
    })
  }

  for (const fixture of REJECTED_CLIENT_COMMANDS) {
    it(`answers BAD to ${fixture.software} (${fixture.reference}) and goes on`, () => {
      const events = feed(new CommandDecoder(), [bytesOf(fixture.wire)])
      const errors = events.filter((e) => e.type === "error")
      expect(errors.map((e) => (e.type === "error" ? e.tag : null))).toEqual(fixture.rejectedTags)
      expect(errors.every((e) => e.type === "error" && !e.isFatal)).toBe(true)
      expect(events.at(-1)).toMatchObject({ type: "command", command: { name: "NOOP" } })
    })
  }

  it("reads IDLE's DONE and the next command from one chunk (Apple Mail on iOS 18, stalwartlabs/stalwart#765)", () => {
    const decoder = new CommandDecoder()
    expect(decoder.receive(bytesOf("A4 IDLE\r\n"))).toMatchObject([
      { type: "command", command: { name: "IDLE" } },
    ])
    decoder.expectContinuationLine()
    expect(decoder.receive(bytesOf("DONE\r\nA5 UID FETCH 1:* (FLAGS)\r\n"))).toMatchObject([
      { type: "continuation-line", text: "DONE" },
      { type: "command", command: { tag: "A5", name: "FETCH", uid: true } },
    ])
  })
})

describe("Exchange's broken quoted strings (client side)", () => {
  it("reads CR LF inside a quoted string as part of it", () => {
    const events = feed(new ResponseDecoder(), [bytesOf(REAL_SERVER_RESPONSES.at(-8)!.wire)])
    expect(events[0]).toMatchObject({
      type: "response",
      response: {
        items: [{ type: "UID" }, { value: { subject: "Quarterly report,\r\n and the minutes" } }],
      },
    })
  })

  it("gives up joining when the next line starts a response, and reports the broken one", () => {
    const wire = '* 1 FETCH (ENVELOPE (NIL "broken\r\n* 2 EXISTS\r\nA1 OK done\r\n'
    expect(feed(new ResponseDecoder(), [bytesOf(wire)])).toEqual([
      { type: "error", code: "SYNTAX", isFatal: false, tag: null },
      { type: "response", response: { type: "exists", number: 2 } },
      {
        type: "response",
        response: { type: "status", tag: "A1", status: "OK", code: null, text: "done" },
      },
    ])
  })

  it("keeps the line-length limit across joined lines", () => {
    const decoder = new ResponseDecoder({ maxLineLength: 100 })
    const wire = `* 1 FETCH (ENVELOPE (NIL "${" x\r\n".repeat(40)}" NIL))\r\n* 3 EXISTS\r\n`
    const events = feed(decoder, [bytesOf(wire)])
    expect(events[0]).toEqual({ type: "error", code: "LINE_TOO_LONG", isFatal: false, tag: null })
    expect(events.at(-1)).toEqual({ type: "response", response: { type: "exists", number: 3 } })
  })

  it("reports a quoted string still open when the connection ends", () => {
    const decoder = new ResponseDecoder()
    expect(decoder.receive(bytesOf('* 1 FETCH (ENVELOPE (NIL "open\r\n'))).toEqual([])
    expect(decoder.receiveEnd()).toMatchObject([{ type: "error", isFatal: true }])
  })

  it("joins 200,000 broken lines in linear time (well under a second)", () => {
    const wire = `* 1 FETCH (ENVELOPE (NIL "${" x\r\n".repeat(200_000)}" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n`
    const bytes = bytesOf(wire)
    const chunks = Array.from({ length: Math.ceil(bytes.length / 65_536) }, (_, i) =>
      bytes.subarray(i * 65_536, (i + 1) * 65_536),
    )
    const started = performance.now()
    const events = feed(new ResponseDecoder(), chunks)
    expect(performance.now() - started).toBeLessThan(1000)
    expect(events).toMatchObject([{ type: "response", response: { type: "fetch", seq: 1 } }])
  })

  it("gives the same events for any split of every quirk fixture", () => {
    const wire = bytesOf(REAL_SERVER_RESPONSES.map((f) => f.wire).join(""))
    const whole = feed(new ResponseDecoder(), [wire])
    expect(whole.filter((e) => e.type === "error")).toEqual([])
    fc.assert(
      fc.property(fc.array(fc.nat(wire.length), { maxLength: 40 }), (offsets) => {
        expect(feed(new ResponseDecoder(), splitAt(wire, offsets))).toEqual(whole)
      }),
      { numRuns: 200 },
    )
  })
})
