/**
 * Small byte helpers that SMTP, POP3 and IMAP all need. They work on `Uint8Array`
 * only (no `Buffer`), so they run in every JavaScript runtime.
 */

/** Carriage return, line feed and `.` as bytes. */
export const CR = 0x0d
export const LF = 0x0a
export const DOT = 0x2e

const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder("utf-8")

/** The UTF-8 bytes of `text`. */
export function encodeUtf8(text: string): Uint8Array {
  return utf8Encoder.encode(text)
}

/** `bytes` decoded as UTF-8; invalid sequences become U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes)
}

/**
 * `bytes` read one byte per character (ISO-8859-1). Lossless for any input, which makes
 * it the right view of protocol lines whose 8-bit content must survive unchanged.
 */
export function decodeLatin1(bytes: Uint8Array): string {
  let out = ""
  const step = 8192
  for (let i = 0; i < bytes.length; i += step) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + step) as unknown as number[])
  }
  return out
}

/**
 * The inverse of {@link decodeLatin1}: each character becomes one byte.
 * Throws `RangeError` for a character above U+00FF, which cannot be one byte.
 */
export function encodeLatin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code > 0xff) throw new RangeError(`character U+${code.toString(16)} is not latin-1`)
    out[i] = code
  }
  return out
}

/** A new array holding `parts` back to back. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** Whether `a` and `b` hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** The index of the first CR LF at or after `from`, or -1. */
export function indexOfCrlf(bytes: Uint8Array, from = 0): number {
  let i = bytes.indexOf(LF, from + 1)
  while (i !== -1) {
    if (bytes[i - 1] === CR) return i - 1
    i = bytes.indexOf(LF, i + 1)
  }
  return -1
}
