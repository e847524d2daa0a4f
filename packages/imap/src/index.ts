/**
 * `@mailwire/imap` — the IMAP wire layer: a streaming parser and an encoder for
 * everything that crosses an IMAP connection, in both directions, per RFC 9051
 * (IMAP4rev2) with RFC 3501 (IMAP4rev1) compatibility and common extensions.
 *
 * - {@link ResponseDecoder} (client side) and {@link CommandDecoder} (server side): bytes
 *   in, typed events out; message bodies are streamed as `literal-chunk` events.
 * - {@link encodeCommand} / {@link encodeResponse} and the chainable {@link Encoder}:
 *   typed values out as bytes; the encoder says when a synchronizing literal must wait.
 * - {@link encodeMutf7} / {@link decodeMutf7}: modified UTF-7 mailbox names.
 *
 * No Node APIs: it runs in Node, Deno, Bun, browsers and Workers.
 *
 * @example
 * ```ts
 * import { ResponseDecoder } from "@mailwire/imap"
 *
 * const decoder = new ResponseDecoder()
 * const events = decoder.receive(new TextEncoder().encode("* 3 EXISTS\r\n"))
 * // [{ type: "response", response: { type: "exists", number: 3 } }]
 * ```
 *
 * @packageDocumentation
 */
export type { Capability } from "./capabilities.js"
export {
  CAP_APPENDLIMIT,
  CAP_BINARY,
  CAP_COMPRESS_DEFLATE,
  CAP_CONDSTORE,
  CAP_CREATE_SPECIAL_USE,
  CAP_ENABLE,
  CAP_ESEARCH,
  CAP_ID,
  CAP_IDLE,
  CAP_IMAP4REV1,
  CAP_IMAP4REV2,
  CAP_LIST_EXTENDED,
  CAP_LIST_STATUS,
  CAP_LITERAL_MINUS,
  CAP_LITERAL_PLUS,
  CAP_LOGINDISABLED,
  CAP_MOVE,
  CAP_MULTIAPPEND,
  CAP_NAMESPACE,
  CAP_OBJECTID,
  CAP_PREVIEW,
  CAP_QRESYNC,
  CAP_QUOTA,
  CAP_SASL_IR,
  CAP_SEARCHRES,
  CAP_SORT,
  CAP_SPECIAL_USE,
  CAP_STARTTLS,
  CAP_STATUS_SIZE,
  CAP_THREAD_ORDEREDSUBJECT,
  CAP_THREAD_REFERENCES,
  CAP_UIDPLUS,
  CAP_UNSELECT,
  CAP_UTF8_ACCEPT,
  CAP_X_GM_EXT_1,
  hasCapability,
} from "./capabilities.js"
export type { ImapErrorCode } from "./errors.js"
export { decodeMutf7, encodeMutf7 } from "./mutf7.js"
export type {
  Address,
  BodyDisposition,
  BodyExtension,
  BodyParam,
  BodyStructure,
  CalendarDate,
  DateTime,
  Envelope,
  ImapValue,
  MultiPartBody,
  ResponseCode,
  Section,
  SectionContent,
  SeqNumber,
  SeqRange,
  SequenceSet,
  SimpleResponseCode,
  SinglePartBody,
  StreamedLiteral,
} from "./types.js"
export type {
  CommandDecoderEvent,
  CommandDecoderOptions,
  CommandEvent,
  ContinuationLineEvent,
  LiteralRequestEvent,
} from "./wire/command-decoder.js"
export { CommandDecoder } from "./wire/command-decoder.js"
export type { AppendCommand, AppendMessage } from "./wire/commands/append.js"
export type { Command, CommandBody } from "./wire/commands/command.js"
export type {
  FetchAttribute,
  FetchCommand,
  Partial,
  SimpleFetchAttribute,
} from "./wire/commands/fetch.js"
export type { ListCommand, ListReturnOption } from "./wire/commands/list.js"
export type {
  CreateCommand,
  GetQuotaCommand,
  LsubCommand,
  MailboxCommand,
  MailboxCommandValue,
  QresyncParams,
  RenameCommand,
  SelectCommand,
  SetQuotaCommand,
  StatusCommand,
} from "./wire/commands/mailbox.js"
export type {
  FlagSearchKey,
  SearchCommand,
  SearchKey,
  SortCommand,
  SortCriterion,
  ThreadCommand,
} from "./wire/commands/search.js"
export type {
  AuthenticateCommand,
  BareCommand,
  CompressCommand,
  EnableCommand,
  IdCommand,
  LoginCommand,
  SessionCommand,
} from "./wire/commands/session.js"
export type { CopyCommand, StoreCommand, UidExpungeCommand } from "./wire/commands/store.js"
export type {
  CommandEncodeOptions,
  ResponseEncodeOptions,
} from "./wire/encode.js"
export {
  encodeCommand,
  encodeContinuationLine,
  encodeResponse,
  encodeResponseParts,
} from "./wire/encode.js"
export type { EncodedPart, EncoderOptions, LiteralMode } from "./wire/encoder.js"
export { Encoder, LITERAL_MINUS_MAX } from "./wire/encoder.js"
export type {
  DecodeErrorEvent,
  FramerLimits,
  LiteralChunkEvent,
  LiteralStartEvent,
} from "./wire/framer.js"
export {
  DEFAULT_MAX_COMMAND_LINE_LENGTH,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_INLINE_LITERAL_SIZE,
  DEFAULT_MAX_ITEMS,
  DEFAULT_MAX_LITERAL_SIZE,
  DEFAULT_MAX_RESPONSE_LINE_LENGTH,
} from "./wire/framer.js"
export type {
  ResponseDecoderEvent,
  ResponseDecoderOptions,
  ResponseEvent,
} from "./wire/response-decoder.js"
export { ResponseDecoder } from "./wire/response-decoder.js"
export type { FetchItem, FetchResponse } from "./wire/responses/fetch.js"
export type {
  ESearchData,
  ESearchResponse,
  FlagsResponse,
  ListResponse,
  SearchResponse,
  StatusAttributes,
  StatusDataResponse,
  Thread,
  ThreadResponse,
} from "./wire/responses/mailbox-data.js"
export type {
  NumberResponse,
  Response,
  UnknownResponse,
  VanishedResponse,
} from "./wire/responses/response.js"
export type {
  CapabilityResponse,
  IdResponse,
  Namespace,
  NamespaceResponse,
  QuotaResource,
  QuotaResponse,
  QuotaRootResponse,
} from "./wire/responses/server-data.js"
export type {
  ContinuationRequest,
  StatusCondition,
  StatusResponse,
} from "./wire/responses/status.js"
