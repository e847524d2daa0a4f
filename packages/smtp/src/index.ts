/**
 * `@mailwire/smtp` — SMTP (RFC 5321) and LMTP (RFC 2033) as sans-I/O state machines, for
 * both sides, with the ESMTP extensions: PIPELINING (RFC 2920), 8BITMIME (RFC 6152),
 * CHUNKING and BINARYMIME (RFC 3030), SMTPUTF8 (RFC 6531), SIZE (RFC 1870), STARTTLS
 * (RFC 3207), AUTH (RFC 4954, through `@mailwire/sasl`), DSN (RFC 3461),
 * ENHANCEDSTATUSCODES (RFC 2034, RFC 3463) and REQUIRETLS (RFC 8689).
 *
 * - {@link SmtpServerConnection}: bytes in, events and replies out; the application
 *   answers decisions (`helo`, `auth`, `mailFrom`, `rcptTo`, `messageEnd`).
 * - {@link SmtpClientConnection}: runs the session and sends transactions, with results
 *   per recipient.
 * - The wire grammar: {@link parseCommand} / {@link formatCommand}, {@link ReplyReader} /
 *   {@link formatReply}, paths, ESMTP parameters and xtext.
 *
 * No sockets, timers or Node APIs: it runs in Node, Deno, Bun, browsers and Workers.
 *
 * @packageDocumentation
 */
export {
  announcedAuthMechanisms,
  announcedSize,
  CAP_8BITMIME,
  CAP_AUTH,
  CAP_BINARYMIME,
  CAP_CHUNKING,
  CAP_DSN,
  CAP_ENHANCEDSTATUSCODES,
  CAP_PIPELINING,
  CAP_REQUIRETLS,
  CAP_SIZE,
  CAP_SMTPUTF8,
  CAP_STARTTLS,
  emptyCapabilities,
  hasCapability,
  parseEhloReply,
  type SmtpCapabilities,
} from "./capabilities.js"
export { SmtpClientConnection } from "./client/connection.js"
export type {
  ClientProtocolErrorEvent,
  ClientStartTlsEvent,
  ClosedEvent,
  GreetingEvent,
  ReadyEvent,
  ReadyForBodyEvent,
  RecipientResult,
  SessionFailedEvent,
  SmtpClientEvent,
  TransactionCompleteEvent,
  TransactionResult,
} from "./client/events.js"
export type {
  SmtpClientOptions,
  SmtpMailRequest,
  SmtpRecipientRequest,
  StartTlsPolicy,
} from "./client/options.js"
export type { SmtpClientState } from "./client/state.js"
export type { SmtpErrorCode } from "./errors.js"
export { SmtpServerConnection } from "./server/connection.js"
export type {
  AuthEvent,
  AuthenticatedEvent,
  AuthFailureEvent,
  CloseEvent,
  EnvelopeRecipient,
  HeloEvent,
  MailFromEvent,
  MessageAbortedEvent,
  MessageChunkEvent,
  MessageEndEvent,
  MessageStartEvent,
  ProtocolErrorEvent,
  RcptToEvent,
  ResetEvent,
  SmtpEnvelope,
  SmtpServerDecision,
  SmtpServerEvent,
  StartTlsEvent,
} from "./server/events.js"
export {
  DEFAULT_MAX_AUTH_FAILURES,
  DEFAULT_MAX_AUTH_LINE_LENGTH,
  DEFAULT_MAX_BAD_COMMANDS,
  DEFAULT_MAX_BUFFERED_INPUT,
  DEFAULT_MAX_COMMAND_LINE_LENGTH,
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_MAX_RECIPIENTS,
  DEFAULT_MAX_REJECTED_RECIPIENTS,
  DEFAULT_MAX_TEXT_LINE_LENGTH,
  type SmtpServerExtensions,
  type SmtpServerOptions,
} from "./server/options.js"
export { ALLOWED_VERBS, type SmtpServerState } from "./server/state.js"
export {
  isPositiveReply,
  isTemporaryReply,
  type Mailbox,
  type SmtpReply,
  type SmtpReplyInput,
} from "./types.js"
export {
  type AuthCommand,
  type BareCommand,
  type BdatCommand,
  formatCommand,
  formatCommandLine,
  type HelloCommand,
  type MailCommand,
  type OptionalArgumentCommand,
  parseCommand,
  type RcptCommand,
  type SmtpCommand,
  type SmtpVerb,
  type VerifyCommand,
} from "./wire/command.js"
export {
  decodeUtf8AddrXtext,
  decodeXtext,
  encodeUtf8AddrXtext,
  encodeXtext,
  isDomain,
  isDotString,
} from "./wire/grammar.js"
export {
  type BodyType,
  type DsnNotify,
  formatMailParameters,
  formatRcptParameters,
  type MailParameters,
  type OriginalRecipient,
  parseMailParameters,
  parseRcptParameters,
  type RcptParameters,
} from "./wire/parameters.js"
export {
  formatMailbox,
  formatPath,
  type ParsedPath,
  type PathOptions,
  parseMailbox,
  parsePath,
} from "./wire/path.js"
export {
  DEFAULT_MAX_REPLY_LINE_LENGTH,
  DEFAULT_MAX_REPLY_LINES,
  formatReply,
  formatReplyText,
  parseReplies,
  ReplyReader,
  type ReplyReaderOptions,
} from "./wire/reply.js"
