/**
 * `DotDecoder.push` goes from one CRLF to the next within a chunk without stopping at
 * every line start, and keeps the positions of the next CR and LF between lines. These
 * tests hold it to a byte-at-a-time decoder written here from RFC 5321 §4.5.2 (only
 * `<CRLF>.<CRLF>` ends the body; bare CR and LF by policy), with input made mostly of
 * CRLF pairs, dots, bare CR and LF and 8-bit bytes, cut anywhere, each piece a view at an
 * odd offset of one larger buffer whose other bytes are line breaks and dots.
 */
import {
  type BareLineEndingPolicy,
  concatBytes,
  DotDecoder,
  decodeLatin1,
  encodeLatin1,
} from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const CR = 0x0d
const LF = 0x0a
const DOT = 0x2e

interface Outcome {
  body: string
  ended: boolean
  rest: string
  error: string | null
}

/** One byte at a time: what the decoder must hand out for `input` under `policy`. */
function byteAtATime(input: Uint8Array, policy: BareLineEndingPolicy): Outcome {
  const body: number[] = []
  let error: string | null = null
  let lineStart = true
  /** A CR was read whose partner is the next byte, if that is an LF. */
  let pendingCr = false
  /** A `.` was read at a line start and held back. */
  let heldDot = false
  const out = (...bytes: number[]) => {
    if (error === null) body.push(...bytes)
  }
  const bare = (byte: number) => {
    if (policy === "normalize") out(CR, LF)
    else if (policy === "accept") out(byte)
    else error ??= byte === LF ? "BARE_LF" : "BARE_CR"
  }
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!
    if (pendingCr) {
      pendingCr = false
      if (byte === LF) {
        if (heldDot) {
          const text = decodeLatin1(Uint8Array.from(body))
          return { body: text, ended: true, rest: decodeLatin1(input.subarray(i + 1)), error }
        }
        out(CR, LF)
        lineStart = true
        continue
      }
      heldDot = false
      bare(CR)
    } else if (heldDot && byte !== CR) {
      heldDot = false // stuffing: the dot goes
    }
    if (lineStart && byte === DOT) {
      lineStart = false
      heldDot = true
      continue
    }
    lineStart = false
    if (byte === CR) pendingCr = true
    else if (byte === LF) bare(LF)
    else out(byte)
  }
  return { body: decodeLatin1(Uint8Array.from(body)), ended: false, rest: "", error: null }
}

/** Bytes around the chunks in their shared buffer: a read past a chunk's end would see these. */
const FILLER = encodeLatin1("\r\n.\r\n\n\r.")

/**
 * `input` cut at `cuts`, the pieces laid out in one buffer at the given gaps (so each
 * starts at its own offset from a word boundary), with filler bytes between them.
 */
function piecesInOneBuffer(input: Uint8Array, cuts: number[], gaps: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => Math.min(cut, input.length)))].sort((a, b) => a - b)
  points.push(input.length)
  const gapAt = (index: number) => gaps[index % gaps.length]!
  const size = input.length + points.reduce((sum, _, index) => sum + gapAt(index), 0) + 8
  const buffer = new Uint8Array(size)
  for (let i = 0; i < size; i++) buffer[i] = FILLER[i % FILLER.length]!
  const pieces: Uint8Array[] = []
  let from = 0
  let offset = 0
  for (const [index, point] of points.entries()) {
    offset += gapAt(index)
    buffer.set(input.subarray(from, point), offset)
    pieces.push(buffer.subarray(offset, offset + point - from))
    offset += point - from
    from = point
  }
  return pieces
}

/** Feeds `pieces` to a decoder, as {@link byteAtATime} reports it. */
function decodePieces(pieces: Uint8Array[], policy: BareLineEndingPolicy): Outcome {
  const decoder = new DotDecoder({ bareLineEndings: policy })
  const body: Uint8Array[] = []
  const rest: Uint8Array[] = []
  let ended = false
  let error: string | null = null
  for (const piece of pieces) {
    if (ended) {
      rest.push(piece)
      continue
    }
    for (const event of decoder.push(piece)) {
      if (event.type === "data") {
        body.push(event.bytes.slice())
      } else {
        ended = true
        error = event.error?.code ?? null
        rest.push(event.rest.slice())
      }
    }
  }
  const text = decodeLatin1(concatBytes(body))
  expect(decoder.bodyLength).toBe(concatBytes(body).length)
  return { body: text, ended, rest: decodeLatin1(concatBytes(rest)), error }
}

/** Weighted towards what the decoder looks at: CRLF pairs, bare CR and LF, dots. */
const unit = fc.oneof(
  { weight: 10, arbitrary: fc.constant("a") },
  { weight: 4, arbitrary: fc.constant("\r\n") },
  { weight: 2, arbitrary: fc.constant("\r") },
  { weight: 2, arbitrary: fc.constant("\n") },
  { weight: 3, arbitrary: fc.constant(".") },
  { weight: 1, arbitrary: fc.constant("\x80") },
  { weight: 1, arbitrary: fc.constant("\t") },
  { weight: 1, arbitrary: fc.constant("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") },
)
const policies = fc.constantFrom<BareLineEndingPolicy>("normalize", "accept", "reject")
const cuts = fc.array(fc.nat({ max: 400 }), { maxLength: 8 })
const gaps = fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 })

describe("DotDecoder across lines", () => {
  it("matches a byte-at-a-time decoder for any input, split and alignment", () => {
    fc.assert(
      fc.property(
        fc.array(unit, { maxLength: 120, size: "max" }),
        fc.boolean(),
        cuts,
        gaps,
        policies,
        (units, terminated, cutAt, gapSizes, policy) => {
          const text = units.join("")
          const input = encodeLatin1(terminated ? `${text}\r\n.\r\nQUIT\r\n` : text)
          const pieces = piecesInOneBuffer(input, cutAt, gapSizes)
          expect(decodePieces(pieces, policy)).toEqual(byteAtATime(input, policy))
        },
      ),
      { numRuns: 3000 },
    )
  })

  it("matches it one byte per chunk", () => {
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 40 }), policies, (units, policy) => {
        const input = encodeLatin1(`${units.join("")}\r\n.\r\n`)
        const pieces = piecesInOneBuffer(
          input,
          Array.from(input, (_, i) => i),
          [1, 2, 3],
        )
        expect(decodePieces(pieces, policy)).toEqual(byteAtATime(input, policy))
      }),
      { numRuns: 500 },
    )
  })

  it("reads many CRLF lines in one chunk and stops at the terminator", () => {
    const lines = "line of text\r\n..stuffed\r\n.\rbare\r\n\nafter\r\n"
    const input = encodeLatin1(`${lines.repeat(20)}.\r\nRSET\r\n`)
    for (const policy of ["normalize", "accept", "reject"] as const) {
      expect(decodePieces([input], policy)).toEqual(byteAtATime(input, policy))
    }
    expect(decodePieces([input], "accept")).toMatchObject({
      ended: true,
      rest: "RSET\r\n",
      body: "line of text\r\n.stuffed\r\n\rbare\r\n\nafter\r\n".repeat(20),
    })
  })

  it("holds a CR at the end of a chunk until the next chunk shows an LF or not", () => {
    const cases = [
      ["text\r", "\n.\r\n"],
      ["text\r", "x\r\n.\r\n"],
      ["text\r\n", ".\r\n"],
      ["text\r\n.", "\r\n"],
      ["text\r\n.\r", "\n"],
      ["text\r\n.\r", "x\r\n.\r\n"],
    ]
    for (const parts of cases) {
      const input = encodeLatin1(parts.join(""))
      const pieces = parts.map((part) => encodeLatin1(part))
      for (const policy of ["normalize", "accept", "reject"] as const) {
        expect(decodePieces(pieces, policy)).toEqual(byteAtATime(input, policy))
      }
    }
  })
})
