import {
  type Command,
  CommandDecoder,
  encodeCommand,
  encodeContinuationLine,
  LITERAL_MINUS_MAX,
} from "@mailwire/imap"
import { concatBytes } from "@mailwire/wire"
import { describe, expect, it } from "vitest"
import { RFC_COMMANDS } from "./fixtures/rfc-commands.js"
import { bytewise, feed, latin1, type Normalised, withLiterals } from "./helpers.js"

const bytesOf = (wire: string) => Uint8Array.from(wire, (c) => c.charCodeAt(0))

/** The commands among events, with streamed APPEND messages put back. */
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

function reencode(wire: string): string {
  const events = feed(new CommandDecoder(), [bytesOf(wire)])
  expect(events.filter((e) => e.type === "error")).toEqual([])
  return commandsOf(events)
    .map((c) => latin1(concatBytes(encodeCommand(c).map((p) => p.bytes))))
    .join("")
}

describe("RFC command examples", () => {
  for (const fixture of RFC_COMMANDS) {
    it(`parses and re-encodes ${fixture.source}`, () => {
      expect(reencode(fixture.wire)).toBe(fixture.canonical ?? fixture.wire)
    })
    it(`gives the same events byte at a time: ${fixture.source}`, () => {
      const whole = feed(new CommandDecoder(), [bytesOf(fixture.wire)])
      expect(feed(new CommandDecoder(), bytewise(bytesOf(fixture.wire)))).toEqual(whole)
    })
  }
})

describe("command values", () => {
  const one = (wire: string) => commandsOf(feed(new CommandDecoder(), [bytesOf(wire)]))[0]

  it("reads the search-key tree", () => {
    expect(one('A1 UID SEARCH OR (SEEN FLAGGED) NOT FROM "x y" 1:5,8\r\n')).toEqual({
      tag: "A1",
      name: "SEARCH",
      uid: true,
      returnOptions: null,
      charset: null,
      criteria: [
        {
          key: "OR",
          left: { key: "and", keys: [{ key: "SEEN" }, { key: "FLAGGED" }] },
          right: { key: "NOT", operand: { key: "FROM", value: "x y" } },
        },
        {
          key: "sequence-set",
          set: [
            { start: 1, end: 5 },
            { start: 8, end: 8 },
          ],
        },
      ],
    })
  })

  it("reads FETCH items with sections and partials", () => {
    expect(
      one("A2 FETCH 1:* (BODY.PEEK[1.2.HEADER.FIELDS.NOT (X-A B)]<0.100> BINARY.SIZE[3])\r\n"),
    ).toEqual({
      tag: "A2",
      name: "FETCH",
      uid: false,
      set: [{ start: 1, end: "*" }],
      items: [
        {
          type: "BODY[]",
          peek: true,
          section: { part: [1, 2], text: "HEADER.FIELDS.NOT", fields: ["X-A", "B"] },
          partial: { offset: 0, length: 100 },
        },
        { type: "BINARY.SIZE", part: [3] },
      ],
      changedSince: null,
      vanished: false,
    })
  })

  it("reads mailbox names sent as literals", () => {
    expect(one("A3 LOGIN {4}\r\nfred {7}\r\nse cret\r\n")).toEqual({
      tag: "A3",
      name: "LOGIN",
      username: "fred",
      password: "se cret",
    })
  })

  it("normalises INBOX in any case", () => {
    expect(one("A4 SELECT inBox\r\n")).toMatchObject({ mailbox: "INBOX" })
  })

  it("rejects an unknown command with BAD and goes on", () => {
    const events = feed(new CommandDecoder(), [bytesOf("A5 FROB x\r\nA6 NOOP\r\n")])
    expect(events).toEqual([
      { type: "error", code: "SYNTAX", isFatal: false, tag: "A5" },
      { type: "command", command: { tag: "A6", name: "NOOP" } },
    ])
  })
})

describe("synchronizing literals on the server side", () => {
  it("asks before reading a synchronizing literal and stops until answered", () => {
    const decoder = new CommandDecoder()
    const first = decoder.receive(bytesOf("A1 LOGIN {4}\r\nfred x\r\nA2 NOOP\r\n"))
    expect(first).toEqual([{ type: "literal-request", tag: "A1", size: 4 }])
    expect(decoder.isWaitingForLiteralDecision).toBe(true)
    const rest = decoder.acceptLiteral()
    expect(rest.map((e) => e.type)).toEqual(["command", "command"])
  })

  it("drops the command when the literal is rejected", () => {
    const decoder = new CommandDecoder()
    decoder.receive(bytesOf("A1 LOGIN {4}\r\n"))
    expect(decoder.rejectLiteral()).toEqual([])
    expect(decoder.receive(bytesOf("A2 NOOP\r\n"))).toEqual([
      { type: "command", command: { tag: "A2", name: "NOOP" } },
    ])
  })

  it("reads non-synchronizing literals without asking (LITERAL+, RFC 7888)", () => {
    const events = new CommandDecoder().receive(bytesOf("A1 LOGIN {4+}\r\nfred {1+}\r\nx\r\n"))
    expect(events).toEqual([
      { type: "command", command: { tag: "A1", name: "LOGIN", username: "fred", password: "x" } },
    ])
  })

  it("refuses a literal over the inline limit before it is sent", () => {
    const decoder = new CommandDecoder({ maxInlineLiteralSize: 10 })
    const events = decoder.receive(bytesOf("A1 LOGIN {11}\r\n"))
    expect(events).toMatchObject([
      { type: "error", tag: "A1", isFatal: false, error: { code: "LITERAL_TOO_LARGE" } },
    ])
    expect(decoder.receive(bytesOf("A2 NOOP\r\n"))).toHaveLength(1)
  })

  it("skips a non-synchronizing literal over the limit and reports the command", () => {
    const decoder = new CommandDecoder({ maxInlineLiteralSize: 3 })
    const events = feed(decoder, [bytesOf("A1 LOGIN {5+}\r\nab\r\nc x\r\nA2 NOOP\r\n")])
    expect(events).toEqual([
      { type: "error", code: "LITERAL_TOO_LARGE", isFatal: false, tag: "A1" },
      { type: "command", command: { tag: "A2", name: "NOOP" } },
    ])
  })

  it("ends the connection on a {n+} literal over 4,096 bytes when set up for LITERAL- (RFC 7888)", () => {
    const decoder = new CommandDecoder({ maxNonSyncLiteralSize: LITERAL_MINUS_MAX })
    expect(decoder.receive(bytesOf("A1 LOGIN {4096+}\r\n"))).toEqual([])
    const events = new CommandDecoder({ maxNonSyncLiteralSize: LITERAL_MINUS_MAX }).receive(
      bytesOf("A1 LOGIN {4097+}\r\nxxxx"),
    )
    expect(events).toMatchObject([
      { type: "error", isFatal: true, tag: "A1", error: { code: "LITERAL_TOO_LARGE" } },
    ])
  })

  it("reads IDLE's DONE as a continuation line, written by encodeContinuationLine", () => {
    const decoder = new CommandDecoder()
    expect(decoder.receive(bytesOf("A2 IDLE\r\n"))).toEqual([
      { type: "command", command: { tag: "A2", name: "IDLE" } },
    ])
    decoder.expectContinuationLine()
    expect(decoder.receive(encodeContinuationLine("DONE"))).toEqual([
      { type: "continuation-line", text: "DONE" },
    ])
    expect(() => encodeContinuationLine("DONE\r\nA3 LOGOUT")).toThrow(/CR, LF or NUL/)
  })

  it("hands out the line after AUTHENTICATE's + raw, and only that line", () => {
    const decoder = new CommandDecoder()
    expect(decoder.receive(bytesOf("a1 AUTHENTICATE PLAIN\r\n"))).toHaveLength(1)
    decoder.expectContinuationLine()
    expect(decoder.receive(bytesOf("dGVzdAB0ZXN0AHRlc3Q=\r\nDONE\r\n"))).toEqual([
      { type: "continuation-line", text: "dGVzdAB0ZXN0AHRlc3Q=" },
      {
        type: "error",
        error: expect.objectContaining({ code: "SYNTAX" }),
        tag: "DONE",
        isFatal: false,
      },
    ])
  })
})
