/**
 * `DotDecoder.push` searches a chunk for line breaks instead of stepping through it a
 * byte at a time. These tests hold it to a byte-at-a-time reference of RFC 5321 §4.5.2
 * unstuffing (only `<CRLF>.<CRLF>` ends; bare CR and LF by policy) for every split of the
 * input and every alignment of the chunks in their buffers (so that a faster search over
 * whole words can be checked too), with CR, LF, dot, the other bytes below 0x0e and 8-bit
 * bytes among mostly plain text.
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

interface Decoded {
  body: string
  ended: boolean
  rest: string
  error: string | null
  bodyLength: number
}

type RefState = "lineStart" | "text" | "cr" | "dot" | "dotCr"

/** The decoding of `input`, one byte at a time, written from the rules in dot-decoder.ts. */
function reference(input: Uint8Array, policy: BareLineEndingPolicy): Decoded {
  const body: number[] = []
  let error: string | null = null
  let state: RefState = "lineStart"
  const out = (...bytes: number[]) => {
    if (error === null) body.push(...bytes)
  }
  const bare = (byte: number) => {
    state = "text"
    if (policy === "normalize") out(CR, LF)
    else if (policy === "accept") out(byte)
    else error ??= byte === LF ? "BARE_LF" : "BARE_CR"
  }
  let i = 0
  while (i < input.length) {
    const byte = input[i]!
    if (state === "lineStart") {
      state = byte === DOT ? "dot" : "text"
      if (byte === DOT) i++
    } else if (state === "dot") {
      state = byte === CR ? "dotCr" : "text"
      if (byte === CR) i++
    } else if (state === "dotCr") {
      if (byte === LF) {
        const rest = decodeLatin1(input.subarray(i + 1))
        const text = decodeLatin1(Uint8Array.from(body))
        return { body: text, ended: true, rest, error, bodyLength: body.length }
      }
      bare(CR)
    } else if (state === "cr") {
      if (byte === LF) {
        out(CR, LF)
        state = "lineStart"
        i++
      } else {
        bare(CR)
      }
    } else {
      if (byte === CR) state = "cr"
      else if (byte === LF) bare(LF)
      else out(byte)
      i++
    }
  }
  const text = decodeLatin1(Uint8Array.from(body))
  return { body: text, ended: false, rest: "", error: null, bodyLength: body.length }
}

/** Decodes `chunks` with `DotDecoder`, as {@link reference} reports it. */
function decode(chunks: readonly Uint8Array[], policy: BareLineEndingPolicy): Decoded {
  const decoder = new DotDecoder({ bareLineEndings: policy })
  const body: Uint8Array[] = []
  const result: Decoded = { body: "", ended: false, rest: "", error: null, bodyLength: 0 }
  const rest: Uint8Array[] = []
  for (const chunk of chunks) {
    if (result.ended) {
      rest.push(chunk)
      continue
    }
    for (const event of decoder.push(chunk)) {
      if (event.type === "data") {
        body.push(event.bytes.slice())
      } else {
        result.ended = true
        result.error = event.error?.code ?? null
        rest.push(event.rest.slice())
      }
    }
  }
  result.body = decodeLatin1(concatBytes(body))
  result.rest = decodeLatin1(concatBytes(rest))
  result.bodyLength = decoder.bodyLength
  return result
}

/**
 * `input` cut at `cuts`, each piece a view at `offset` bytes (0–3 past a word boundary)
 * into a buffer of its own, so the word view starts at every alignment.
 */
function split(input: Uint8Array, cuts: readonly number[], offsets: readonly number[]) {
  const points = [...new Set(cuts.map((c) => Math.min(c, input.length)))].sort((a, b) => a - b)
  points.push(input.length)
  const chunks: Uint8Array[] = []
  let from = 0
  for (const [index, point] of points.entries()) {
    const offset = offsets[index % Math.max(offsets.length, 1)] ?? 0
    const buffer = new Uint8Array(offset + point - from + 3)
    buffer.set(input.subarray(from, point), offset)
    chunks.push(buffer.subarray(offset, offset + point - from))
    from = point
  }
  return chunks
}

/** Bytes that matter to the scan: line breaks, dots, the other bytes below 0x0e, 8-bit bytes. */
const interesting = fc.constantFrom(
  CR,
  LF,
  DOT,
  0x41,
  0x20,
  0x09,
  0x00,
  0x0b,
  0x0c,
  0x0e,
  0x8a,
  0x8d,
  0xff,
)
/** Mostly text, so that runs of whole words without a line break occur. */
const byte = fc.oneof(
  { weight: 12, arbitrary: fc.constant(0x61) },
  { weight: 2, arbitrary: interesting },
)
const policies = fc.constantFrom<BareLineEndingPolicy>("normalize", "accept", "reject")

describe("DotDecoder search for line breaks", () => {
  it("matches the byte-at-a-time reference for any split and alignment", () => {
    fc.assert(
      fc.property(
        fc.array(byte, { maxLength: 600, size: "max" }),
        fc.array(fc.nat({ max: 620 }), { maxLength: 6, size: "max" }),
        fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 4 }),
        policies,
        (bytes, cuts, offsets, policy) => {
          const input = Uint8Array.from(bytes)
          expect(decode(split(input, cuts, offsets), policy)).toEqual(reference(input, policy))
        },
      ),
      { numRuns: 2000 },
    )
  })

  it("matches the reference on CRLF-ended lines with stuffing, bare ends and the terminator", () => {
    const line = fc.tuple(
      fc.constantFrom("", ".", "..", "x", "\r", "\n", "\t", "\0"),
      fc.string({ unit: fc.constantFrom("a", "b", " ", "\t"), maxLength: 90, size: "max" }),
      fc.constantFrom("\r\n", "\r\n", "\r\n", "\n", "\r", "\r\r\n", ""),
    )
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 20, size: "max" }),
        fc.boolean(),
        fc.array(fc.nat({ max: 2000 }), { maxLength: 4 }),
        fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 4 }),
        policies,
        (lines, terminated, cuts, offsets, policy) => {
          const text = lines.map((parts) => parts.join("")).join("")
          const input = encodeLatin1(terminated ? `${text}\r\n.\r\nQUIT\r\n` : text)
          expect(decode(split(input, cuts, offsets), policy)).toEqual(reference(input, policy))
        },
      ),
      { numRuns: 2000 },
    )
  })

  it("finds a line break in every byte of a word, at every alignment", () => {
    for (const policy of ["normalize", "accept", "reject"] as const) {
      for (const breakAt of [64, 65, 66, 67, 68, 69, 70, 71, 127, 128]) {
        for (const ending of ["\r\n", "\n", "\r"]) {
          for (let offset = 0; offset < 4; offset++) {
            const text = `${"a".repeat(breakAt)}${ending}.b\r\n..c\r\n.\r\n`
            const input = encodeLatin1(text)
            const chunks = split(input, [], [offset])
            expect(decode(chunks, policy)).toEqual(reference(input, policy))
          }
        }
      }
    }
  })

  it("ends at a terminator right after a long run of whole words", () => {
    const text = `${"La ".repeat(25)}la\r\n`.repeat(52)
    const result = decode([encodeLatin1(`${text}.\r\nMAIL FROM:<>\r\n`)], "normalize")
    expect(result).toEqual({
      body: text,
      ended: true,
      rest: "MAIL FROM:<>\r\n",
      error: null,
      bodyLength: text.length,
    })
  })
})
