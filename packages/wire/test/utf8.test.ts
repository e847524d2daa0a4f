/**
 * `encodeUtf8` and `decodeUtf8` convert short ASCII text byte by byte: whichever path they
 * take, they give exactly what `TextEncoder` and `TextDecoder` give.
 */
import { decodeUtf8 as decodeLine, encodeUtf8 as encodeLine } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const encoder = new TextEncoder()
const decoder = new TextDecoder("utf-8")
const encodeUtf8 = (text: string) => encoder.encode(text)
const decodeUtf8 = (bytes: Uint8Array) => decoder.decode(bytes)

const SAMPLES = [
  "",
  "RETR 12",
  "+OK 4211 octets\r\n",
  "USER jörg",
  "PASS пароль",
  "x".repeat(64),
  "y".repeat(65),
  `${"z".repeat(63)}é`,
  "\u0000\u007f",
  "lone \ud800 surrogate",
  "emoji 📬",
]

describe("UTF-8 conversion of short lines", () => {
  it("encodes as TextEncoder does, into a fresh array", () => {
    for (const text of SAMPLES) expect(encodeLine(text)).toEqual(encodeUtf8(text))
    const first = encodeLine("NOOP")
    first[0] = 0
    expect(encodeLine("NOOP")).toEqual(encodeUtf8("NOOP"))
  })

  it("decodes as TextDecoder does, invalid bytes included", () => {
    for (const text of SAMPLES) {
      const bytes = encodeUtf8(text)
      expect(decodeLine(bytes)).toBe(decodeUtf8(bytes))
    }
    const invalid = [[0xff], [0x52, 0xc3], [0x80, 0x41], [0xed, 0xa0, 0x80]]
    for (const bytes of invalid) {
      const array = new Uint8Array(bytes)
      expect(decodeLine(array)).toBe(decodeUtf8(array))
    }
  })

  it("agree with the codec on any text and any bytes", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 80 }), (text) => {
        expect(encodeLine(text)).toEqual(encodeUtf8(text))
      }),
    )
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        expect(decodeLine(bytes)).toBe(decodeUtf8(bytes))
      }),
    )
  })
})
