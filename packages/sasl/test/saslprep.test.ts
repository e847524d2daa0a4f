import { SaslError, saslprep } from "@mailwire/sasl"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

describe("saslprep (RFC 4013)", () => {
  it.each([
    ["I\u00ADX", "IX", "soft hyphen mapped to nothing"],
    ["user", "user", "no transformation"],
    ["USER", "USER", "case preserved"],
    ["\u00AA", "a", "output is NFKC"],
    ["\u2168", "IX", "output is NFKC"],
  ])("prepares %j as %j (RFC 4013 §3: %s)", (input, output) => {
    expect(saslprep(input)).toBe(output)
  })

  it("rejects U+0007 as a prohibited character (RFC 4013 §3)", () => {
    expect(() => saslprep("\u0007")).toThrow(SaslError)
    expect(() => saslprep("\u0007")).toThrow(
      expect.objectContaining({ code: "PROHIBITED_CHARACTER" }),
    )
  })

  it("rejects U+0627 U+0031 under the bidirectional rule (RFC 4013 §3)", () => {
    expect(() => saslprep("\u0627\u0031")).toThrow(
      expect.objectContaining({ code: "BIDI_VIOLATION" }),
    )
  })

  it("maps non-ASCII spaces to a space (RFC 3454 C.1.2)", () => {
    expect(saslprep("a\u00A0b\u2003c\u3000d")).toBe("a b c d")
  })

  it("drops zero-width characters before mapping spaces (RFC 3454 B.1)", () => {
    expect(saslprep("a\u200Bb\uFEFFc\uFE0Fd")).toBe("abcd")
  })

  it.each([
    ["\u0000", "ASCII control (C.2.1)"],
    ["\u007F", "DEL (C.2.1)"],
    ["\u0085", "non-ASCII control (C.2.2)"],
    ["\u2028", "line separator (C.2.2)"],
    ["\uE000", "private use (C.3)"],
    ["\u{F0000}", "supplementary private use (C.3)"],
    ["\uFDD0", "non-character (C.4)"],
    ["\u{1FFFF}", "non-character (C.4)"],
    ["\uD800", "lone surrogate (C.5)"],
    ["\uFFFD", "replacement character (C.6)"],
    ["\u2FF0", "ideographic description (C.7)"],
    ["\u202E", "right-to-left override (C.8)"],
    ["\u{E0041}", "tag character (C.9)"],
  ])("rejects %j: %s", (input) => {
    expect(() => saslprep(`a${input}b`)).toThrow(
      expect.objectContaining({ code: "PROHIBITED_CHARACTER" }),
    )
  })

  it("accepts right-to-left text that starts and ends with a right-to-left character", () => {
    expect(saslprep("\u0627\u0031\u0628")).toBe("\u0627\u0031\u0628")
    expect(saslprep("\u05D0\u05D1")).toBe("\u05D0\u05D1")
  })

  it("rejects right-to-left text mixed with left-to-right letters", () => {
    expect(() => saslprep("\u05D0a\u05D1")).toThrow(
      expect.objectContaining({ code: "BIDI_VIOLATION" }),
    )
  })

  it("accepts unassigned code points, as a query string (RFC 5802 §2.2)", () => {
    expect(saslprep("a\u{50000}")).toBe("a\u{50000}")
  })

  it("is idempotent and only ever throws SaslError", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (input) => {
        let prepared: string
        try {
          prepared = saslprep(input)
        } catch (error) {
          expect(error).toBeInstanceOf(SaslError)
          return
        }
        expect(saslprep(prepared)).toBe(prepared)
      }),
    )
  })
})
