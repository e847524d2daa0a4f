/**
 * Choosing a part's Content-Transfer-Encoding from its bytes (RFC 2045 §6, RFC 6152
 * for 8bit) and applying it, for the builder.
 *
 * - `7bit`: only ASCII without NUL, line breaks only CRLF (or, for text, LF that the
 *   builder turns into CRLF), lines at most 998 octets (RFC 5322 §2.1.1);
 * - `8bit`: the same but with octets above 0x7F, only when the caller allows it;
 * - `quoted-printable`: text that is mostly ASCII;
 * - `base64`: everything else, and every streamed attachment (its bytes are not seen
 *   in advance).
 * Returned arrays are new.
 */
import { MAX_LINE_OCTETS } from "@mailwire/rfc5322"
import { encodeBase64 } from "./base64.js"
import { encodeQuotedPrintable } from "./quoted-printable.js"

/** A transfer encoding the builder writes (RFC 2045 §6.1). */
export type TransferEncoding = "7bit" | "8bit" | "quoted-printable" | "base64"

/** Above this share of non-ASCII octets, base64 is shorter than quoted-printable. */
const QP_MAX_NON_ASCII_SHARE = 0.17

/** Text with every line break (CRLF, LF or CR) written as CRLF (RFC 2046 §4.1.1). */
export function canonicalLineBreaks(bytes: Uint8Array): Uint8Array {
  let extra = 0
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a && bytes[i - 1] !== 0x0d) extra++
    else if (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a) extra++
  }
  if (extra === 0) return bytes
  const out = new Uint8Array(bytes.length + extra)
  let o = 0
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    if (b === 0x0a && bytes[i - 1] !== 0x0d) out[o++] = 0x0d
    out[o++] = b
    if (b === 0x0d && bytes[i + 1] !== 0x0a) out[o++] = 0x0a
  }
  return out
}

/** Picks the encoding for `bytes` (already CRLF-canonical for text). */
export function chooseTransferEncoding(
  bytes: Uint8Array,
  isText: boolean,
  allow8bit: boolean,
): TransferEncoding {
  let nonAscii = 0
  let hasBadControl = false
  let longest = 0
  let lineStart = 0
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    if (b >= 0x80) nonAscii++
    else if (b === 0x0a) {
      if (bytes[i - 1] !== 0x0d) hasBadControl = true
      longest = Math.max(longest, i - 1 - lineStart)
      lineStart = i + 1
    } else if (b === 0x0d) {
      if (bytes[i + 1] !== 0x0a) hasBadControl = true
    } else if (b === 0) hasBadControl = true
  }
  longest = Math.max(longest, bytes.length - lineStart)
  const fitsLines = longest <= MAX_LINE_OCTETS && !hasBadControl
  if (fitsLines && nonAscii === 0) return "7bit"
  if (fitsLines && allow8bit && isText) return "8bit"
  if (isText && !hasBadControl && nonAscii / Math.max(1, bytes.length) < QP_MAX_NON_ASCII_SHARE) {
    return "quoted-printable"
  }
  return "base64"
}

const ascii = new TextEncoder()

/** Applies `encoding` to `bytes`; the result always ends with CRLF when non-empty. */
export function applyTransferEncoding(bytes: Uint8Array, encoding: TransferEncoding): Uint8Array {
  switch (encoding) {
    case "base64":
      return ascii.encode(encodeBase64(bytes))
    case "quoted-printable":
      return encodeQuotedPrintable(bytes)
    default:
      return bytes
  }
}
