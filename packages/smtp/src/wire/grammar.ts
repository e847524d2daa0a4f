/**
 * Character classes and small encodings of the SMTP grammar (RFC 5321 §4.1.2, RFC 6531
 * §3.3), and xtext (RFC 3461 §4) and utf-8-addr-xtext (RFC 6533 §3) for DSN values.
 *
 * What it does not do: parse whole commands (see `command.ts`) or paths (`path.ts`).
 * Every function works on strings and returns new strings.
 */

/** `atext` of RFC 5322 §3.2.3, which RFC 5321 §4.1.2 uses for `Atom`, plus UTF-8 (RFC 6531). */
const ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10ffff}]+$/u

/** `Dot-string = Atom *("." Atom)` (RFC 5321 §4.1.2). */
export function isDotString(text: string): boolean {
  return text.split(".").every((atom) => ATEXT.test(atom))
}

/**
 * `Domain = sub-domain *("." sub-domain)`, `sub-domain = Let-dig [Ldh-str]` (RFC 5321
 * §4.1.2), with U-labels (RFC 6531 §3.3), or an `address-literal` in brackets.
 */
export function isDomain(text: string): boolean {
  if (text.startsWith("[")) return /^\[[\x21-\x5a\x5e-\x7e]+\]$/.test(text)
  if (text.length === 0 || text.length > 255) return false
  return text
    .split(".")
    .every((label) =>
      /^[A-Za-z0-9\u0080-\u{10ffff}](?:[A-Za-z0-9\-\u0080-\u{10ffff}]*[A-Za-z0-9\u0080-\u{10ffff}])?$/u.test(
        label,
      ),
    )
}

/** Whether the text has only US-ASCII characters (RFC 6531 §3.1 decides SMTPUTF8 on this). */
export function isAscii(text: string): boolean {
  return /^[\x00-\x7f]*$/.test(text)
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
