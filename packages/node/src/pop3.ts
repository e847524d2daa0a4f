/**
 * `@mailwire/node/pop3` — POP3 over real sockets: {@link createPop3Server} over any
 * `MaildropStore`, and {@link Pop3Client}, with implicit TLS and STLS, timeouts and
 * typed errors that reject promises.
 *
 * @packageDocumentation
 */
export { ConnectionError, type ConnectionErrorCode, Pop3ReplyError } from "./errors.js"
export {
  Pop3Client,
  type Pop3ClientOptions,
  type Pop3ConnectInfo,
  pop3ClientOptionsSchema,
} from "./pop3-client.js"
export { createPop3Server, type Pop3Server } from "./pop3-server.js"
export {
  DEFAULT_POP3_IDLE_TIMEOUT,
  type Pop3ServerHooks,
  type Pop3ServerOptions,
  type Pop3SessionInfo,
} from "./pop3-server-options.js"
export type { Pop3LogEntry, Pop3LogEvent, ServerLogContext } from "./server-log.js"
export type { ClientTlsOptions, ServerTlsOptions } from "./tls-options.js"
