import { FOLD_TARGET_LENGTH, foldHeader, MAX_LINE_OCTETS, unfold } from "@mailwire/rfc5322"
import { LocalProtocolError } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const octets = (line: string) => new TextEncoder().encode(line).length

describe("unfold", () => {
  it("removes CRLF and LF before white space and keeps the white space", () => {
    expect(unfold("This\r\n is a\n\ttest")).toBe("This is a\ttest")
  })

  it("keeps line breaks that are not followed by white space", () => {
    expect(unfold("a\r\nb")).toBe("a\r\nb")
  })
})

describe("foldHeader", () => {
  it("leaves a short field on one line", () => {
    expect(foldHeader("Subject", "Saying Hello")).toBe("Subject: Saying Hello")
  })

  it("folds before white space near 78 octets", () => {
    const folded = foldHeader("Subject", "word ".repeat(40).trim())
    const lines = folded.split("\r\n")
    expect(lines.length).toBeGreaterThan(1)
    for (const line of lines) expect(octets(line)).toBeLessThanOrEqual(FOLD_TARGET_LENGTH)
    for (const line of lines.slice(1)) expect(line.startsWith(" ")).toBe(true)
    expect(unfold(folded)).toBe(`Subject: ${"word ".repeat(40).trim()}`)
  })

  it("keeps a long word whole on its own line", () => {
    const word = "x".repeat(200)
    expect(foldHeader("X", `a ${word} b`)).toBe(`X: a\r\n ${word}\r\n b`)
  })

  it("never writes a line of only white space", () => {
    const folded = foldHeader("X", `a${" ".repeat(100)}b`)
    for (const line of folded.split("\r\n")) expect(line.trim()).not.toBe("")
  })

  it("refuses a run that cannot fit in 998 octets", () => {
    expect(() => foldHeader("X", "y".repeat(996))).toThrow(LocalProtocolError)
    expect(foldHeader("X", "y".repeat(995))).toHaveLength(MAX_LINE_OCTETS)
  })

  const badNames = ["", "Bad Name", "Colon:", "Tab\t", "Ünicode", "New\nLine"]
  for (const name of badNames) {
    it(`refuses the field name ${JSON.stringify(name)}`, () => {
      expect(() => foldHeader(name, "x")).toThrow(LocalProtocolError)
    })
  }

  for (const value of ["a\r\nBcc: x@y", "a\nb", "a\rb", "a\0b"]) {
    it(`refuses the value ${JSON.stringify(value)} (header injection)`, () => {
      expect(() => foldHeader("Subject", value)).toThrow(LocalProtocolError)
    })
  }

  it("unfolds back to the original and keeps every line within 998 octets", () => {
    const unit = fc.constantFrom("a", "b", "é", "日", " ", " ", "\t", ",", '"')
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 600 }), (value) => {
        const folded = foldHeader("Subject", value)
        expect(unfold(folded)).toBe(`Subject: ${value}`)
        for (const line of folded.split("\r\n"))
          expect(octets(line)).toBeLessThanOrEqual(MAX_LINE_OCTETS)
      }),
    )
  })
})
