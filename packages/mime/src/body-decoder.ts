/**
 * Removing a part's Content-Transfer-Encoding (RFC 2045 §6) chunk by chunk, writing into
 * a buffer the caller supplies, for `MimeParser`. `7bit`, `8bit`, `binary` and uuencode
 * (decoded later, from the text) need nothing; an unknown encoding is passed through
 * with a defect (RFC 2045 §6.4). The small tail `end()` returns is a new array.
 */
import { Base64Decoder } from "./base64.js"
import type { MimeDefect } from "./defects.js"
import type { MimePart } from "./part.js"
import { QuotedPrintableDecoder } from "./quoted-printable.js"

/** A streaming transfer decoder that writes into a caller's buffer. */
export type BodyDecoder = {
  maxOutput(length: number): number
  updateInto(chunk: Uint8Array, out: Uint8Array, at: number): number
  end(): Uint8Array
}

/** The decoder for `part`'s transfer encoding, or `null` when its body needs none. */
export function createBodyDecoder(part: MimePart): BodyDecoder | null {
  const sink = (d: MimeDefect) => part.defects.push(d)
  switch (part.transferEncoding) {
    case "base64": {
      const decoder = new Base64Decoder(sink)
      return {
        maxOutput: Base64Decoder.maxOutput,
        updateInto: (chunk, out, at) => decoder.updateInto(chunk, out, at),
        end: () => decoder.end(),
      }
    }
    case "quoted-printable":
      return new QuotedPrintableDecoder(sink)
    case "7bit":
    case "8bit":
    case "binary":
    case "x-uuencode":
    case "uuencode":
      return null
    default:
      part.defects.push({
        code: "UNKNOWN_TRANSFER_ENCODING",
        message: `unknown transfer encoding "${part.transferEncoding}"; the body is passed through`,
      })
      return null
  }
}
