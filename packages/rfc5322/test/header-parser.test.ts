import {
  DEFAULT_MAX_HEADER_BYTES,
  type HeaderField,
  HeaderList,
  HeaderParser,
  parseHeaders,
} from "@mailwire/rfc5322"
import { concatBytes } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const encode = (text: string) => new TextEncoder().encode(text)
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

interface Parsed {
  fields: Array<{ name: string; value: string; raw: string; offset: number; defects: string[] }>
  complete: boolean
  rest: string
  defects: string[]
}

/** Feeds `chunks` to a fresh parser and collects everything it reports. */
function feed(chunks: Uint8Array[], options: { maxHeaderBytes?: number } = {}): Parsed {
  const parser = new HeaderParser(options)
  const fields: HeaderField[] = []
  const rest: Uint8Array[] = []
  let complete = false
  for (const chunk of chunks) {
    const result = parser.push(chunk)
    fields.push(...result.fields)
    if (result.complete) {
      complete = true
      rest.push(result.rest)
    }
  }
  if (!complete) fields.push(...parser.end().fields)
  return {
    fields: fields.map((f) => ({
      name: f.name,
      value: f.value,
      raw: decode(f.raw),
      offset: f.offset,
      defects: f.defects.map((d) => d.code),
    })),
    complete,
    rest: decode(concatBytes(rest)),
    defects: parser.defects.map((d) => `${d.code}@${d.offset}`),
  }
}

const bytesOf = (bytes: Uint8Array) => [...bytes].map((b) => Uint8Array.of(b))

/** [name, input, expected fields as [name, value, offset], rest, block defects]. */
const golden: Array<[string, string, Array<[string, string, number]>, string, string[]]> = [
  [
    "a CRLF block",
    "A: 1\r\nB: 2\r\n\r\nbody",
    [
      ["A", "1", 0],
      ["B", "2", 6],
    ],
    "body",
    [],
  ],
  [
    "an LF-only block",
    "A: 1\nB: 2\n\nbody",
    [
      ["A", "1", 0],
      ["B", "2", 5],
    ],
    "body",
    [],
  ],
  [
    "mixed line ends",
    "A: 1\nB: 2\r\n\nbody",
    [
      ["A", "1", 0],
      ["B", "2", 5],
    ],
    "body",
    [],
  ],
  ["a folded field", "Subject: a\r\n b\r\n\tc\r\n\r\n", [["Subject", "a b\tc", 0]], "", []],
  [
    "obs-FWS: a continuation line of only spaces",
    "To: a\r\n  \r\n b\r\n\r\n",
    [["To", "a   b", 0]],
    "",
    [],
  ],
  ["white space before the colon (obs-optional)", "From  : x\r\n\r\n", [["From", "x", 0]], "", []],
  ["an empty value", "X-Empty:\r\n\r\n", [["X-Empty", "", 0]], "", []],
  ["a value without a space after the colon", "To:a@b\r\n\r\n", [["To", "a@b", 0]], "", []],
  ["a colon inside the value", "Subject: re: x: y\r\n\r\n", [["Subject", "re: x: y", 0]], "", []],
  ["a blank line at once (no fields)", "\r\nbody", [], "body", []],
  [
    "a line without a colon is skipped with a defect",
    "A: 1\r\nnot a header\r\nB: 2\r\n\r\n",
    [
      ["A", "1", 0],
      ["B", "2", 20],
    ],
    "",
    ["MISSING_COLON@6"],
  ],
  [
    "an mbox From_ line is a line without a colon",
    "From alice@example.test Thu Nov 26 04:00:00 2026\nA: 1\n\n",
    [["A", "1", 49]],
    "",
    ["MISSING_COLON@0"],
  ],
  [
    "a field name with a space is not a field",
    "Bad Name: x\r\nA: 1\r\n\r\n",
    [["A", "1", 13]],
    "",
    ["MISSING_COLON@0"],
  ],
  [
    "a continuation line at the start belongs to no field",
    " orphan\r\nA: 1\r\n\r\n",
    [["A", "1", 9]],
    "",
    ["ORPHAN_CONTINUATION@0"],
  ],
  ["an empty name is not a field", ": x\r\nA: 1\r\n\r\n", [["A", "1", 5]], "", ["MISSING_COLON@0"]],
  ["a bare CR inside a line is not a line end", "A: x\ry\r\n\r\n", [["A", "xy", 0]], "", []],
]

describe("HeaderParser golden cases", () => {
  for (const [title, input, fields, rest, defects] of golden) {
    const check = (parsed: Parsed) => {
      expect(parsed.fields.map((f) => [f.name, f.value, f.offset])).toEqual(fields)
      expect(parsed.rest).toBe(rest)
      expect(parsed.defects).toEqual(defects)
    }
    it(`reads ${title} in one chunk`, () => check(feed([encode(input)])))
    it(`reads ${title} byte at a time`, () => check(feed(bytesOf(encode(input)))))
    it(`reads ${title} with trailing bytes`, () => {
      const parsed = feed([encode(`${input}MORE`)])
      if (parsed.complete) expect(parsed.rest).toBe(`${rest}MORE`)
    })
  }

  it("keeps each field's raw bytes at its offset, line ends included", () => {
    const input = encode("A: 1\r\nB: 2\r\n  more\r\nC: 3\n\nbody")
    const headers = parseHeaders(input)
    for (const field of headers) {
      expect(field.raw).toEqual(input.subarray(field.offset, field.offset + field.raw.length))
    }
    expect(headers.fields.map((f) => decode(f.raw))).toEqual([
      "A: 1\r\n",
      "B: 2\r\n  more\r\n",
      "C: 3\n",
    ])
  })

  it("reads 8-bit values as UTF-8 (RFC 6532)", () => {
    const [field] = feed([encode("Subject: Grüße, 日本\r\n\r\n")]).fields
    expect(field).toMatchObject({ value: "Grüße, 日本", defects: [] })
  })

  it("reads invalid UTF-8 as latin-1 with a defect", () => {
    const bytes = concatBytes([encode("Subject: caf"), Uint8Array.of(0xe9), encode("\r\n\r\n")])
    const [field] = feed([bytes]).fields
    expect(field).toMatchObject({ value: "café", defects: ["INVALID_UTF8"] })
  })

  it("returns the last field without a line end when the input ends with no blank line", () => {
    const parsed = feed([encode("A: 1\r\nB: 2")])
    expect(parsed.complete).toBe(false)
    expect(parsed.fields.map((f) => [f.name, f.value])).toEqual([
      ["A", "1"],
      ["B", "2"],
    ])
  })

  it("gives later chunks back whole once the block is complete", () => {
    const parser = new HeaderParser()
    parser.push(encode("A: 1\r\n\r\n"))
    expect(decode(parser.push(encode("next")).rest)).toBe("next")
    expect(parser.end().fields).toEqual([])
  })

  it("hands out copies: changing the input afterwards changes no field or rest", () => {
    const chunk = encode("A: 1\r\n\r\nbody")
    const { fields, rest } = new HeaderParser().push(chunk)
    chunk.fill(0x21)
    expect(decode(fields[0]!.raw)).toBe("A: 1\r\n")
    expect(decode(rest)).toBe("body")
  })

  it("finds a blank line whose CR and LF arrive in different chunks", () => {
    const parsed = feed([encode("A: 1\r\n\r"), encode("\nbody")])
    expect(parsed.fields.map((f) => f.name)).toEqual(["A"])
    expect(parsed.rest).toBe("body")
  })
})

describe("the header size limit", () => {
  it("defaults to 1 MiB", () => {
    expect(DEFAULT_MAX_HEADER_BYTES).toBe(1024 * 1024)
  })

  it("keeps the fields within the limit, drops the rest and still finds the body", () => {
    const input = encode("A: 1\r\nB: 2222222222\r\nC: 3\r\n\r\nbody")
    for (const chunks of [[input], bytesOf(input)]) {
      const parsed = feed(chunks, { maxHeaderBytes: 10 })
      expect(parsed.fields.map((f) => f.name)).toEqual(["A"])
      expect(parsed.defects).toEqual(["HEADER_TOO_LARGE@6"])
      expect(parsed.rest).toBe("body")
    }
  })

  it("does not buffer an endless header line past the limit", () => {
    const parser = new HeaderParser({ maxHeaderBytes: 1000 })
    const chunk = encode("x".repeat(10_000))
    parser.push(encode("X-Long: "))
    for (let i = 0; i < 100; i++) expect(parser.push(chunk).fields).toEqual([])
    expect(parser.defects.map((d) => d.code)).toEqual(["HEADER_TOO_LARGE"])
    expect(decode(parser.push(encode("\r\n\r\nbody")).rest)).toBe("body")
  })

  it("rejects a negative limit", () => {
    expect(() => new HeaderParser({ maxHeaderBytes: -1 })).toThrow(RangeError)
  })
})

describe("HeaderList", () => {
  const input = encode("Subject: one\r\nto: a@b\r\nTO: c@d\r\nbroken line\r\nX: y\r\n\r\nbody")
  const headers = parseHeaders(input)

  it("looks fields up without regard to case, in order", () => {
    expect(headers.get("SUBJECT")?.value).toBe("one")
    expect(headers.getAll("To").map((f) => f.value)).toEqual(["a@b", "c@d"])
    expect(headers.get("missing")).toBeUndefined()
    expect(headers.getAll("missing")).toEqual([])
    expect(headers.has("x")).toBe(true)
    expect([...headers].map((f) => f.name)).toEqual(["Subject", "to", "TO", "X"])
  })

  it("serializes an unmodified block byte-identical, skipped lines included", () => {
    expect(decode(headers.toBytes())).toBe(decode(input.subarray(0, headers.bodyOffset)))
    expect(headers.bodyOffset).toBe(input.length - 4)
    expect(headers.defects.map((d) => d.code)).toEqual(["MISSING_COLON"])
  })

  it("says the body starts at the end when there is no blank line", () => {
    const noBody = encode("A: 1\r\nB: 2")
    expect(parseHeaders(noBody).bodyOffset).toBe(noBody.length)
  })

  it("writes fields built by hand back to back, ended by CRLF", () => {
    const list = new HeaderList(parseHeaders(encode("A: 1\r\nB: 2\r\n\r\n")).fields)
    expect(decode(list.toBytes())).toBe("A: 1\r\nB: 2\r\n\r\n")
  })
})

const fieldLine = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/),
    fc.array(fc.stringMatching(/^[ -~\u00e9\u65e5]{0,20}$/), { minLength: 1, maxLength: 3 }),
  )
  .map(([name, parts]) => `${name}: ${parts.join("\r\n ")}`)

describe("HeaderParser properties", () => {
  it("gives the same fields for any split of the input", () => {
    fc.assert(
      fc.property(
        fc.array(fieldLine, { maxLength: 8 }),
        fc.constantFrom("\r\n", "\n"),
        fc.array(fc.nat(), { maxLength: 10 }),
        (lines, eol, cuts) => {
          const head = lines.map((line) => `${line.replaceAll("\r\n", eol)}${eol}`).join("")
          const bytes = encode(`${head}${eol}body`)
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
          const chunks: Uint8Array[] = []
          let at = 0
          for (const point of points) {
            chunks.push(bytes.subarray(at, point))
            at = point
          }
          chunks.push(bytes.subarray(at))
          const whole = feed([bytes])
          expect(feed(chunks)).toEqual(whole)
          expect(feed(bytesOf(bytes))).toEqual(whole)
          expect(whole.rest).toBe("body")
          expect(whole.fields).toHaveLength(lines.length)
        },
      ),
    )
  })

  it("never throws on arbitrary bytes, serializes them back byte-identical, at any split", () => {
    const headerish = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc
        .array(fc.constantFrom("A", ":", " ", "\t", "\r", "\n", "\r\n", "é", "x", "\u0000"), {
          maxLength: 60,
        })
        .map((parts) => encode(parts.join(""))),
    )
    fc.assert(
      fc.property(headerish, fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
        const headers = parseHeaders(bytes)
        expect(headers.toBytes()).toEqual(bytes.subarray(0, headers.bodyOffset))
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
        const chunks: Uint8Array[] = []
        let at = 0
        for (const point of points) {
          chunks.push(bytes.subarray(at, point))
          at = point
        }
        chunks.push(bytes.subarray(at))
        const whole = feed([bytes])
        expect(feed(chunks)).toEqual(whole)
        expect(feed(bytesOf(bytes))).toEqual(whole)
        expect(whole.fields.map((f) => f.value)).toEqual(headers.fields.map((f) => f.value))
      }),
      { numRuns: 500 },
    )
  })
})
