import { CommandDecoder, ResponseDecoder } from "@mailwire/imap"
import { RemoteProtocolError } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { splitAt } from "./helpers.js"

const FRAGMENTS = [
  "* ",
  "+ ",
  "A1 ",
  "1 FETCH (",
  "FETCH",
  "BODY[]",
  "BODY[HEADER.FIELDS (A)]<0>",
  "ENVELOPE (",
  "BODYSTRUCTURE (",
  "APPEND INBOX ",
  "UTF8 (",
  "{3}\r\n",
  "{2+}\r\n",
  "~{1}\r\n",
  "{99999999999}\r\n",
  '"',
  "\\",
  "(",
  ")",
  "[",
  "]",
  "\r\n",
  "\n",
  " ",
  "NIL",
  "OK",
  "[COPYUID 1 1:* 2]",
  "LIST",
  "SEARCH",
  "UID",
  "0",
  "42",
  "$",
  "*",
  "\0",
  "\u00e9",
]
const soup = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 4 })), { maxLength: 60 })
  .map((parts) => Uint8Array.from(parts.join(""), (c) => c.charCodeAt(0) & 0xff))
const input = fc.oneof(soup, fc.uint8Array({ maxLength: 300 }))

function drive(
  decoder: ResponseDecoder | CommandDecoder,
  chunks: Uint8Array[],
  accept: boolean,
): unknown[] {
  const all: unknown[] = []
  const take = (events: readonly { type: string }[]) => {
    for (const event of events) {
      all.push(event)
      if (event.type === "error") {
        expect((event as unknown as { error: unknown }).error).toBeInstanceOf(RemoteProtocolError)
      }
      if (event.type === "literal-request") {
        const command = decoder as CommandDecoder
        take(accept ? command.acceptLiteral() : command.rejectLiteral())
      }
    }
  }
  for (const chunk of chunks) take(decoder.receive(chunk))
  take(decoder.receiveEnd())
  return all
}

describe("arbitrary bytes", () => {
  it("give the response decoder events or RemoteProtocolError only", () => {
    fc.assert(
      fc.property(input, fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
        drive(
          new ResponseDecoder({ maxLiteralSize: 1000 }),
          splitAt(
            bytes,
            cuts.map((c) => c % (bytes.length + 1)),
          ),
          true,
        )
      }),
      { numRuns: 3000 },
    )
  })

  it("give the command decoder events or RemoteProtocolError only, accepted or rejected literals alike", () => {
    fc.assert(
      fc.property(
        input,
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.boolean(),
        (bytes, cuts, accept) => {
          drive(
            new CommandDecoder({ maxLiteralSize: 1000 }),
            splitAt(
              bytes,
              cuts.map((c) => c % (bytes.length + 1)),
            ),
            accept,
          )
        },
      ),
      { numRuns: 3000 },
    )
  })

  it("give the same events for any split", () => {
    fc.assert(
      fc.property(soup, fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
        const normalise = (events: unknown[]) =>
          JSON.stringify(events, (_k, v) =>
            v instanceof RemoteProtocolError ? v.code : typeof v === "bigint" ? String(v) : v,
          )
        const whole = drive(new ResponseDecoder({ maxLiteralSize: 1000 }), [bytes], true)
        const parts = drive(
          new ResponseDecoder({ maxLiteralSize: 1000 }),
          splitAt(
            bytes,
            cuts.map((c) => c % (bytes.length + 1)),
          ),
          true,
        )
        const merge = (events: unknown[]) =>
          normalise(
            events.reduce<unknown[]>((out, e) => {
              const event = e as { type: string; bytes?: Uint8Array; remaining?: number }
              const last = out.at(-1) as
                | { type: string; bytes: number[]; remaining: number }
                | undefined
              if (event.type === "literal-chunk") {
                if (last?.type === "literal-chunk") {
                  last.bytes.push(...event.bytes!)
                  last.remaining = event.remaining!
                } else
                  out.push({
                    type: "literal-chunk",
                    bytes: [...event.bytes!],
                    remaining: event.remaining,
                  })
              } else out.push(event)
              return out
            }, []),
          )
        expect(merge(parts)).toBe(merge(whole))
      }),
      { numRuns: 1000 },
    )
  })
})

describe("linear time on hostile input (256 KiB each, well under a second)", () => {
  const SIZE = 256 * 1024
  const cases: [string, string][] = [
    ["deep nesting", `* 1 FETCH (X ${"(".repeat(SIZE)}\r\n`],
    ["many quoted strings before a backslash", `* ID (${'"a" '.repeat(SIZE / 4)}"\\\\")\r\n`],
    ["a long SEARCH result", `* SEARCH${" 12345".repeat(SIZE / 6)}\r\n`],
    ["many empty literals in one response", `* 1 FETCH (X (${"{0}\r\n ".repeat(SIZE / 6)}))\r\n`],
    ["many short lines", "* 1 EXISTS\r\n".repeat(SIZE / 12)],
    ["many literal markers in one command", `A1 LOGIN ${"{1+}\r\nx ".repeat(SIZE / 8)}\r\n`],
  ]
  for (const [name, wire] of cases) {
    it(`handles ${name}`, () => {
      const bytes = Uint8Array.from(wire, (c) => c.charCodeAt(0))
      const decoder = name.includes("command") ? new CommandDecoder() : new ResponseDecoder()
      const start = performance.now()
      for (let i = 0; i < bytes.length; i += 65_536) decoder.receive(bytes.subarray(i, i + 65_536))
      decoder.receiveEnd()
      expect(performance.now() - start).toBeLessThan(1000)
    })
  }
})
