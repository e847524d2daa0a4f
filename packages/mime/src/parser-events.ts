/**
 * The events and options of `MimeParser` (RFC 2045 §3, RFC 2046 §5): what it reports and
 * the limits that keep its memory bounded. Types and constants only; nothing here reads
 * bytes. A `body` event's bytes are a view, valid until the next `push()` or `end()`.
 */
import type { MimePart } from "./part.js"

/** Deepest nesting of multiparts and enclosed messages; Dovecot's default since CVE-2020-12100. */
export const DEFAULT_MAX_DEPTH = 100
/** Most parts in one message; Dovecot's default since CVE-2020-12100. */
export const DEFAULT_MAX_PARTS = 10_000
/** Largest header block of one part, in bytes; Postfix's `header_size_limit`. */
export const DEFAULT_MAX_HEADER_BYTES = 102_400
/** Options of {@link MimeParser}; every limit has a documented default. */
export interface MimeParserOptions {
  /** Nesting depth past which a multipart or message part is treated as an opaque leaf. Default {@link DEFAULT_MAX_DEPTH}. */
  readonly maxDepth?: number
  /** Parts past which no boundary is recognised (the rest is body). Default {@link DEFAULT_MAX_PARTS}. */
  readonly maxParts?: number
  /** Header bytes per part past which the rest is body. Default {@link DEFAULT_MAX_HEADER_BYTES}. */
  readonly maxHeaderBytes?: number
  /** `"decoded"` (default): body chunks with base64 / quoted-printable removed; `"raw"`: as they appear. */
  readonly bodies?: "decoded" | "raw"
}

/** A part's header block has been read (RFC 2045 §3). */
export interface PartStartEvent {
  readonly type: "partStart"
  readonly part: MimePart
}
/** A chunk of a leaf part's body (RFC 2045 §6); multipart and message parts have none. */
export interface BodyEvent {
  readonly type: "body"
  readonly part: MimePart
  readonly bytes: Uint8Array
}
/** A part's body is complete; its offsets and line count are final. */
export interface PartEndEvent {
  readonly type: "partEnd"
  readonly part: MimePart
}
/** The input has ended; `root` is the whole tree. */
export interface EndEvent {
  readonly type: "end"
  readonly root: MimePart
}
/** Everything {@link MimeParser} reports. */
export type MimeEvent = PartStartEvent | BodyEvent | PartEndEvent | EndEvent
