import {
  concatBytes,
  decodeLatin1,
  encodeLatin1,
  LineReader,
  type LineReaderOptions,
  RemoteProtocolError,
} from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

/** What a reader hands out, as comparable plain values. */
type Seen = { line: string; terminator: string } | { bytes: string } | { error: string }

function feed(
  chunks: readonly Uint8Array[],
  options: LineReaderOptions = {},
  raw: (line: string) => number | undefined = () => undefined,
): Seen[] {
  const reader = new LineReader(options)
  const seen: Seen[] = []
  for (const chunk of chunks) {
    reader.push(chunk)
    for (let item = reader.next(); item !== null; item = reader.next()) {
      if (item.type === "line") {
        const line = decodeLatin1(item.line)
        seen.push({ line, terminator: item.terminator })
        const count = raw(line)
        if (count !== undefined) reader.readBytes(count)
      } else if (item.type === "bytes") {
        seen.push({ bytes: decodeLatin1(item.bytes) })
      } else {
        expect(item.error).toBeInstanceOf(RemoteProtocolError)
        seen.push({ error: item.error.code })
      }
    }
  }
  return seen
}

/** Joins adjacent raw pieces, which may arrive split differently. */
function merged(seen: Seen[]): Seen[] {
  const out: Seen[] = []
  for (const item of seen) {
    const last = out[out.length - 1]
    if ("bytes" in item && last !== undefined && "bytes" in last) {
      out[out.length - 1] = { bytes: last.bytes + item.bytes }
    } else {
      out.push(item)
    }
  }
  return out
}

function splitEvery(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size))
  return out
}

/** `{N}` at a line end announces N raw bytes, as an IMAP literal does. */
const literal = (line: string) => {
  const match = /\{(\d+)\}$/.exec(line)
  return match ? Number(match[1]) : undefined
}

const crlf = (line: string) => ({ line, terminator: "crlf" })

const golden: Array<{
  name: string
  input: string
  options?: LineReaderOptions
  expected: Seen[]
}> = [
  { name: "one line", input: "EHLO x\r\n", expected: [crlf("EHLO x")] },
  { name: "two lines", input: "A\r\nB\r\n", expected: [crlf("A"), crlf("B")] },
  { name: "an empty line", input: "\r\n", expected: [crlf("")] },
  { name: "an incomplete line is held back", input: "A\r\nB", expected: [crlf("A")] },
  { name: "a CR inside a line is content", input: "A\rB\r\n", expected: [crlf("A\rB")] },
  { name: "8-bit bytes are content", input: "\xe9\xff\r\n", expected: [crlf("\xe9\xff")] },
  {
    name: "a bare LF is rejected by default and the next line is read",
    input: "A\nB\r\n",
    expected: [{ error: "BARE_LF" }, crlf("B")],
  },
  {
    name: "a bare LF is a line end when accepted",
    input: "A\nB\r\n",
    options: { bareLf: "accept" },
    expected: [{ line: "A", terminator: "lf" }, crlf("B")],
  },
  {
    name: "a line of exactly the maximum (CRLF included) is accepted",
    input: "12345678\r\n",
    options: { maxLineLength: 10 },
    expected: [crlf("12345678")],
  },
  {
    name: "a line one byte over the maximum is an error, and reading resumes after it",
    input: "123456789\r\nOK\r\n",
    options: { maxLineLength: 10 },
    expected: [{ error: "LINE_TOO_LONG" }, crlf("OK")],
  },
  {
    name: "a very long line gives one error and is skipped",
    input: `${"x".repeat(100)}\r\nOK\r\n`,
    options: { maxLineLength: 10 },
    expected: [{ error: "LINE_TOO_LONG" }, crlf("OK")],
  },
  {
    name: "a raw byte run is not framed into lines",
    input: "APPEND {6}\r\nA\r\nB\nC) done\r\n",
    expected: [crlf("APPEND {6}"), { bytes: "A\r\nB\nC" }, crlf(") done")],
  },
  {
    name: "a raw run of zero bytes",
    input: "X {0}\r\nY\r\n",
    expected: [crlf("X {0}"), crlf("Y")],
  },
  {
    name: "a raw run may be longer than the line limit",
    input: `L {20}\r\n${"r".repeat(20)}\r\n`,
    options: { maxLineLength: 10 },
    expected: [crlf("L {20}"), { bytes: "r".repeat(20) }, crlf("")],
  },
]

describe("LineReader", () => {
  for (const { name, input, options, expected } of golden) {
    const bytes = encodeLatin1(input)
    it(`${name} (whole)`, () => {
      expect(merged(feed([bytes], options, literal))).toEqual(expected)
    })
    it(`${name} (byte at a time)`, () => {
      expect(merged(feed(splitEvery(bytes, 1), options, literal))).toEqual(expected)
    })
    it(`${name} (with trailing bytes)`, () => {
      const trailing = concatBytes([bytes, encodeLatin1("TRAIL")])
      expect(merged(feed([trailing], options, literal))).toEqual(expected)
    })
  }

  it("gives the same items for any split of the input", () => {
    const byte = fc.constantFrom(0x0d, 0x0a, 0x41, 0x7b, 0x7d, 0x33, 0x30, 0xff, 0x20)
    fc.assert(
      fc.property(
        fc
          .uint8Array({ maxLength: 300 })
          .chain((random) =>
            fc.tuple(
              fc.constant(random),
              fc.array(byte, { maxLength: 300 }),
              fc.array(fc.nat({ max: 310 }), { maxLength: 12 }),
            ),
          ),
        fc.constantFrom<LineReaderOptions>(
          {},
          { bareLf: "accept" },
          { maxLineLength: 8 },
          { maxLineLength: 8, bareLf: "accept" },
        ),
        ([random, shaped, cuts], options) => {
          const input = concatBytes([Uint8Array.from(shaped), random])
          const points = [...new Set(cuts.map((c) => Math.min(c, input.length)))].sort(
            (a, b) => a - b,
          )
          const chunks: Uint8Array[] = []
          let from = 0
          for (const point of points) {
            chunks.push(input.subarray(from, point))
            from = point
          }
          chunks.push(input.subarray(from))
          const whole = merged(feed([input], options, literal))
          expect(merged(feed(chunks, options, literal))).toEqual(whole)
          expect(merged(feed(splitEvery(input, 1), options, literal))).toEqual(whole)
        },
      ),
      { numRuns: 400 },
    )
  })

  it("does not buffer the excess of an over-long line", () => {
    const reader = new LineReader({ maxLineLength: 64 })
    const errors: string[] = []
    for (let i = 0; i < 1000; i++) {
      reader.push(encodeLatin1("y".repeat(1000)))
      for (let item = reader.next(); item !== null; item = reader.next()) {
        if (item.type === "error") errors.push(item.error.code)
      }
      expect(reader.bufferedLength).toBeLessThan(64)
    }
    reader.push(encodeLatin1("\r\nNEXT\r\n"))
    const after = reader.next()
    expect(errors).toEqual(["LINE_TOO_LONG"])
    expect(after?.type === "line" && decodeLatin1(after.line)).toBe("NEXT")
  })

  it("carries the reply hint for each protocol on a too-long line", () => {
    const reader = new LineReader({ maxLineLength: 512 })
    reader.push(encodeLatin1(`${"x".repeat(600)}\r\n`))
    const item = reader.next()
    if (item?.type !== "error") throw new Error("expected an error item")
    expect(item.error.hint.smtp).toMatch(/^500 5\.5\.2 /)
    expect(item.error.hint.pop3).toMatch(/^-ERR /)
    expect(item.error.hint.imap).toMatch(/^BAD /)
  })

  it("hands out views of the caller's chunk without copying or changing it", () => {
    const chunk = encodeLatin1("A\r\nB\r\n")
    const copy = chunk.slice()
    const reader = new LineReader()
    reader.push(chunk)
    const first = reader.next()
    if (first?.type !== "line") throw new Error("expected a line")
    expect(first.line.buffer).toBe(chunk.buffer)
    reader.push(encodeLatin1("C"))
    reader.push(encodeLatin1("\r\n"))
    expect([...chunk]).toEqual([...copy])
  })

  it("hands over everything buffered with takeBuffered and starts afresh", () => {
    const reader = new LineReader()
    reader.push(encodeLatin1("STARTTLS\r\nMAIL FROM:<evil@x>\r\npartial"))
    const first = reader.next()
    expect(first?.type === "line" && decodeLatin1(first.line)).toBe("STARTTLS")
    expect(decodeLatin1(reader.takeBuffered())).toBe("MAIL FROM:<evil@x>\r\npartial")
    expect(reader.next()).toBeNull()
    expect(reader.bufferedLength).toBe(0)
  })

  it("rejects a second raw read while one is in progress, and bad counts", () => {
    const reader = new LineReader()
    reader.readBytes(3)
    expect(reader.isReadingBytes).toBe(true)
    expect(() => reader.readBytes(1)).toThrow(/already in progress/)
    expect(() => new LineReader().readBytes(-1)).toThrow()
    expect(() => new LineReader({ maxLineLength: 1 })).toThrow(/maxLineLength/)
  })

  it("turns arbitrary bytes into lines, bytes or RemoteProtocolErrors only", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
        const reader = new LineReader({ maxLineLength: 16 })
        for (const chunk of chunks) {
          reader.push(chunk)
          for (let item = reader.next(); item !== null; item = reader.next()) {
            if (item.type === "error") expect(item.error).toBeInstanceOf(RemoteProtocolError)
            else if (item.type === "line") expect(item.line.length).toBeLessThanOrEqual(15)
          }
          expect(reader.bufferedLength).toBeLessThan(16)
        }
      }),
    )
  })
})
