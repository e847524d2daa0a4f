import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { MessageBody } from "../src/server/message-body.js"

const LF = 0x0a

/**
 * The text line rule (RFC 5321 §4.5.3.1.6) the way it reads: every line, counted with its
 * CRLF, is at most `max` bytes, and a line still open leaves room for its CRLF. The body
 * counter must give the same answer however the body is cut into pieces.
 */
function reference(pieces: readonly Uint8Array[], max: number): boolean {
  let lineLength = 0
  for (const piece of pieces) {
    for (const byte of piece) {
      lineLength++
      if (byte === LF) {
        if (lineLength > max) return false
        lineLength = 0
      }
    }
    if (lineLength + 2 > max) return false
  }
  return true
}

function accepts(pieces: readonly Uint8Array[], max: number): boolean {
  const body = new MessageBody(0, max)
  return pieces.every((piece) => body.add(piece))
}

/** Bodies of lines around the limit, with LFs, CRs and other bytes, cut anywhere. */
const lines = fc.array(
  fc.record({
    length: fc.integer({ min: 0, max: 40 }),
    ending: fc.constantFrom("\r\n", "\n", "", "\r"),
  }),
  { maxLength: 30 },
)

function bodyOf(spec: readonly { length: number; ending: string }[]): Uint8Array {
  return new TextEncoder().encode(spec.map((l) => "x".repeat(l.length) + l.ending).join(""))
}

function cut(bytes: Uint8Array, at: readonly number[]): Uint8Array[] {
  const points = [...new Set(at.map((n) => n % (bytes.length + 1)))].sort((a, b) => a - b)
  const pieces: Uint8Array[] = []
  let from = 0
  for (const point of points) {
    pieces.push(bytes.subarray(from, point))
    from = point
  }
  pieces.push(bytes.subarray(from))
  return pieces.filter((piece) => piece.length > 0)
}

describe("MessageBody's text line limit", () => {
  it("agrees with a byte-by-byte count for any body, limit and cut", () => {
    fc.assert(
      fc.property(
        lines,
        fc.integer({ min: 3, max: 45 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (spec, max, at) => {
          const pieces = cut(bodyOf(spec), at)
          expect(accepts(pieces, max)).toBe(reference(pieces, max))
        },
      ),
      { numRuns: 3000 },
    )
  })

  it("takes lines of exactly the limit and refuses one byte more", () => {
    const max = 1000
    const exact = new TextEncoder().encode(`${"a".repeat(max - 2)}\r\n`.repeat(5))
    expect(accepts([exact], max)).toBe(true)
    const over = new TextEncoder().encode(`${"a".repeat(10)}\r\n${"a".repeat(max - 1)}\r\n`)
    expect(accepts([over], max)).toBe(false)
  })

  it("counts a line across pieces", () => {
    const max = 10
    const encode = (text: string) => new TextEncoder().encode(text)
    expect(accepts([encode("aaaa"), encode("aaaa\r\n")], max)).toBe(true)
    expect(accepts([encode("aaaa"), encode("aaaaa\r\n")], max)).toBe(false)
  })
})
