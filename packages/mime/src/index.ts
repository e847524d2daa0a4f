/**
 * `@mailwire/mime` — MIME for JavaScript (RFC 2045–2049, 2047, 2183, 2231, 2387, 2392,
 * 6532): a streaming parser with bounded memory, a message tree with byte offsets, a
 * one-call `parseMessage`, a builder, and the codecs underneath (base64,
 * quoted-printable, uuencode, encoded-words, charsets, parameters).
 *
 * Core package: no Node APIs; it runs in Node, Deno, Bun, browsers and Workers.
 *
 * @example
 * ```ts
 * import { buildMessage, parseMessage } from "@mailwire/mime"
 *
 * const bytes = buildMessage({ from: "Ana <ana@example.com>", to: "bo@example.com", subject: "Grüße", text: "Hallo" })
 * const message = await parseMessage(bytes)
 * message.subject // "Grüße"
 * ```
 *
 * @packageDocumentation
 */
export {
  BASE64_LINE_LENGTH,
  Base64Decoder,
  Base64Encoder,
  decodeBase64,
  encodeBase64,
} from "./base64.js"
export type { AddressSpec, AttachmentSpec, MessageSpec } from "./builder.js"
export { buildMessage, buildMessageStream } from "./builder.js"
export { CharsetDecoder, decodeCharset, resolveCharset } from "./charsets.js"
export type { DefectSink, MimeDefect, MimeDefectCode } from "./defects.js"
export {
  decodeEncodedWords,
  ENCODED_WORD_MAX_LENGTH,
  encodeEncodedWords,
} from "./encoded-words.js"
export type { HeaderField } from "./headers.js"
export { MimeHeaders } from "./headers.js"
export type {
  Address,
  Attachment,
  DecodedHeader,
  MessageDefect,
  MessageSource,
  ParsedMessage,
  ParseMessageOptions,
} from "./message.js"
export { decodeTransfer, parseMessage, parseMessageBytes } from "./message.js"
export type { ContentType, StructuredValue } from "./parameters.js"
export {
  formatParameter,
  parseContentType,
  parseStructuredValue,
} from "./parameters.js"
export { MimeParser } from "./parser.js"
export type {
  BodyEvent,
  EndEvent,
  MimeEvent,
  MimeParserOptions,
  PartEndEvent,
  PartStartEvent,
} from "./parser-events.js"
export {
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_MAX_PARTS,
} from "./parser-events.js"
export type { MimePart } from "./part.js"
export {
  decodeQuotedPrintable,
  encodeQuotedPrintable,
  QP_LINE_LENGTH,
  QuotedPrintableDecoder,
} from "./quoted-printable.js"
export { decodeUtf7 } from "./utf7.js"
export type { UuencodedFile } from "./uuencode.js"
export { extractUuencoded } from "./uuencode.js"
