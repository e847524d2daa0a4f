/**
 * `DotEncoder.encode` hands out unchanged runs of the input as views instead of copying
 * byte by byte. These tests hold it to a byte-at-a-time reference of RFC 5321 §4.5.2 /
 * RFC 1939 §3 stuffing under every policy and every way of splitting the body into
 * chunks, and check that a chunk with nothing to change is not copied.
 */
import {
  type BareLineEndingPolicy,
  concatBytes,
  DotEncoder,
  decodeLatin1,
  encodeLatin1,
} from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { splitAt } from "./split.js"

const CR = 0x0d
const LF = 0x0a
const DOT = 0x2e

/** The stuffed body, one byte at a time; `null` when the policy refuses a bare CR or LF. */
function reference(body: Uint8Array, policy: BareLineEndingPolicy): string | null {
  let out = ""
  let atLineStart = true
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!
    if (byte === CR && body[i + 1] === LF) {
      out += "\r\n"
      atLineStart = true
      i++
    } else if (byte === CR || byte === LF) {
      if (policy === "reject") return null
      out += policy === "normalize" ? "\r\n" : String.fromCharCode(byte)
      atLineStart = policy === "normalize"
    } else {
      if (atLineStart && byte === DOT) out += "."
      out += String.fromCharCode(byte)
      atLineStart = false
    }
  }
  return out + (atLineStart ? ".\r\n" : "\r\n.\r\n")
}

/** The encoder's output for `chunks`; `null` when it threw. */
function encoded(chunks: readonly Uint8Array[], policy: BareLineEndingPolicy): string | null {
  const encoder = new DotEncoder({ bareLineEndings: policy })
  try {
    const out = chunks.map((chunk) => encoder.encode(chunk))
    out.push(encoder.end())
    return decodeLatin1(concatBytes(out))
  } catch {
    return null
  }
}

const policies = fc.constantFrom<BareLineEndingPolicy>("normalize", "accept", "reject")
/** Bodies rich in what the encoder looks at: CR, LF, dots, and plain bytes around them. */
const mailish = fc
  .array(fc.constantFrom(CR, LF, DOT, 0x41, 0x20, 0xff), { maxLength: 120 })
  .map((bytes) => Uint8Array.from(bytes))
const cuts = fc.array(fc.nat({ max: 130 }), { maxLength: 12 })

describe("DotEncoder runs", () => {
  it("matches a byte-at-a-time reference for any body, split anywhere, under every policy", () => {
    fc.assert(
      fc.property(
        fc.oneof(mailish, fc.uint8Array({ maxLength: 120 })),
        cuts,
        policies,
        (body, at, policy) => {
          expect(encoded(splitAt(body, at), policy)).toBe(reference(body, policy))
        },
      ),
      { numRuns: 2000 },
    )
  })

  it("matches the reference for long bodies at any memory alignment (the word-wise scan)", () => {
    // Lines of mostly plain bytes, some opening with a dot, ended by CRLF, LF, CR or
    // nothing, with the bytes around the scan's limit inside them (TAB, 0x0C, 0x0E, NUL,
    // and high bytes, whose top bit the word test relies on).
    const inLine = fc.oneof(
      { weight: 20, arbitrary: fc.constantFrom(0x41, 0x20, 0x7e) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(DOT, 0x00, 0x09, 0x0c, 0x0e, 0x80, 0x8a, 0x8d, 0xff),
      },
    )
    const line = fc.record({
      dot: fc.boolean(),
      text: fc.array(inLine, { maxLength: 40 }),
      end: fc.constantFrom([CR, LF], [CR, LF], [CR, LF], [LF], [CR], []),
    })
    const body = fc
      .array(line, { maxLength: 30 })
      .map((lines) =>
        Uint8Array.from(
          lines.flatMap(({ dot, text, end }) => [...(dot ? [DOT] : []), ...text, ...end]),
        ),
      )
    fc.assert(
      fc.property(body, fc.nat({ max: 7 }), cuts, policies, (bytes, offset, at, policy) => {
        const placed = new Uint8Array(offset + bytes.length + 3).subarray(
          offset,
          offset + bytes.length,
        )
        placed.set(bytes)
        const scaled = at.map((cut) => cut * 8)
        expect(encoded(splitAt(placed, scaled), policy)).toBe(reference(bytes, policy))
      }),
      { numRuns: 1000 },
    )
  })

  it("matches the reference when every byte is its own chunk", () => {
    fc.assert(
      fc.property(mailish, policies, (body, policy) => {
        const bytewise = Array.from(body, (_, i) => body.subarray(i, i + 1))
        expect(encoded(bytewise, policy)).toBe(reference(body, policy))
      }),
    )
  })

  it("hands back a chunk with nothing to change as the same bytes, not a copy", () => {
    const encoder = new DotEncoder()
    const chunk = encodeLatin1("Subject: hi\r\n\r\nline one\r\nline. two\r\n")
    expect(encoder.encode(chunk)).toBe(chunk)
    const next = encodeLatin1("no line end yet")
    expect(encoder.encode(next)).toBe(next)
  })

  it("hands back views of the input around a stuffed dot, and a fresh array only then", () => {
    const encoder = new DotEncoder()
    const chunk = encodeLatin1("a\r\n.b\r\n")
    const out = encoder.encode(chunk)
    expect(out.buffer).not.toBe(chunk.buffer)
    expect(decodeLatin1(out)).toBe("a\r\n..b\r\n")
    const after = encodeLatin1(".c\r\n").subarray(1)
    expect(encoder.encode(after)).toBe(after)
  })

  it("stuffs a dot that opens a chunk after a chunk that ended with CRLF, or with CR", () => {
    const stuffed = (parts: string[]) => encoded(parts.map(encodeLatin1), "normalize")
    expect(stuffed(["a\r\n", ".b"])).toBe("a\r\n..b\r\n.\r\n")
    expect(stuffed(["a\r", "\n.b"])).toBe("a\r\n..b\r\n.\r\n")
    expect(stuffed(["a\r", ".b"])).toBe("a\r\n..b\r\n.\r\n")
    expect(stuffed(["a", "\r", "\n", ".", "b"])).toBe("a\r\n..b\r\n.\r\n")
  })
})
