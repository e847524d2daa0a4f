/**
 * Folding and unfolding header fields (RFC 5322 §2.1.1, §2.2.3, §3.2.2).
 *
 * `foldHeader` is the writer: it checks the field name, refuses CR, LF and NUL in the
 * value (so no caller can inject a header line), and inserts line breaks only before
 * white space that is already in the value — so `unfold` gives the value back exactly.
 * `unfold` is the reader's half.
 *
 * It does not encode non-ASCII text (RFC 2047 belongs to `@mailwire/mime`): a value
 * that cannot be folded under 998 octets is refused, not rewritten.
 */
import { encodeUtf8, LocalProtocolError } from "@mailwire/wire"

/** §2.1.1: lines SHOULD be at most 78 characters, without the CRLF. */
export const FOLD_TARGET_LENGTH = 78
/** §2.1.1: lines MUST be at most 998 octets, without the CRLF. */
export const MAX_LINE_OCTETS = 998

/**
 * Removes the line breaks of folding (§2.2.3): every CRLF (or bare LF, as read from
 * LF-only files) that is followed by a space or tab. The white space itself is kept.
 *
 * @example
 * ```ts
 * unfold("Subject: This\r\n is a test")   // "Subject: This is a test"
 * ```
 */
export function unfold(text: string): string {
  return text.replace(/\r?\n(?=[ \t])/g, "")
}

/** Throws unless `name` is a field name: printable US-ASCII without colon (§3.6.8). */
export function checkFieldName(name: string): void {
  if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) {
    throw new LocalProtocolError(
      "INVALID_FIELD_NAME",
      `header field name ${JSON.stringify(name)} must be printable US-ASCII without ':'`,
    )
  }
}

/** Throws if `value` holds CR, LF or NUL, which would end or corrupt the header line. */
export function checkFieldValue(value: string, what = "header value"): void {
  const bad = /[\r\n\0]/.exec(value)
  if (bad !== null) {
    const name = bad[0] === "\0" ? "NUL" : bad[0] === "\r" ? "CR" : "LF"
    throw new LocalProtocolError("INVALID_FIELD_VALUE", `${what} must not contain ${name}`)
  }
}

/**
 * Writes `Name: value` folded at white space so that lines stay within 78 octets where
 * the value allows it and never exceed 998 (§2.1.1, §2.2.3). Lines are joined with
 * CRLF; there is no final CRLF. Unfolding the result gives `Name: value` back exactly.
 *
 * Throws `LocalProtocolError` for a name that is not printable US-ASCII without colon,
 * for CR, LF or NUL in the value, and for a run without white space that cannot fit
 * in 998 octets.
 *
 * @example
 * ```ts
 * foldHeader("Subject", "Saying Hello")   // "Subject: Saying Hello"
 * foldHeader("To", many.join(", "))        // "To: a@x.test, ...\r\n b@x.test, ..." near 78 per line
 * foldHeader("Subject", "hi\r\nBcc: x")    // throws LocalProtocolError (INVALID_FIELD_VALUE)
 * ```
 */
export function foldHeader(name: string, value: string): string {
  checkFieldName(name)
  checkFieldValue(value)
  const head = `${name}:`
  const lines: string[] = []
  let line = head
  let lineOctets = head.length
  for (const segment of foldSegments(` ${value}`)) {
    const octets = encodeUtf8(segment).length
    if (line !== head && lineOctets + octets > FOLD_TARGET_LENGTH) {
      lines.push(line)
      line = segment
      lineOctets = octets
    } else {
      line += segment
      lineOctets += octets
    }
    if (lineOctets > MAX_LINE_OCTETS) {
      throw new LocalProtocolError(
        "LINE_TOO_LONG",
        `header ${name} has a line of ${lineOctets} octets that cannot be folded; the limit is ${MAX_LINE_OCTETS}`,
      )
    }
  }
  lines.push(line)
  return lines.join("\r\n")
}

/**
 * Splits `text` before the last white space character of each run of white space that
 * is followed by other text: a line never holds only white space (§3.2.2), and
 * trailing white space stays on its line.
 */
function foldSegments(text: string): string[] {
  const segments: string[] = []
  let start = 0
  for (let i = 1; i < text.length; i++) {
    const isBreak =
      (text[i] === " " || text[i] === "\t") &&
      i + 1 < text.length &&
      text[i + 1] !== " " &&
      text[i + 1] !== "\t"
    if (isBreak) {
      segments.push(text.slice(start, i))
      start = i
    }
  }
  segments.push(text.slice(start))
  return segments
}
