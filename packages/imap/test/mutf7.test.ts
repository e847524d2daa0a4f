import { decodeMutf7, encodeMutf7 } from "@mailwire/imap"
import { RemoteProtocolError } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

describe("modified UTF-7 (RFC 3501 §5.1.3)", () => {
  const golden: [string, string][] = [
    ["~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"],
    ["&", "&-"],
    ["a&b", "a&-b"],
    ["☺!", "&Jjo-!"],
    ["Entwürfe", "Entw&APw-rfe"],
    ["😀", "&2D3eAA-"],
    ["", ""],
  ]
  for (const [name, wire] of golden) {
    it(`encodes ${JSON.stringify(name)} as ${wire}`, () => {
      expect(encodeMutf7(name)).toBe(wire)
      expect(decodeMutf7(wire)).toBe(name)
    })
  }

  it("round-trips arbitrary Unicode names", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary" }).filter((name) => !name.includes("\0")),
        (name) => {
          expect(decodeMutf7(encodeMutf7(name))).toBe(name)
          expect(encodeMutf7(name)).toMatch(/^[\x20-\x7e]*$/)
        },
      ),
      { numRuns: 2000 },
    )
  })

  it("refuses to encode NUL", () => {
    expect(() => encodeMutf7("a\0b")).toThrow(/NUL/)
  })

  const invalid = ["&", "&U,BTFw", "&AGE-", "&Jj-", "&Jjo!-", "caf\u00e9", "&2D0-", "&AAA-"]
  for (const wire of invalid) {
    it(`rejects ${JSON.stringify(wire)} with a RemoteProtocolError`, () => {
      expect(() => decodeMutf7(wire)).toThrow(RemoteProtocolError)
    })
  }

  it("never throws anything but RemoteProtocolError on arbitrary input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary-ascii" }), (wire) => {
        try {
          decodeMutf7(wire)
        } catch (error) {
          expect(error).toBeInstanceOf(RemoteProtocolError)
        }
      }),
      { numRuns: 2000 },
    )
  })
})
