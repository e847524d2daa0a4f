/**
 * Defects: what the tolerant readers of this package found wrong in their input.
 *
 * Parsing never throws on bad input (DESIGN §3); it recovers, goes on, and records a
 * {@link Defect} instead, the way Python's `email` package keeps `defects` on each node.
 * The same shape is used by `@mailwire/mime`.
 *
 * Nothing here parses anything; this module only names the shape and the codes.
 */

/**
 * One problem found while reading a header block or a field value (RFC 5322 §3, §4).
 * `code` is stable and machine-readable; `message` is for people; `offset`, when present,
 * is a byte offset into the header block (header parser) or a character offset into
 * the text given to a field parser.
 */
export interface Defect {
  code: string
  message: string
  offset?: number
}

/** The defect codes this package records, one per kind of problem (RFC 5322 §3, §4). */
export type DefectCode =
  /** A header line has no colon, or its field name is not printable US-ASCII (§2.2, §3.6.8). */
  | "MISSING_COLON"
  /** The block starts with a continuation line, which belongs to no field (§2.2.3). */
  | "ORPHAN_CONTINUATION"
  /** A field value is not valid UTF-8 and was read as latin-1 instead (RFC 6532 §3.2). */
  | "INVALID_UTF8"
  /** The header block is larger than `maxHeaderBytes`; later fields were dropped. */
  | "HEADER_TOO_LARGE"
  /** A quoted-string, comment, domain literal or angle address is not closed (§3.2). */
  | "UNTERMINATED"
  /** Characters that the grammar does not allow where they appear. */
  | "UNEXPECTED_TOKEN"
  /** An address has no `@domain` (§3.4.1). */
  | "MISSING_DOMAIN"
  /** An address has more than one unquoted `@`; the last one separates the domain. */
  | "MULTIPLE_AT"
  /** A local part is not a dot-atom or quoted-string, e.g. words separated by spaces. */
  | "INVALID_LOCAL_PART"
  /** A domain is not a dot-atom or domain literal. */
  | "INVALID_DOMAIN"
  /** `<>` where a mailbox is required. */
  | "EMPTY_ADDRESS"
  /** A group inside a group, which §3.4 does not allow. */
  | "NESTED_GROUP"
  /** A date that cannot be read at all; the result is `null`, never "now". */
  | "INVALID_DATE"
  /** A date without a time zone; it is read as UTC and `offsetMinutes` is `null`. */
  | "MISSING_ZONE"
  /** A zone that carries no reliable offset: military letters other than Z, unknown names. */
  | "UNKNOWN_ZONE"
  /** A date written in a form §3.3 and §4.3 do not describe (ISO 8601, asctime, …). */
  | "NONSTANDARD_DATE"
  /** The day of the week does not match the date. */
  | "DAY_OF_WEEK_MISMATCH"
  /** A message identifier without angle brackets (§3.6.4). */
  | "MISSING_BRACKETS"

/** Builds a defect; `offset` is left out when unknown (exactOptionalPropertyTypes). */
export function defect(code: DefectCode, message: string, offset?: number): Defect {
  return offset === undefined ? { code, message } : { code, message, offset }
}
