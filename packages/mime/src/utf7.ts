/**
 * UTF-7 (RFC 2152), the charset some older Microsoft and Netscape mailers label as
 * `utf-7` or `unicode-1-1-utf-7` (RFC 1642). The platform `TextDecoder` does not know
 * it (the WHATWG Encoding Standard dropped it), so it is decoded here. Decoding only:
 * mailwire never writes UTF-7. This is not IMAP's modified UTF-7 (RFC 3501 §5.1.3),
 * which uses `&` and `,` and belongs to the IMAP package.
 */

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
const VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < 64; i++) VALUE[B64.charCodeAt(i)] = i

/** Decodes UTF-7 bytes to a string; bytes above 0x7F pass through as Latin-1. */
export function decodeUtf7(bytes: Uint8Array): string {
  let out = ""
  let i = 0
  const len = bytes.length
  while (i < len) {
    const b = bytes[i]!
    if (b !== 0x2b) {
      out += String.fromCharCode(b)
      i++
      continue
    }
    i++
    if (bytes[i] === 0x2d) {
      out += "+"
      i++
      continue
    }
    let bits = 0
    let acc = 0
    const units: number[] = []
    while (i < len) {
      const c = bytes[i]!
      const v = c < 128 ? VALUE[c]! : -1
      if (v < 0) break
      acc = ((acc << 6) | v) & 0xffffff
      bits += 6
      if (bits >= 16) {
        bits -= 16
        units.push((acc >> bits) & 0xffff)
      }
      i++
    }
    if (bytes[i] === 0x2d) i++
    out += fromUnits(units)
  }
  return out
}

/**
 * The UTF-16 units as a string, a slice at a time: spreading a whole shifted run into
 * one call overflows the stack once a run holds a few hundred thousand units.
 */
function fromUnits(units: number[]): string {
  let out = ""
  for (let i = 0; i < units.length; i += 8192) {
    out += String.fromCharCode(...units.slice(i, i + 8192))
  }
  return out
}
