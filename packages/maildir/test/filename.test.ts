import {
  CrlfSize,
  flagsFromImap,
  flagsToImap,
  formatFileName,
  normalizeFlags,
  parseFileName,
  uniqueBase,
  withCrlf,
} from "@mailwire/maildir"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { collect, show, text } from "./temp-store.js"

describe("Maildir file names", () => {
  it.each([
    [
      "1764130000.M1P2Q1R00ff.host,S=12,W=14",
      { base: "1764130000.M1P2Q1R00ff.host,S=12,W=14", flags: "", size: 12, vsize: 14 },
    ],
    [
      "1764130000.M1P2.host,S=12,W=14:2,SR",
      { base: "1764130000.M1P2.host,S=12,W=14", flags: "RS", size: 12, vsize: 14 },
    ],
    ["1202.123_4.procmail:2,", { base: "1202.123_4.procmail", flags: "" }],
    ["1202.Vfd00I12M345.courier:2,FSa", { base: "1202.Vfd00I12M345.courier", flags: "FSa" }],
    ["1202.old-style:1,experimental", { base: "1202.old-style", flags: "" }],
  ])("reads %j", (name, expected) => {
    expect(parseFileName(name)).toEqual(expected)
  })

  it("reads any name without throwing, and writes back the base it read", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), (name) => {
        const parsed = parseFileName(name)
        expect(name.startsWith(parsed.base)).toBe(true)
        expect(parsed.flags).toBe(normalizeFlags(parsed.flags))
        expect(parseFileName(formatFileName(parsed.base, parsed.flags))).toEqual(parsed)
      }),
    )
  })

  it("writes flags after :2, in ASCII order, each once", () => {
    expect(formatFileName("b", "SRFSa")).toBe("b:2,FRSa")
    expect(normalizeFlags("TSDS")).toBe("DST")
    expect(() => normalizeFlags("S,R")).toThrow(expect.objectContaining({ code: "INVALID_FLAGS" }))
  })

  it("maps IMAP flags to Maildir letters and back", () => {
    expect(flagsFromImap(["\\Seen", "\\answered", "$Forwarded", "\\Recent", "custom"])).toBe("PRS")
    expect(flagsToImap("DFRSTPa")).toEqual([
      "\\Answered",
      "\\Deleted",
      "\\Draft",
      "\\Flagged",
      "\\Seen",
      "$Forwarded",
    ])
  })

  it("makes a different base for every delivery, with the parts the spec asks for", () => {
    const source = {
      now: () => 1764130000123.456,
      pid: 4242,
      hostname: "mx/1:a,b",
      random: (length: number) => crypto.getRandomValues(new Uint8Array(length)),
    }
    const bases = new Set(Array.from({ length: 1000 }, () => uniqueBase(source)))
    expect(bases.size).toBe(1000)
    const [base] = bases
    expect(base).toMatch(/^1764130000\.M123456P4242Q\d+R[0-9a-f]{16}\.mx\\0571\\072a\\054b$/)
    expect(parseFileName(`${base!}:2,S`)).toEqual({ base, flags: "S" })
  })
})

describe("CRLF sizes and conversion", () => {
  it.each([
    ["a\r\nb\r\n", 6, 6, "a\r\nb\r\n"],
    ["a\nb\n", 4, 6, "a\r\nb\r\n"],
    ["a\r\rb\n\n", 6, 8, "a\r\rb\r\n\r\n"],
    ["\n", 1, 2, "\r\n"],
    ["no end", 6, 6, "no end"],
  ])("counts and converts %j", async (input, size, vsize, converted) => {
    const counted = new CrlfSize()
    counted.add(text(input))
    expect([counted.size, counted.vsize]).toEqual([size, vsize])
    const out = await collect(
      withCrlf(
        (async function* () {
          yield text(input)
        })(),
      ),
    )
    expect(show(out)).toBe(converted)
    expect(out.length).toBe(vsize)
  })

  const lines = fc.stringMatching(/^[ab\r\n]{0,40}$/)

  it("gives the same result at any split, byte at a time included", async () => {
    await fc.assert(
      fc.asyncProperty(lines, fc.array(fc.nat(), { maxLength: 6 }), async (input, cuts) => {
        const bytes = text(input)
        const whole = new CrlfSize()
        whole.add(bytes)
        const points = [
          ...new Set([0, ...cuts.map((c) => c % (bytes.length + 1)), bytes.length]),
        ].sort((a, b) => a - b)
        const pieces = points.slice(1).map((end, i) => bytes.subarray(points[i], end))
        const bytewise = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))
        for (const split of [pieces, bytewise]) {
          const counted = new CrlfSize()
          for (const piece of split) counted.add(piece)
          expect([counted.size, counted.vsize]).toEqual([whole.size, whole.vsize])
          const out = await collect(
            withCrlf(
              (async function* () {
                yield* split
              })(),
            ),
          )
          expect(show(out)).toBe(input.replace(/(?<!\r)\n/g, "\r\n"))
          expect(out.length).toBe(whole.vsize)
        }
      }),
    )
  })
})
