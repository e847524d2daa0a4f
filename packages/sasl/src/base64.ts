/**
 * Base64 as SASL profiles use it on the wire (RFC 4648 §4, RFC 4954 §4, RFC 5034 §4,
 * RFC 9051 §6.2.2), and the client's answer line of an exchange.
 *
 * Decoding is strict: only the RFC 4648 alphabet, a length that is a multiple of four,
 * padding only at the end and unused bits zero (RFC 4648 §3.5). A server then rejects a
 * malformed line instead of guessing what the client meant. Nothing here is
 * lenient, because every SASL client we know of (Thunderbird, Outlook, curl, msmtp,
 * Python's smtplib) sends canonical base64. Returned arrays are fresh and owned by the caller.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
const DECODE = new Int16Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i

function sextet(text: string, index: number): number {
  const code = text.charCodeAt(index)
  return code < 128 ? DECODE[code]! : -1
}

/** Encodes bytes as padded base64 (RFC 4648 §4). */
export function encodeBase64(bytes: Uint8Array): string {
  let out = ""
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out +=
      ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = bytes[i]! << 16
    out += `${ALPHABET[n >> 18]!}${ALPHABET[(n >> 12) & 63]!}==`
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    out += `${ALPHABET[n >> 18]!}${ALPHABET[(n >> 12) & 63]!}${ALPHABET[(n >> 6) & 63]!}=`
  }
  return out
}

/**
 * Decodes strict, padded base64 (RFC 4648 §4), or returns `null` when `text` is not
 * canonical base64. The empty string decodes to an empty array.
 */
export function decodeBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null
  let padding = 0
  if (text.endsWith("==")) padding = 2
  else if (text.endsWith("=")) padding = 1
  const out = new Uint8Array((text.length / 4) * 3 - padding)
  let o = 0
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length
    const a = sextet(text, i)
    const b = sextet(text, i + 1)
    if (a < 0 || b < 0) return null
    if (last && padding === 2) {
      if ((b & 15) !== 0) return null
      out[o++] = (a << 2) | (b >> 4)
      break
    }
    const c = sextet(text, i + 2)
    if (c < 0) return null
    if (last && padding === 1) {
      if ((c & 3) !== 0) return null
      out[o++] = (a << 2) | (b >> 4)
      out[o++] = ((b & 15) << 4) | (c >> 2)
      break
    }
    const d = sextet(text, i + 3)
    if (d < 0) return null
    const n = (a << 18) | (b << 12) | (c << 6) | d
    out[o++] = n >> 16
    out[o++] = (n >> 8) & 255
    out[o++] = n & 255
  }
  return out
}

/**
 * What a client's line means while an exchange is in progress (RFC 4954 §4, RFC 5034 §4,
 * RFC 9051 §6.2.2, RFC 4959 §3): `*` cancels, `=` is an empty initial response (SASL-IR),
 * an empty line is an empty response, anything else must be strict base64.
 */
export type SaslResponseLine =
  | { readonly type: "cancel" }
  | { readonly type: "response"; readonly bytes: Uint8Array }
  | { readonly type: "invalid" }

/**
 * Decodes one client line of a SASL exchange, without its CRLF.
 *
 * @example
 * ```ts
 * decodeSaslResponse("*")        // { type: "cancel" }
 * decodeSaslResponse("=")        // { type: "response", bytes: Uint8Array [] }
 * decodeSaslResponse("AGEAYg==") // { type: "response", bytes: "\0a\0b" }
 * decodeSaslResponse("%%")       // { type: "invalid" }
 * ```
 */
export function decodeSaslResponse(line: string): SaslResponseLine {
  if (line === "*") return { type: "cancel" }
  if (line === "=") return { type: "response", bytes: new Uint8Array(0) }
  const bytes = decodeBase64(line)
  return bytes === null ? { type: "invalid" } : { type: "response", bytes }
}
