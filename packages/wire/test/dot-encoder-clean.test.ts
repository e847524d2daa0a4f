/**
 * `DotEncoder.encodeClean`: a chunk the caller checked (no bare CR or LF, no line
 * beginning with `.`) comes back as itself, and the encoder ends the body exactly as
 * `encode` would have, with or without a final CRLF. After a chunk that ended with a CR
 * it does the full work, since the chunk's first byte may pair with that CR.
 */
import { CR, concatBytes, DOT, DotEncoder, decodeLatin1, encodeLatin1, LF } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { isCleanBody } from "./clean.js"

/** `chunks` through `encode` only, then `end`. */
function encoded(chunks: readonly Uint8Array[]): string {
  const encoder = new DotEncoder()
  const out = chunks.map((chunk) => encoder.encode(chunk))
  return decodeLatin1(concatBytes([...out, encoder.end()]))
}

/** Bytes rich in line ends and dots, with letters between them. */
const mailish = fc
  .array(fc.constantFrom(CR, LF, 0x41, 0x20, DOT), { maxLength: 200 })
  .map((bytes) => Uint8Array.from(bytes))

/** Clean bodies by construction: lines that do not begin with a dot, joined by CRLF. */
const cleanBody = fc
  .tuple(
    fc.array(
      fc.stringMatching(/^([A .]*[A ])?[A .]*$/).filter((line) => !line.startsWith(".")),
      {
        maxLength: 12,
      },
    ),
    fc.boolean(),
  )
  .map(([lines, hasFinalCrlf]) => encodeLatin1(lines.join("\r\n") + (hasFinalCrlf ? "\r\n" : "")))

describe("DotEncoder.encodeClean", () => {
  it("gives the same answer as encode for every clean body", () => {
    fc.assert(
      fc.property(fc.oneof(cleanBody, mailish), (body) => {
        fc.pre(isCleanBody(body))
        const encoder = new DotEncoder()
        const out = encoder.encodeClean(body)
        expect(out).toBe(body)
        expect(decodeLatin1(concatBytes([out, encoder.end()]))).toBe(encoded([body]))
      }),
      { numRuns: 1000 },
    )
  })

  it("ends a body with or without a final CRLF as encode does", () => {
    for (const text of ["", "a", "a\r\n", "a\r\nb", "a.\r\nb.", "\r\n", "x\r\n\r\n"]) {
      const body = encodeLatin1(text)
      const encoder = new DotEncoder()
      const out = concatBytes([encoder.encodeClean(body), encoder.end()])
      expect(decodeLatin1(out)).toBe(encoded([body]))
    }
  })

  it("continues a line or starts one after an earlier chunk as encode does", () => {
    const cases = [
      ["a", ".b\r\n"],
      ["a\r\n", "b\r\n"],
      ["", "b"],
    ]
    for (const [first, second] of cases) {
      const chunks = [encodeLatin1(first!), encodeLatin1(second!)]
      const encoder = new DotEncoder()
      const out = [encoder.encode(chunks[0]!), encoder.encodeClean(chunks[1]!), encoder.end()]
      expect(decodeLatin1(concatBytes(out))).toBe(encoded(chunks))
    }
  })

  it("does the full work after a chunk that ended with a CR", () => {
    const chunks = [encodeLatin1("a\r"), encodeLatin1("\n.b\r\n")]
    const encoder = new DotEncoder()
    const out = [encoder.encode(chunks[0]!), encoder.encodeClean(chunks[1]!), encoder.end()]
    expect(decodeLatin1(concatBytes(out))).toBe("a\r\n..b\r\n.\r\n")
  })

  it("refuses to encode after end, as encode does", () => {
    const encoder = new DotEncoder()
    encoder.end()
    expect(() => encoder.encodeClean(encodeLatin1("a\r\n"))).toThrow(/after end/)
  })
})
