/**
 * Line segments as text: the decoder reads each segment of a command or response as a
 * string once, so its rules can use `charCodeAt` and `slice`. Keeps nothing.
 */

const utf8 = new TextDecoder("utf-8")

/**
 * A line segment as text. UTF-8 is decoded once here (RFC 9051 §9 `utf8-quoted`; RFC 6855
 * §3); invalid sequences become U+FFFD, which no grammar rule accepts outside strings.
 */
export function decodeSegment(bytes: Uint8Array): string {
  const length = bytes.length
  if (length <= 64) {
    let out = ""
    for (let i = 0; i < length; i++) {
      const c = bytes[i]!
      if (c > 0x7f) return utf8.decode(bytes)
      out += String.fromCharCode(c)
    }
    return out
  }
  return utf8.decode(bytes)
}
