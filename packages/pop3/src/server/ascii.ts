/**
 * Short lines between text and bytes without a trip through `TextEncoder`/`TextDecoder`,
 * whose fixed cost per call is most of what a one-line command (`RETR 12`) or status
 * line (`+OK 4211 octets`) costs. Only short, pure-ASCII text takes the direct path,
 * where UTF-8 and ASCII agree byte for byte; anything else goes through the UTF-8 codec,
 * so the results are always those of `encodeUtf8` and `decodeUtf8`.
 */
import { decodeUtf8, encodeUtf8 } from "@mailwire/wire"

/** Longest text converted byte by byte; past it the codec's setup cost pays off. */
const SHORT_LINE_MAX = 64
/** Code units and bytes below this are ASCII, the same in UTF-8. */
const ASCII_LIMIT = 0x80

/** `bytes` decoded as UTF-8 (invalid sequences become U+FFFD), as `decodeUtf8` does. */
export function decodeLine(bytes: Uint8Array): string {
  const length = bytes.length
  if (length > SHORT_LINE_MAX) return decodeUtf8(bytes)
  let text = ""
  for (let i = 0; i < length; i++) {
    const byte = bytes[i]!
    if (byte >= ASCII_LIMIT) return decodeUtf8(bytes)
    text += String.fromCharCode(byte)
  }
  return text
}

/** `text` encoded as UTF-8 in a fresh array, as `encodeUtf8` does. */
export function encodeLine(text: string): Uint8Array {
  const length = text.length
  if (length > SHORT_LINE_MAX) return encodeUtf8(text)
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) {
    const unit = text.charCodeAt(i)
    if (unit >= ASCII_LIMIT) return encodeUtf8(text)
    bytes[i] = unit
  }
  return bytes
}
