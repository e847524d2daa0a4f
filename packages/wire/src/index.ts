/**
 * `@mailwire/wire` — the byte-level pieces that SMTP, POP3 and IMAP share.
 *
 * - {@link LineReader}: incremental CRLF line framing with a length limit, a bare-LF
 *   policy and raw byte runs (IMAP literals, SMTP BDAT).
 * - {@link DotEncoder} / {@link DotDecoder}: streaming dot-stuffing (RFC 5321 §4.5.2,
 *   RFC 1939 §3), where only `<CRLF>.<CRLF>` ends a body.
 * - {@link ProtocolError}, {@link LocalProtocolError}, {@link RemoteProtocolError}.
 *
 * No dependencies and no Node APIs: it runs in Node, Deno, Bun, browsers and Workers.
 *
 * @example
 * ```ts
 * import { LineReader } from "@mailwire/wire"
 *
 * const reader = new LineReader({ maxLineLength: 512 })
 * reader.push(new TextEncoder().encode("EHLO client.example\r\nMAIL FROM:<a@b>\r\n"))
 * for (let item = reader.next(); item !== null; item = reader.next()) {
 *   if (item.type === "line") console.log(new TextDecoder().decode(item.line))
 * }
 * ```
 *
 * @packageDocumentation
 */
export {
  bytesEqual,
  CR,
  concatBytes,
  DOT,
  decodeLatin1,
  decodeUtf8,
  encodeLatin1,
  encodeUtf8,
  indexOfCrlf,
  LF,
} from "./bytes.js"
export type {
  DotDataEvent,
  DotDecoderEvent,
  DotDecoderOptions,
  DotEndEvent,
} from "./dot-decoder.js"
export { DotDecoder } from "./dot-decoder.js"
export type { BareLineEndingPolicy, DotEncoderOptions } from "./dot-encoder.js"
export { DotEncoder, dotStuff } from "./dot-encoder.js"
export type { ProtocolErrorOptions, ReplyHint, WireErrorCode } from "./errors.js"
export {
  LocalProtocolError,
  ProtocolError,
  RemoteProtocolError,
  WIRE_HINTS,
} from "./errors.js"
export type {
  BareLfPolicy,
  BytesItem,
  ErrorItem,
  LineItem,
  LineReaderItem,
  LineReaderOptions,
} from "./line-reader.js"
export { DEFAULT_MAX_LINE_LENGTH, LineReader } from "./line-reader.js"
