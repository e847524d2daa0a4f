/**
 * UTF-8 conversion for SASL fields. Decoding is strict: SASL's text fields are UTF-8
 * (RFC 4422 §3.1, RFC 4616 §2), so a peer's ill-formed bytes become `null`, which the
 * mechanisms turn into a failure rather than a string with replacement characters.
 * Returned arrays are fresh and owned by the caller.
 */

const encoder = new TextEncoder()
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

/** Encodes a string as UTF-8. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text)
}

/** Decodes well-formed UTF-8, or returns `null`. */
export function decodeUtf8Strict(bytes: Uint8Array): string | null {
  try {
    return strictDecoder.decode(bytes)
  } catch {
    return null
  }
}
