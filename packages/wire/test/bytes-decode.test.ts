/**
 * `decodeUtf8` builds short ASCII text itself and hands the rest to `TextDecoder`: whichever
 * way a length goes, the text is what the decoder gives (invalid sequences as U+FFFD, a
 * leading byte order mark dropped), on both sides of the length where it switches.
 */
import { decodeUtf8 } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const decoder = new TextDecoder("utf-8")

/** Every length from empty to well past where the byte-by-byte path stops. */
const LENGTHS = Array.from({ length: 80 }, (_, length) => length)

describe("decodeUtf8 on both sides of its short-text path", () => {
  it("decodes ASCII of every length as the decoder does", () => {
    for (const length of LENGTHS) {
      const bytes = Uint8Array.from({ length }, (_, i) => 0x20 + (i % 95))
      expect(decodeUtf8(bytes)).toBe(decoder.decode(bytes))
    }
  })

  it("decodes a multi-byte character, an invalid byte and a BOM at any length as the decoder does", () => {
    const tails = [
      [0xc3, 0xa9], // é
      [0xff], // invalid: U+FFFD
      [0xe2, 0x82], // a truncated sequence
    ]
    for (const length of LENGTHS) {
      for (const tail of tails) {
        const bytes = Uint8Array.from([...Array.from({ length }, () => 0x61), ...tail])
        expect(decodeUtf8(bytes)).toBe(decoder.decode(bytes))
      }
      const withBom = Uint8Array.from([0xef, 0xbb, 0xbf, ...Array.from({ length }, () => 0x62)])
      expect(decodeUtf8(withBom)).toBe(decoder.decode(withBom))
    }
  })

  it("agrees with the decoder on any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        expect(decodeUtf8(bytes)).toBe(decoder.decode(bytes))
      }),
    )
  })

  it("decodes a view into a larger buffer from its own start", () => {
    const buffer = new TextEncoder().encode("250 2.0.0 Ok: queued as ABC123\r\n")
    expect(decodeUtf8(buffer.subarray(4, 9))).toBe("2.0.0")
    expect(decodeUtf8(buffer.subarray(10, 30))).toBe("Ok: queued as ABC123")
  })
})
