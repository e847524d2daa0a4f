/**
 * `withCrlf` and `CrlfSize` against a byte-at-a-time reference: every LF without a CR
 * before it gets one, whatever the chunks, including a CR that ends one chunk and the LF
 * that starts the next; a chunk with nothing to change is handed out as itself.
 */
import { CrlfSize, withCrlf } from "@mailwire/maildir"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { splitAt } from "../../wire/test/split.js"
import { collect } from "./temp-store.js"

const CR = 0x0d
const LF = 0x0a

function reference(bytes: Uint8Array): number[] {
  const out: number[] = []
  bytes.forEach((byte, i) => {
    if (byte === LF && (i === 0 || bytes[i - 1] !== CR)) out.push(CR)
    out.push(byte)
  })
  return out
}

async function* stream(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* chunks
}

/** Bytes rich in line ends, with runs of text between them. */
const mailish = fc
  .array(fc.constantFrom(CR, LF, 0x41, 0x20, 0x2e), { maxLength: 300 })
  .map((bytes) => Uint8Array.from(bytes))
const cuts = fc.array(fc.nat({ max: 310 }), { maxLength: 8 })

describe("line ends between the store and POP3", () => {
  it("puts a CR before every bare LF, for any bytes split anywhere", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(mailish, fc.uint8Array({ maxLength: 300 })),
        cuts,
        async (bytes, at) => {
          const chunks = splitAt(bytes, at)
          const crlf = await collect(withCrlf(stream(chunks)))
          expect([...crlf]).toEqual(reference(bytes))
          const size = new CrlfSize()
          for (const chunk of chunks) size.add(chunk)
          expect(size.size).toBe(bytes.length)
          expect(size.vsize).toBe(crlf.length)
        },
      ),
    )
  })

  it("hands out a chunk that has no bare LF as itself", async () => {
    const chunk = new TextEncoder().encode("Subject: a\r\n\r\nbody\r\n")
    const out: Uint8Array[] = []
    for await (const piece of withCrlf(stream([chunk]))) out.push(piece)
    expect(out).toHaveLength(1)
    expect(out[0]).toBe(chunk)
  })

  it("makes a file written with LF line ends CRLF, line by line", async () => {
    const lf = new TextEncoder().encode("Subject: a\n\nline 1\nline 2\n")
    const crlf = await collect(withCrlf(stream([lf])))
    expect(new TextDecoder().decode(crlf)).toBe("Subject: a\r\n\r\nline 1\r\nline 2\r\n")
  })
})
