/**
 * Defects: what the parser found wrong in a message and how it recovered (DESIGN §3).
 * Parsing never throws on bad input; each problem becomes a {@link MimeDefect} recorded
 * on the part where it was found, the way Python's `email` package keeps `defects`.
 * Nothing here reads bytes.
 */

/**
 * The kinds of problem the MIME layer recognises (RFC 2045 §6.7–6.8, RFC 2046 §5.1.1,
 * RFC 2047 §6, RFC 2231 §3–4).
 */
export type MimeDefectCode =
  | "INVALID_BASE64"
  | "BASE64_PADDING"
  | "INVALID_QUOTED_PRINTABLE"
  | "INVALID_ENCODED_WORD"
  | "UNKNOWN_CHARSET"
  | "INVALID_PARAMETER"
  | "DUPLICATE_PARAMETER"
  | "MISSING_BOUNDARY"
  | "MISSING_FINAL_BOUNDARY"
  | "MISSING_HEADER_SEPARATOR"
  | "INVALID_HEADER_LINE"
  | "HEADER_TOO_LARGE"
  | "TOO_DEEP"
  | "TOO_MANY_PARTS"
  | "UNKNOWN_TRANSFER_ENCODING"
  | "INVALID_ADDRESS"

/** One problem found while decoding, with a human-readable explanation. */
export interface MimeDefect {
  readonly code: MimeDefectCode
  readonly message: string
}

/** A place to record defects; decoders take one so callers choose where they land. */
export type DefectSink = (defect: MimeDefect) => void
