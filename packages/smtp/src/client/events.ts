/**
 * Events of {@link SmtpClientConnection}, plain objects with a `type` named after the RFC's
 * nouns. Every field is a fresh value the caller may keep.
 */
import type { SaslMechanismName } from "@mailwire/sasl"
import type { RemoteProtocolError } from "@mailwire/wire"
import type { SmtpCapabilities } from "../capabilities.js"
import type { SmtpReply } from "../types.js"

/** The server's `220` greeting (RFC 5321 §4.2, §3.1). */
export interface GreetingEvent {
  readonly type: "greeting"
  readonly reply: SmtpReply
}

/**
 * STARTTLS was accepted (RFC 3207 §4). The machine is paused: upgrade the socket, then call
 * `resumeTls()`. `discarded` holds server bytes that followed the `220` in plaintext;
 * they are never read as replies (RFC 3207 §6, DESIGN §4 invariant 2).
 */
export interface ClientStartTlsEvent {
  readonly type: "startTls"
  readonly discarded: Uint8Array
}

/** The session is ready for mail: greeted, upgraded and authenticated as configured. */
export interface ReadyEvent {
  readonly type: "ready"
  readonly capabilities: SmtpCapabilities
  readonly isSecure: boolean
  /** The SASL mechanism used, or `null` when the client did not authenticate. */
  readonly authenticated: SaslMechanismName | null
}

/**
 * The server is ready for the body of transaction `id` (after `354` to DATA, or after
 * the recipients when BDAT is used): stream it with `writeBody` and `endBody`.
 */
export interface ReadyForBodyEvent {
  readonly type: "readyForBody"
  readonly id: number
}

/** The outcome for one recipient (RFC 5321 §4.2.5; per recipient in LMTP, RFC 2033 §4.2). */
export interface RecipientResult {
  readonly address: string
  readonly accepted: boolean
  /**
   * The reply that decided: the RCPT refusal, or the final reply after the body. When the
   * server never answered (the connection closed or broke), it is a made-up `421 4.4.2`
   * with `synthetic: true`.
   */
  readonly reply: SmtpReply
  /** The failure is transient (4yz): trying again later may work. */
  readonly temporary: boolean
}

/** The outcome of one mail transaction. */
export interface TransactionResult {
  readonly id: number
  readonly recipients: readonly RecipientResult[]
  /** How many recipients accepted the message. */
  readonly acceptedCount: number
}

/** Transaction `id` is over, successfully or not. */
export interface TransactionCompleteEvent {
  readonly type: "transactionComplete"
  readonly result: TransactionResult
}

/**
 * The session cannot go on (a refused greeting, EHLO, STARTTLS or AUTH, or no usable
 * mechanism). `reply` is the server's reply, or `null` when the client refused itself.
 * The client sends QUIT; transactions still queued complete as failed.
 */
export interface SessionFailedEvent {
  readonly type: "sessionFailed"
  readonly stage: "greeting" | "hello" | "startTls" | "auth"
  readonly reply: SmtpReply | null
  readonly message: string
}

/**
 * The server sent bytes that are not a reply, or a reply nobody waits for (RFC 5321
 * §4.2). Events before this one in the same `receive` result stand (a transaction the
 * server completed is complete); the open transactions then fail with a synthetic reply
 * and `closed` follows. Close the socket: the connection cannot be trusted any more.
 */
export interface ClientProtocolErrorEvent {
  readonly type: "protocolError"
  readonly error: RemoteProtocolError
}

/** The connection is over (`221`, `421`, or the server closed): close the socket. */
export interface ClosedEvent {
  readonly type: "closed"
  readonly reply: SmtpReply | null
}

/** Everything {@link SmtpClientConnection} reports. */
export type SmtpClientEvent =
  | GreetingEvent
  | ClientStartTlsEvent
  | ReadyEvent
  | ReadyForBodyEvent
  | TransactionCompleteEvent
  | SessionFailedEvent
  | ClientProtocolErrorEvent
  | ClosedEvent
