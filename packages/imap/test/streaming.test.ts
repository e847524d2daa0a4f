import { CommandDecoder, ResponseDecoder } from "@mailwire/imap"
import { describe, expect, it } from "vitest"
import { feed, splitAt } from "./helpers.js"

const bytesOf = (wire: string) => Uint8Array.from(wire, (c) => c.charCodeAt(0))

describe("streamed literals", () => {
  it("streams a FETCH body as chunks as they arrive, before the response", () => {
    const decoder = new ResponseDecoder()
    const first = decoder.receive(bytesOf("* 7 FETCH (UID 9 BODY[] {10}\r\n01234"))
    expect(first).toEqual([
      {
        type: "literal-start",
        index: 0,
        size: 10,
        isBinary: false,
        seq: 7,
        item: "BODY[]",
        tag: null,
      },
      { type: "literal-chunk", bytes: bytesOf("01234"), remaining: 5 },
    ])
    const second = decoder.receive(bytesOf("56789 FLAGS (\\Seen))\r\n"))
    expect(second[0]).toEqual({ type: "literal-chunk", bytes: bytesOf("56789"), remaining: 0 })
    expect(second[1]).toEqual({
      type: "response",
      response: {
        type: "fetch",
        seq: 7,
        items: [
          { type: "UID", value: 9 },
          {
            type: "BODY[]",
            section: { part: [] },
            origin: null,
            value: { kind: "streamed", size: 10, index: 0 },
          },
          { type: "FLAGS", value: ["\\Seen"] },
        ],
      },
    })
  })

  it("streams a body far larger than the inline limit without buffering it", () => {
    const decoder = new ResponseDecoder({ maxInlineLiteralSize: 16 })
    const size = 1_000_000
    const events = decoder.receive(bytesOf(`* 1 FETCH (BODY[TEXT]<0> {${size}}\r\n`))
    expect(events).toMatchObject([{ type: "literal-start", size, item: "BODY[TEXT]<0>" }])
    let received = 0
    const chunk = new Uint8Array(65_536).fill(0x61)
    while (received < size) {
      const piece = chunk.subarray(0, Math.min(chunk.length, size - received))
      for (const event of decoder.receive(piece)) {
        expect(event.type).toBe("literal-chunk")
        if (event.type === "literal-chunk") received += event.bytes.length
      }
    }
    expect(decoder.receive(bytesOf(")\r\n"))).toMatchObject([
      { type: "response", response: { seq: 1 } },
    ])
  })

  it("keeps short literals that are not bodies, such as an ENVELOPE subject", () => {
    const events = feed(new ResponseDecoder(), [
      bytesOf("* 1 FETCH (ENVELOPE (NIL {5}\r\nhello NIL NIL NIL NIL NIL NIL NIL NIL))\r\n"),
    ])
    expect(events).toMatchObject([
      { type: "response", response: { items: [{ value: { subject: "hello" } }] } },
    ])
  })

  it("streams RFC822 and BINARY bodies, and literal8", () => {
    const events = feed(new ResponseDecoder(), [
      bytesOf("* 1 FETCH (RFC822 {2}\r\nab BINARY[1]<5> ~{3}\r\na\0b)\r\n"),
    ])
    expect(events.slice(0, 2)).toMatchObject([
      { type: "literal", item: "RFC822", bytes: "ab" },
      { type: "literal", item: "BINARY[1]<5>", bytes: "a\0b" },
    ])
  })

  it("streams APPEND messages, and MULTIAPPEND's each, but not a literal mailbox name", () => {
    const events = feed(new CommandDecoder(), [
      bytesOf("A1 APPEND {5}\r\nDraft (\\Seen) {3}\r\nabc {2+}\r\nde\r\n"),
    ])
    expect(events.filter((e) => e.type === "literal")).toEqual([
      { type: "literal", index: 0, size: 3, item: "APPEND", seq: null, bytes: "abc" },
      { type: "literal", index: 1, size: 2, item: "APPEND", seq: null, bytes: "de" },
    ])
    expect(events.at(-1)).toMatchObject({ type: "command", command: { mailbox: "Draft" } })
  })

  it("gives the same events for every split of a response with literals", () => {
    const wire = bytesOf(
      "* 1 FETCH (BODY[] {4}\r\nab\r\n UID 2)\r\n* 2 FETCH (BODY[1] {0}\r\n)\r\n",
    )
    const whole = feed(new ResponseDecoder(), [wire])
    for (let i = 1; i < wire.length; i++) {
      expect(feed(new ResponseDecoder(), splitAt(wire, [i]))).toEqual(whole)
    }
  })
})

describe("limits", () => {
  it("reports a literal over the limit and skips exactly its bytes", () => {
    const decoder = new ResponseDecoder({ maxLiteralSize: 4 })
    const events = feed(decoder, [
      bytesOf("* 1 FETCH (BODY[] {5}\r\n)\r\n\r\n UID 1)\r\n* 2 EXISTS\r\n"),
    ])
    expect(events).toEqual([
      { type: "error", code: "LITERAL_TOO_LARGE", isFatal: false, tag: null },
      { type: "response", response: { type: "exists", number: 2 } },
    ])
  })

  it("counts the lines of one command together, so literals cannot stretch the line limit", () => {
    const decoder = new CommandDecoder({ maxLineLength: 100 })
    const wire = `A1 LOGIN ${"{1+}\r\nx ".repeat(40)}y\r\nA2 NOOP\r\n`
    expect(feed(decoder, [bytesOf(wire)])).toEqual([
      { type: "error", code: "LINE_TOO_LONG", isFatal: false, tag: "A1" },
      { type: "command", command: { tag: "A2", name: "NOOP" } },
    ])
  })

  it("counts kept literals of one response together against the inline limit", () => {
    const decoder = new ResponseDecoder({ maxInlineLiteralSize: 8 })
    const wire =
      "* 1 FETCH (ENVELOPE (NIL {5}\r\nhello {5}\r\nworld NIL NIL NIL NIL NIL NIL NIL NIL))\r\n* 2 EXISTS\r\n"
    expect(feed(decoder, [bytesOf(wire)])).toEqual([
      { type: "error", code: "LITERAL_TOO_LARGE", isFatal: false, tag: null },
      { type: "response", response: { type: "exists", number: 2 } },
    ])
  })

  it("ends the stream on a line over the limit (BYE)", () => {
    const decoder = new ResponseDecoder({ maxLineLength: 64 })
    const events = decoder.receive(bytesOf(`* OK ${"x".repeat(100)}\r\n* 1 EXISTS\r\n`))
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({
      type: "error",
      isFatal: true,
      error: { code: "LINE_TOO_LONG" },
    })
    expect(events[0]!.type === "error" && events[0]!.error.hint.imap).toMatch(/^BYE/)
    expect(decoder.receive(bytesOf("* 2 EXISTS\r\n"))).toEqual([])
  })

  it("limits list nesting depth", () => {
    const deep = `* 1 FETCH (X ${"(".repeat(200)}${")".repeat(200)})\r\n`
    const events = feed(new ResponseDecoder({ maxDepth: 100 }), [bytesOf(deep)])
    expect(events).toEqual([{ type: "error", code: "TOO_DEEP", isFatal: false, tag: null }])
  })

  it("limits the number of items in one response", () => {
    const events = feed(new ResponseDecoder({ maxItems: 10 }), [
      bytesOf(`* SEARCH${" 1".repeat(11)}\r\n`),
    ])
    expect(events).toEqual([{ type: "error", code: "TOO_MANY_ITEMS", isFatal: false, tag: null }])
  })

  it("reports a message cut off by the end of the connection", () => {
    const decoder = new ResponseDecoder()
    decoder.receive(bytesOf("* 1 FETCH (BODY[] {9}\r\nabc"))
    expect(decoder.receiveEnd()).toMatchObject([{ type: "error", isFatal: true }])
  })
})
