import {
  type Command,
  CommandDecoder,
  encodeCommand,
  encodeResponse,
  type Response,
  ResponseDecoder,
} from "@mailwire/imap"
import { concatBytes } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { command } from "./arbitraries/commands.js"
import { response } from "./arbitraries/responses.js"
import { feed, type Normalised, responsesOf, splitAt, withLiterals } from "./helpers.js"

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

const noErrors = (events: readonly Normalised[]) => events.filter((e) => e.type === "error")

describe("parse(encode(x)) equals x", () => {
  it("for arbitrary responses of every kind", () => {
    fc.assert(
      fc.property(response, fc.boolean(), (r: Response, utf8) => {
        const events = feed(new ResponseDecoder(), [encodeResponse(r, { utf8 })])
        expect(noErrors(events)).toEqual([])
        expect(responsesOf(events)).toEqual([r])
      }),
      { numRuns: 1500 },
    )
  })

  it("for arbitrary commands of every kind, in every literal mode", () => {
    fc.assert(
      fc.property(
        command,
        fc.constantFrom("sync", "plus", "minus" as const),
        fc.boolean(),
        (c, literalMode, utf8) => {
          const bytes = concatBytes(encodeCommand(c, { literalMode, utf8 }).map((p) => p.bytes))
          const events = feed(new CommandDecoder(), [bytes])
          expect(noErrors(events)).toEqual([])
          expect(commandsOf(events)).toEqual([c])
        },
      ),
      { numRuns: 1500 },
    )
  })
})

describe("chunk-split invariance", () => {
  it("gives the same response events for any split of the input", () => {
    fc.assert(
      fc.property(
        fc.array(response, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (responses, cuts) => {
          const bytes = concatBytes(responses.map((r) => encodeResponse(r)))
          const whole = feed(new ResponseDecoder(), [bytes])
          const offsets = cuts.map((c) => c % (bytes.length + 1))
          expect(feed(new ResponseDecoder(), splitAt(bytes, offsets))).toEqual(whole)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it("gives the same response events byte at a time", () => {
    fc.assert(
      fc.property(fc.array(response, { minLength: 1, maxLength: 3 }), (responses) => {
        const bytes = concatBytes(responses.map((r) => encodeResponse(r)))
        const whole = feed(new ResponseDecoder(), [bytes])
        expect(
          feed(
            new ResponseDecoder(),
            Array.from(bytes, (b) => Uint8Array.of(b)),
          ),
        ).toEqual(whole)
      }),
      { numRuns: 300 },
    )
  })

  it("gives the same command events for any split of the input, byte at a time included", () => {
    fc.assert(
      fc.property(
        fc.array(command, { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (commands, cuts) => {
          const bytes = concatBytes(commands.flatMap((c) => encodeCommand(c).map((p) => p.bytes)))
          const whole = feed(new CommandDecoder(), [bytes])
          const offsets = cuts.map((c) => c % (bytes.length + 1))
          expect(feed(new CommandDecoder(), splitAt(bytes, offsets))).toEqual(whole)
          expect(
            feed(
              new CommandDecoder(),
              Array.from(bytes, (b) => Uint8Array.of(b)),
            ),
          ).toEqual(whole)
        },
      ),
      { numRuns: 300 },
    )
  })
})
