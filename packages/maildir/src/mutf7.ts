/**
 * Modified UTF-7 (RFC 3501 §5.1.3), the encoding IMAP uses for mailbox names and the one
 * Dovecot and Courier use for Maildir++ folder names on disk.
 *
 * Printable ASCII (0x20–0x7E) stands for itself, `&` is written `&-`, and every run of
 * other characters is written as `&` + the modified BASE64 (`,` for `/`, no padding) of
 * its UTF-16 big-endian code units + `-`.
 *
 * The decoder is strict, because a lenient one is how separators get smuggled into a
 * path: it refuses printable ASCII inside a shifted run (`&AC8-` for `/` is not how `/`
 * is written), non-zero padding bits, a run that does not end in `-`, characters outside
 * 0x20–0x7E, two shifted runs in a row (an encoder writes one), and unpaired surrogates. It returns `null` for all of them rather than
 * guessing. Nothing here touches the disk.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,"

const VALUES = new Map<string, number>([...ALPHABET].map((char, index) => [char, index]))

function isPrintable(unit: number): boolean {
  return unit >= 0x20 && unit <= 0x7e
}

function encodeRun(units: readonly number[]): string {
  let out = ""
  let bits = 0
  let buffer = 0
  for (const unit of units) {
    for (const byte of [unit >> 8, unit & 0xff]) {
      buffer = (buffer << 8) | byte
      bits += 8
      while (bits >= 6) {
        bits -= 6
        out += ALPHABET[(buffer >> bits) & 0x3f]
      }
      buffer &= (1 << bits) - 1
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (6 - bits)) & 0x3f]
  return `&${out}-`
}

/** Encodes a mailbox name as modified UTF-7 (RFC 3501 §5.1.3). */
export function encodeMutf7(name: string): string {
  let out = ""
  let run: number[] = []
  for (let i = 0; i < name.length; i++) {
    const unit = name.charCodeAt(i)
    if (isPrintable(unit)) {
      if (run.length > 0) out += encodeRun(run)
      run = []
      out += unit === 0x26 ? "&-" : name[i]
    } else {
      run.push(unit)
    }
  }
  if (run.length > 0) out += encodeRun(run)
  return out
}

/** Whether every UTF-16 surrogate in `text` is half of a pair (`String#isWellFormed`, ES2024). */
export function hasPairedSurrogates(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit >= 0xdc00 && unit <= 0xdfff) return false
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false
      i++
    }
  }
  return true
}

function decodeRun(encoded: string): string | null {
  let bits = 0
  let buffer = 0
  const bytes: number[] = []
  for (const char of encoded) {
    const value = VALUES.get(char)
    if (value === undefined) return null
    buffer = (buffer << 6) | value
    bits += 6
    if (bits >= 8) {
      bits -= 8
      bytes.push((buffer >> bits) & 0xff)
      buffer &= (1 << bits) - 1
    }
  }
  if (buffer !== 0 || bits >= 6 || bytes.length % 2 !== 0 || bytes.length === 0) return null
  let out = ""
  for (let i = 0; i < bytes.length; i += 2) {
    const unit = (bytes[i]! << 8) | bytes[i + 1]!
    if (isPrintable(unit)) return null
    out += String.fromCharCode(unit)
  }
  return hasPairedSurrogates(out) ? out : null
}

/**
 * Decodes a modified UTF-7 mailbox name (RFC 3501 §5.1.3). Returns `null` for anything
 * that is not the one canonical encoding of some name.
 */
export function decodeMutf7(encoded: string): string | null {
  let out = ""
  let i = 0
  while (i < encoded.length) {
    const unit = encoded.charCodeAt(i)
    if (!isPrintable(unit)) return null
    if (unit !== 0x26) {
      out += encoded[i]
      i++
      continue
    }
    const end = encoded.indexOf("-", i + 1)
    if (end < 0) return null
    if (end === i + 1) {
      out += "&"
    } else {
      const run = decodeRun(encoded.slice(i + 1, end))
      const nextIsShift = encoded[end + 1] === "&" && encoded[end + 2] !== "-"
      if (run === null || nextIsShift) return null
      out += run
    }
    i = end + 1
  }
  return out
}
