import { formatMailbox, isDomain, isDotString } from "@mailwire/smtp"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { isAscii } from "../src/wire/grammar.js"

/**
 * The grammar checks are hand-written loops for speed; these are the RFC 5321 §4.1.2 and
 * RFC 6531 §3.3 rules as regular expressions, which the loops must agree with exactly.
 */
const ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10ffff}]+$/u
const LABEL =
  /^[A-Za-z0-9\u0080-\u{10ffff}](?:[A-Za-z0-9\-\u0080-\u{10ffff}]*[A-Za-z0-9\u0080-\u{10ffff}])?$/u

const referenceDotString = (text: string) => text.split(".").every((atom) => ATEXT.test(atom))

function referenceDomain(text: string): boolean {
  if (text.startsWith("[")) return /^\[[\x21-\x5a\x5e-\x7e]+\]$/.test(text)
  if (text.length === 0 || text.length > 255) return false
  return text.split(".").every((label) => LABEL.test(label))
}

/** Strings built from the characters that matter at the edges of these rules. */
const tricky = fc
  .array(
    fc.oneof(
      fc.constantFrom(".", "-", "a", "Z", "0", "9", "!", "~", "@", " ", "[", "]", "\\", '"'),
      fc.constantFrom("é", "日", "\u0080", "\u{1F600}", "\ud800", "\udfff", "\u007f", "\u0000"),
      fc.string({ maxLength: 3 }),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(""))

describe("the address grammar", () => {
  it("isDotString agrees with the RFC 5321 Dot-string rule", () => {
    fc.assert(
      fc.property(tricky, (text) => {
        expect(isDotString(text)).toBe(referenceDotString(text))
      }),
      { numRuns: 5000 },
    )
  })

  it("isDomain agrees with the RFC 5321 Domain rule", () => {
    fc.assert(
      fc.property(tricky, (text) => {
        expect(isDomain(text)).toBe(referenceDomain(text))
      }),
      { numRuns: 5000 },
    )
  })

  it("isAscii is true exactly for US-ASCII text", () => {
    fc.assert(
      fc.property(tricky, (text) => {
        expect(isAscii(text)).toBe(/^[\x00-\x7f]*$/.test(text))
      }),
      { numRuns: 2000 },
    )
  })

  it.each([
    ["user", true],
    ["first.last", true],
    ["a.b.c", true],
    ["ünïcödé", true],
    ["", false],
    [".user", false],
    ["user.", false],
    ["a..b", false],
    ["a b", false],
    ["a@b", false],
  ])("isDotString(%j) is %s", (text, expected) => {
    expect(isDotString(text)).toBe(expected)
  })

  it.each([
    ["example.com", true],
    ["a", true],
    ["a-b.c", true],
    ["xn--bcher-kva.example", true],
    ["bücher.example", true],
    ["[192.0.2.1]", true],
    ["[IPv6:2001:db8::1]", true],
    ["", false],
    ["-a.com", false],
    ["a-.com", false],
    ["a..com", false],
    [".a.com", false],
    ["a.com.", false],
    ["a_b.com", false],
    ["[192.0.2.1", false],
    ["a".repeat(256), false],
    ["a".repeat(255), true],
  ])("isDomain(%j) is %s", (text, expected) => {
    expect(isDomain(text)).toBe(expected)
  })
})

describe("formatMailbox", () => {
  /** The rules of formatMailbox spelled out step by step, as it was written first. */
  function reference(localPart: string, domain: string): string {
    if (/[\r\n\0]/.test(localPart) || /[\r\n\0]/.test(domain)) throw new Error("CR, LF or NUL")
    let text: string
    if (referenceDotString(localPart)) {
      text = localPart
    } else {
      for (const char of localPart) {
        const code = char.codePointAt(0)!
        if (!((code >= 32 && code <= 126) || code >= 0x80)) throw new Error("invalid local part")
      }
      text = `"${localPart.replace(/(["\\])/g, "\\$1")}"`
    }
    if (domain === "") {
      if (localPart.toLowerCase() !== "postmaster") throw new Error("no domain")
      return text
    }
    if (!referenceDomain(domain)) throw new Error("invalid domain")
    return `${text}@${domain}`
  }

  const outcome = (run: () => string) => {
    try {
      return { value: run() }
    } catch {
      return { thrown: true }
    }
  }

  it("formats or refuses exactly as the rules say", () => {
    const part = fc.oneof(tricky, fc.constantFrom("a\r\nb", "a\0", "Postmaster", "user"))
    fc.assert(
      fc.property(part, part, (localPart, domain) => {
        expect(outcome(() => formatMailbox({ localPart, domain }))).toEqual(
          outcome(() => reference(localPart, domain)),
        )
      }),
      { numRuns: 5000 },
    )
  })
})
