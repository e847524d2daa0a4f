/**
 * `@mailwire/node/smtp` — SMTP and LMTP over real sockets: {@link createSmtpServer} for
 * receiving mail, {@link createTransport} and {@link SmtpClient} for sending it, with
 * implicit TLS and STARTTLS, AUTH, pipelining, a connection pool, timeouts and typed
 * errors that reject promises.
 *
 * @packageDocumentation
 */
export {
  ConnectionError,
  type ConnectionErrorCode,
  type SmtpRecipientRefusal,
  SmtpReplyError,
  type SmtpReplyErrorOptions,
} from "./errors.js"
export type { ServerLogContext, SmtpLogEntry, SmtpLogEvent } from "./server-log.js"
export {
  replyError,
  SmtpClient,
  type SmtpConnectInfo,
  type SmtpSendRequest,
  type SmtpSendResult,
  type SmtpSendWaiter,
} from "./smtp-client.js"
export {
  DEFAULT_COMMAND_TIMEOUT,
  DEFAULT_CONNECTION_TIMEOUT,
  DEFAULT_DATA_TIMEOUT,
  DEFAULT_GREETING_TIMEOUT,
  DEFAULT_POOL_IDLE_TIMEOUT,
  DEFAULT_POOL_MAX_CONNECTIONS,
  DEFAULT_POOL_MAX_MESSAGES,
  type SmtpClientOptions,
  type TransportOptions,
} from "./smtp-client-options.js"
export type { SmtpEnvelopeSpec } from "./smtp-envelope.js"
export { createSmtpServer, type SmtpServer } from "./smtp-server.js"
export {
  DEFAULT_AUTH_FAILURE_DELAY,
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_SMTP_DATA_TIMEOUT,
  DEFAULT_SMTP_IDLE_TIMEOUT,
  DEFAULT_TLS_HANDSHAKE_TIMEOUT,
  type SmtpAcceptance,
  type SmtpHookResult,
  type SmtpRefusal,
  type SmtpServerEnvelope,
  type SmtpServerHooks,
  type SmtpServerOptions,
  type SmtpSessionInfo,
} from "./smtp-server-options.js"
export {
  type BuiltMessage,
  createTransport,
  type MailMessage,
  type RawMessage,
  type SentMessageInfo,
  type SmtpTransport,
} from "./smtp-transport.js"
export type { ClientTlsOptions, ServerTlsOptions } from "./tls-options.js"
