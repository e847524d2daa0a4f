/**
 * `@mailwire/pop3` — POP3 (RFC 1939) client and server as sans-I/O state machines, with
 * its extensions:
 *
 * - CAPA (RFC 2449): TOP, UIDL, USER, SASL, RESP-CODES, PIPELINING, EXPIRE,
 *   LOGIN-DELAY, IMPLEMENTATION
 * - AUTH-RESP-CODE (RFC 3206): `[AUTH]`, `[SYS/TEMP]`, `[SYS/PERM]`
 * - STLS (RFC 2595)
 * - AUTH with SASL and initial response (RFC 5034), through `@mailwire/sasl`
 * - UTF8 (RFC 6856)
 * - APOP (RFC 1939 §7)
 *
 * {@link Pop3ServerConnection} and {@link Pop3ClientConnection} take bytes and give back
 * events and bytes; nothing here opens a socket, keeps time or touches a file, so it runs
 * in Node, Deno, Bun, browsers and Workers. {@link MaildropStore} is the backend
 * interface a store implements; {@link InMemoryMaildropStore} ships for tests, and
 * {@link MaildropResponder} answers a server's events from any store.
 *
 * @example
 * ```ts
 * import { Pop3ClientConnection } from "@mailwire/pop3"
 *
 * const client = new Pop3ClientConnection({ isSecure: true })
 * client.receive(new TextEncoder().encode("+OK POP3 ready\r\n"))
 * client.login({ username: "alice", password: "secret" })
 * console.log(new TextDecoder().decode(client.takeOutput())) // USER alice
 * ```
 *
 * @packageDocumentation
 */
export { apopDigest } from "./apop.js"
export type { Pop3Capabilities, Pop3Policy } from "./capabilities.js"
export {
  CAP_AUTH_RESP_CODE,
  CAP_EXPIRE,
  CAP_IMPLEMENTATION,
  CAP_LOGIN_DELAY,
  CAP_PIPELINING,
  CAP_RESP_CODES,
  CAP_SASL,
  CAP_STLS,
  CAP_TOP,
  CAP_UIDL,
  CAP_USER,
  CAP_UTF8,
  formatCapabilities,
  NO_CAPABILITIES,
  parseCapabilities,
} from "./capabilities.js"
export type { Pop3ClientCommand, Pop3ClientCommandName, Pop3ReplyData } from "./client/commands.js"
export { AUTH_LINE_LIMIT } from "./client/commands.js"
export type { Pop3ClientOptions } from "./client/connection.js"
export { DEFAULT_MAX_LISTING_LINES, Pop3ClientConnection } from "./client/connection.js"
export type {
  ConnectionClosedEvent,
  ErrEvent,
  GreetingEvent,
  MessageDataEvent,
  OkEvent,
  Pop3ClientEvent,
} from "./client/events.js"
export type { Pop3LoginChoice, Pop3LoginContext } from "./client/login.js"
export { chooseLoginMethod } from "./client/login.js"
export type { Pop3ClientState } from "./client/state.js"
export type { Pop3ErrorCode } from "./errors.js"
export { md5 } from "./md5.js"
export type { MessageDataOptions } from "./server/connection.js"
export { Pop3ServerConnection } from "./server/connection.js"
export type {
  AuthenticateEvent,
  ClosedEvent,
  CommandErrorEvent,
  CommitEvent,
  OpenMaildropEvent,
  Pop3DecisionEvent,
  Pop3LoginMethod,
  Pop3MessageInfo,
  Pop3Rejection,
  Pop3ServerEvent,
  Pop3VerificationRequest,
  RetrieveEvent,
  StartTlsEvent,
} from "./server/events.js"
export type {
  Maildrop,
  MaildropListing,
  MaildropMessageNow,
  MaildropRefusal,
  MaildropStore,
} from "./server/maildrop.js"
export { InMemoryMaildropStore, isMaildropRefusal } from "./server/maildrop.js"
export type { Pop3ServerOptions } from "./server/options.js"
export {
  DEFAULT_MAX_BAD_COMMANDS,
  DEFAULT_MAX_BUFFERED_INPUT,
  DEFAULT_MAX_FAILED_LOGINS,
} from "./server/options.js"
export type { MaildropResponderOptions } from "./server/responder.js"
export { MaildropResponder } from "./server/responder.js"
export type { Pop3CommandName, Pop3ServerState } from "./server/state.js"
export type {
  Pop3ResponseCode,
  ScanListing,
  StatData,
  UniqueIdListing,
} from "./types.js"
export { DEFAULT_POP3_MAX_LINE_LENGTH } from "./wire/grammar.js"
