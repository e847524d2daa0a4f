/**
 * SASLprep (RFC 4013), the stringprep profile (RFC 3454) for user names and passwords.
 *
 * Steps, in RFC 4013 §2 order: map non-ASCII spaces (RFC 3454 C.1.2) to U+0020 and
 * "commonly mapped to nothing" characters (B.1) to nothing; normalize with NFKC; reject
 * prohibited output (C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9); check the
 * bidirectional rule (RFC 3454 §6).
 *
 * What it does differently from the letter of RFC 4013, and why:
 * - Unassigned code points (RFC 3454 A.1) are allowed: strings are "query strings", as
 *   RFC 5802 §2.2 asks for SCRAM and RFC 4616 §2 for PLAIN.
 * - NFKC is the platform's `String.prototype.normalize`, on today's Unicode rather than
 *   Unicode 3.2; the two differ only for characters assigned after 3.2.
 * - RandALCat is RFC 3454 table D.1 exactly. LCat (table D.2, some 360 ranges) is
 *   approximated as letters and spacing marks (`\p{L}`, `\p{Mc}`) outside the
 *   right-to-left blocks, which is exact for letters of Unicode 3.2.
 */
import { SaslError } from "./errors.js"

type Range = readonly [number, number]

function inRanges(ranges: readonly Range[], code: number): boolean {
  for (const [low, high] of ranges) if (code >= low && code <= high) return true
  return false
}

/** RFC 3454 B.1: commonly mapped to nothing. */
const MAPPED_TO_NOTHING: readonly Range[] = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x1806, 0x1806],
  [0x180b, 0x180d],
  [0x200b, 0x200d],
  [0x2060, 0x2060],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
]

/** RFC 3454 C.1.2: non-ASCII space characters, mapped to U+0020 by RFC 4013 §2.1. */
const NON_ASCII_SPACE: readonly Range[] = [
  [0x00a0, 0x00a0],
  [0x1680, 0x1680],
  [0x2000, 0x200b],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
]

/**
 * RFC 3454 C.2.1 and C.2.2 (control characters), C.3 (private use), C.4 (non-characters),
 * C.5 (surrogates, here lone ones), C.6 (inappropriate for plain text), C.7 (for canonical
 * representation), C.8 (change display properties) and C.9 (tagging characters). C.1.2
 * cannot remain after mapping.
 */
const PROHIBITED: readonly Range[] = [
  [0x0000, 0x001f],
  [0x007f, 0x009f],
  [0x0340, 0x0341],
  [0x06dd, 0x06dd],
  [0x070f, 0x070f],
  [0x180e, 0x180e],
  [0x200c, 0x200f],
  [0x2028, 0x202e],
  [0x2060, 0x2063],
  [0x206a, 0x206f],
  [0x2ff0, 0x2ffb],
  [0xd800, 0xdfff],
  [0xe000, 0xf8ff],
  [0xfdd0, 0xfdef],
  [0xfeff, 0xfeff],
  [0xfff9, 0xffff],
  [0x1d173, 0x1d17a],
  [0xe0001, 0xe0001],
  [0xe0020, 0xe007f],
  [0xf0000, 0x10ffff],
]

/** C.4: the last two code points of every plane are non-characters. */
function isProhibited(code: number): boolean {
  return (code & 0xfffe) === 0xfffe || inRanges(PROHIBITED, code)
}

/** RFC 3454 D.1: characters with bidirectional property R or AL. */
const RAND_AL_CAT =
  /[\u05BE\u05C0\u05C3\u05D0-\u05EA\u05F0-\u05F4\u061B\u061F\u0621-\u063A\u0640-\u064A\u066D-\u066F\u0671-\u06D5\u06DD\u06E5\u06E6\u06FA-\u06FE\u0700-\u070D\u0710\u0712-\u072C\u0780-\u07A5\u07B1\u200F\uFB1D\uFB1F-\uFB28\uFB2A-\uFB36\uFB38-\uFB3C\uFB3E\uFB40\uFB41\uFB43\uFB44\uFB46-\uFBB1\uFBD3-\uFD3D\uFD50-\uFD8F\uFD92-\uFDC7\uFDF0-\uFDFC\uFE70-\uFE74\uFE76-\uFEFC]/u

/** Letters and spacing marks, the bulk of RFC 3454 D.2 (see the module note). */
const LETTER = /[\p{L}\p{Mc}]/u
/** Blocks of right-to-left scripts, whose letters are never LCat. */
const RIGHT_TO_LEFT_BLOCK =
  /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF\u{10800}-\u{10FFF}\u{1E800}-\u{1EFFF}]/u

function isLCat(char: string): boolean {
  return LETTER.test(char) && !RIGHT_TO_LEFT_BLOCK.test(char)
}

/**
 * Prepares a user name or password with SASLprep (RFC 4013), as a query string.
 * Throws a {@link SaslError} (`PROHIBITED_CHARACTER` or `BIDI_VIOLATION`) when the result
 * contains a prohibited character or breaks the bidirectional rule.
 *
 * @example
 * ```ts
 * saslprep("I\u00ADX")  // "IX"   (RFC 4013 §3, soft hyphen mapped to nothing)
 * saslprep("\u00AA")    // "a"    (NFKC)
 * saslprep("\u2168")    // "IX"   (NFKC)
 * saslprep("\u0007")    // throws SaslError PROHIBITED_CHARACTER
 * ```
 */
export function saslprep(text: string): string {
  let mapped = ""
  for (const char of text) {
    const code = char.codePointAt(0)!
    if (inRanges(MAPPED_TO_NOTHING, code)) continue
    mapped += inRanges(NON_ASCII_SPACE, code) ? " " : char
  }
  const normalized = mapped.normalize("NFKC")
  const chars = [...normalized]
  for (const char of chars) {
    const code = char.codePointAt(0)!
    if (isProhibited(code)) {
      const hex = code.toString(16).toUpperCase().padStart(4, "0")
      throw new SaslError("PROHIBITED_CHARACTER", `SASLprep: U+${hex} is prohibited`)
    }
  }
  if (chars.some((c) => RAND_AL_CAT.test(c))) {
    if (chars.some(isLCat)) {
      throw new SaslError("BIDI_VIOLATION", "SASLprep: mixes right-to-left and left-to-right text")
    }
    if (!RAND_AL_CAT.test(chars[0]!) || !RAND_AL_CAT.test(chars[chars.length - 1]!)) {
      throw new SaslError(
        "BIDI_VIOLATION",
        "SASLprep: right-to-left text must start and end with a right-to-left character",
      )
    }
  }
  return normalized
}
