/**
 * One node of the MIME tree (RFC 2045 §3, RFC 2046 §5): its headers, what they say
 * about the body, where the header and body lie in the message, and its children.
 *
 * Offsets are byte positions in the whole input, so a caller holding the raw message
 * can slice any part without copies (IMAP partial FETCH, BODY[1.2.MIME]). Nothing here
 * reads bytes; the parser fills the offsets in.
 */
import type { DefectSink, MimeDefect } from "./defects.js"
import { type HeaderField, MimeHeaders } from "./headers.js"
import {
  type ContentType,
  parseContentType,
  parseStructuredValue,
  type StructuredValue,
} from "./parameters.js"

/**
 * A part of a MIME message (RFC 2045 §3): the root is the message itself, multiparts
 * (RFC 2046 §5.1) have `children`, and a `message/rfc822` or `message/global` part
 * (RFC 2046 §5.2.1, RFC 6532 §3.7) has the enclosed message as its only child.
 */
export interface MimePart {
  /**
   * Position in the tree: `[]` for the root, then the 0-based index among the parent's
   * children at each level (the enclosed message of a `message/rfc822` part is index 0).
   */
  readonly path: readonly number[]
  readonly headers: MimeHeaders
  /** The parsed Content-Type; `text/plain` by default (RFC 2045 §5.2), `message/rfc822` in a digest (RFC 2046 §5.1.5). */
  readonly contentType: ContentType
  /** The parsed Content-Disposition (RFC 2183), if present. */
  readonly disposition: StructuredValue | undefined
  /** The Content-Transfer-Encoding, lowercased; `7bit` by default (RFC 2045 §6.1). */
  readonly transferEncoding: string
  /** Offset of the first header byte. */
  readonly headerStart: number
  /** Offset of the first body byte (after the blank line). */
  bodyStart: number
  /** Offset just past the last body byte (the line break before a boundary is not body). */
  bodyEnd: number
  /** Lines in the body: its LF count, plus one if it is non-empty and does not end with LF. */
  bodyLines: number
  /** Child parts of a multipart or message part. */
  readonly children: MimePart[]
  /** Problems found in this part's headers, structure and body encoding. */
  readonly defects: MimeDefect[]
}

/** Builds a part from its header fields; body offsets are filled in by the parser. */
export function createPart(
  path: readonly number[],
  fields: readonly HeaderField[],
  headerStart: number,
  bodyStart: number,
  inDigest: boolean,
  defects: MimeDefect[],
): MimePart {
  const headers = new MimeHeaders(fields)
  const sink: DefectSink = (d) => defects.push(d)
  const typeHeader = headers.get("content-type")
  let contentType = parseContentType(typeHeader, sink)
  if (typeHeader === undefined && inDigest) {
    contentType = {
      ...contentType,
      value: "message/rfc822",
      mimeType: "message/rfc822",
      type: "message",
      subtype: "rfc822",
    }
  }
  const dispositionHeader = headers.get("content-disposition")
  const disposition =
    dispositionHeader === undefined ? undefined : parseStructuredValue(dispositionHeader, sink)
  const encoding = (headers.get("content-transfer-encoding") ?? "7bit").trim().toLowerCase()
  return {
    path,
    headers,
    contentType,
    disposition,
    transferEncoding: encoding === "" ? "7bit" : encoding,
    headerStart,
    bodyStart,
    bodyEnd: bodyStart,
    bodyLines: 0,
    children: [],
    defects,
  }
}
