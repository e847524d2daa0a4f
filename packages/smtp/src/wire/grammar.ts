/**
 * Character classes and small encodings of the SMTP grammar (RFC 5321 §4.1.2, RFC 6531
 * §3.3), and xtext (RFC 3461 §4) and utf-8-addr-xtext (RFC 6533 §3) for DSN values.
 *
 * What it does not do: parse whole commands (see `command.ts`) or paths (`path.ts`).
 * Every function works on strings and returns new strings.
 */
import { DOT } from "@mailwire/wire"

/**
 * The US-ASCII characters of `atext` (RFC 5322 §3.2.3), which RFC 5321 §4.1.2 uses for
 * `Atom`; RFC 6531 §3.3 adds every non-ASCII character.
 */
const ATEXT_ASCII =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-/=?^_`{|}~"

/** `Let-dig` of RFC 5321 §4.1.2 in US-ASCII: letters and digits. */
const LET_DIG_ASCII = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/** Marks the characters of `chars` in a table indexed by US-ASCII code. */
function asciiTable(chars: string): Uint8Array {
  const table = new Uint8Array(0x80)
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1
  return table
}

const IS_ATEXT = asciiTable(ATEXT_ASCII)
const IS_LET_DIG = asciiTable(LET_DIG_ASCII)
/** Bytes the SMTP grammars read (RFC 5321 §4.1.2, §4.2), shared by the command and reply readers. */
export const SPACE = 0x20
export const HYPHEN = 0x2d
/** The first code unit above US-ASCII: UTF-8 text (RFC 6531 §3.3), allowed where letters are. */
const NON_ASCII = 0x80
/** RFC 1035 §2.3.4 caps a domain at 255 octets; counted here in UTF-16 code units. */
const MAX_DOMAIN_LENGTH = 255

/**
 * `Dot-string = Atom *("." Atom)` (RFC 5321 §4.1.2), an `Atom` being one or more `atext`
 * characters or, with SMTPUTF8, any non-ASCII character (RFC 6531 §3.3). One pass over
 * the code units with a table, as this runs on every MAIL and RCPT.
 */
export function isDotString(text: string): boolean {
  return isDotStringIn(text, 0, text.length)
}

/** {@link isDotString} of `text.slice(start, end)`, read in place so nothing is copied. */
export function isDotStringIn(text: string, start: number, end: number): boolean {
  let atomLength = 0
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i)
    if (code === DOT) {
      if (atomLength === 0) return false
      atomLength = 0
    } else if (code >= NON_ASCII || IS_ATEXT[code] === 1) {
      atomLength++
    } else {
      return false
    }
  }
  return atomLength > 0
}

/**
 * `Domain = sub-domain *("." sub-domain)`, `sub-domain = Let-dig [Ldh-str]` (RFC 5321
 * §4.1.2), with U-labels (RFC 6531 §3.3), or an `address-literal` in brackets. A label
 * starts and ends with a letter, digit or non-ASCII character and may hold `-` inside.
 */
export function isDomain(text: string): boolean {
  if (text.startsWith("[")) return /^\[[\x21-\x5a\x5e-\x7e]+\]$/.test(text)
  return isDomainNameIn(text, 0, text.length)
}

/**
 * Whether `text.slice(start, end)` is a domain name: {@link isDomain} without the
 * address-literal form, read in place so nothing is copied.
 */
export function isDomainNameIn(text: string, start: number, end: number): boolean {
  if (end <= start || end - start > MAX_DOMAIN_LENGTH) return false
  let labelLength = 0
  let endsWithHyphen = false
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i)
    if (code === DOT) {
      if (labelLength === 0 || endsWithHyphen) return false
      labelLength = 0
    } else if (code === HYPHEN) {
      if (labelLength === 0) return false
      labelLength++
      endsWithHyphen = true
    } else if (code >= NON_ASCII || IS_LET_DIG[code] === 1) {
      labelLength++
      endsWithHyphen = false
    } else {
      return false
    }
  }
  return labelLength > 0 && !endsWithHyphen
}

/** Whether the text has only US-ASCII characters (RFC 6531 §3.1 decides SMTPUTF8 on this). */
export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= NON_ASCII) return false
  }
  return true
}

/** Whether the text has a CR, LF or NUL, which no command or reply field may hold. */
export function hasLineBreakOrNul(text: string): boolean {
  return /[\r\n\0]/.test(text)
}

/**
 * `esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")` (RFC 5321 §4.1.2).
 */
export function isEsmtpKeyword(text: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9-]*$/.test(text)
}

/**
 * `esmtp-value = 1*(%d33-60 / %d62-126)` (RFC 5321 §4.1.2), with UTF-8 (RFC 6531 §3.3).
 */
export function isEsmtpValue(text: string): boolean {
  return /^[\x21-\x3c\x3e-\x7e\u0080-\u{10ffff}]+$/u.test(text)
}

/** Encodes text as xtext (RFC 3461 §4): `+`, `=`, controls, space and 8-bit bytes become `+XX`. */
export function encodeXtext(text: string): string {
  let out = ""
  for (const byte of new TextEncoder().encode(text)) {
    if (byte >= 0x21 && byte <= 0x7e && byte !== 0x2b && byte !== 0x3d) {
      out += String.fromCharCode(byte)
    } else {
      out += `+${byte.toString(16).toUpperCase().padStart(2, "0")}`
    }
  }
  return out
}

/** Decodes xtext (RFC 3461 §4); `null` when it is not valid xtext. */
export function decodeXtext(text: string): string | null {
  if (!/^(?:[\x21-\x2a\x2c-\x3c\x3e-\x7e]|\+[0-9A-F]{2})*$/.test(text)) return null
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "+") {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16))
      i += 2
    } else {
      bytes.push(text.charCodeAt(i))
    }
  }
  return new TextDecoder().decode(Uint8Array.from(bytes))
}

/**
 * Encodes an address as utf-8-addr-xtext (RFC 6533 §3): non-ASCII characters and
 * `+`, `=`, `\` and controls become `\x{HEX}`.
 */
export function encodeUtf8AddrXtext(text: string): string {
  let out = ""
  for (const char of text) {
    const code = char.codePointAt(0)!
    const plain = code >= 0x21 && code <= 0x7e && char !== "+" && char !== "=" && char !== "\\"
    out += plain ? char : `\\x{${code.toString(16).toUpperCase()}}`
  }
  return out
}

/** Decodes utf-8-addr-xtext (RFC 6533 §3); `null` when it is not valid. */
export function decodeUtf8AddrXtext(text: string): string | null {
  if (!/^(?:[\x21-\x2a\x2c-\x3c\x3e-\x5b\x5d-\x7e]|\\x\{[0-9A-Fa-f]{1,6}\})*$/.test(text)) {
    return null
  }
  let failed = false
  const out = text.replace(/\\x\{([0-9A-Fa-f]{1,6})\}/g, (_match, hex: string) => {
    const code = Number.parseInt(hex, 16)
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) failed = true
    return failed ? "" : String.fromCodePoint(code)
  })
  return failed ? null : out
}
