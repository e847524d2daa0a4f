/**
 * Events of {@link SmtpServerConnection}. Each is a plain object with a `type` named after
 * the RFC's noun. Decision events (`helo`, `auth`, `mailFrom`, `rcptTo`, `messageEnd`) wait
 * for the application's answer — a call on the connection with the same event object —
 * and hold every later command until then.
 *
 * Lifetimes: `messageChunk.bytes` is a view of the received chunk (or the reader's
 * buffer) and is valid only until the next call on the connection; copy it to keep it.
 * `startTls.discarded` is a fresh copy. Every other field is a fresh value.
 */
import type { SaslMechanismName, VerificationRequest } from "@mailwire/sasl"
import type { RemoteProtocolError } from "@mailwire/wire"
import type { Mailbox, SmtpReplyInput } from "../types.js"
import type { MailParameters, RcptParameters } from "../wire/parameters.js"

/** A recipient of the current transaction (RFC 5321 §4.1.1.3). */
export interface EnvelopeRecipient {
  readonly to: Mailbox
  readonly parameters: RcptParameters
}

/** The envelope of a mail transaction (RFC 5321 §3.3). */
export interface SmtpEnvelope {
  /** `null` for the null reverse path `<>`. */
  readonly from: Mailbox | null
  readonly parameters: MailParameters
  /** The recipients accepted so far, in order. */
  readonly recipients: readonly EnvelopeRecipient[]
}

/** EHLO, HELO or LHLO (RFC 5321 §4.1.1.1, RFC 2033 §4.1). Decision: `accept` / `reject`. */
export interface HeloEvent {
  readonly type: "helo"
  readonly verb: "EHLO" | "HELO" | "LHLO"
  readonly domain: string
}

/**
 * STARTTLS was accepted and `220` queued (RFC 3207 §4). The machine is paused: write the
 * output, upgrade the socket, then call `resumeTls()`. `discarded` holds the bytes the
 * client sent after STARTTLS in plaintext; they are never processed (RFC 3207 §6).
 */
export interface StartTlsEvent {
  readonly type: "startTls"
  readonly discarded: Uint8Array
}

/**
 * The SASL exchange needs the application (RFC 4954 §4): check the password, look up the
 * secret or SCRAM credentials, or check a token. Decision: `answerAuth(event, answer)`.
 */
export interface AuthEvent {
  readonly type: "auth"
  readonly mechanism: SaslMechanismName
  readonly request: VerificationRequest
}

/** AUTH succeeded and `235` was queued (RFC 4954 §6). */
export interface AuthenticatedEvent {
  readonly type: "authenticated"
  readonly mechanism: SaslMechanismName
  readonly username: string
  readonly authzid: string | null
}

/**
 * AUTH failed (RFC 4954 §6). `failures` counts the failed attempts on this connection.
 * `temporary`: the application rejected the `auth` decision with a 4xx (such as
 * `454 4.7.0`), which was sent as it is and is not counted.
 */
export interface AuthFailureEvent {
  readonly type: "authFailure"
  readonly mechanism: string
  readonly reason: "cancelled" | "malformed" | "invalid-credentials" | "unsupported" | "temporary"
  readonly failures: number
}

/** MAIL FROM (RFC 5321 §4.1.1.2), already checked against the offered extensions. */
export interface MailFromEvent {
  readonly type: "mailFrom"
  readonly from: Mailbox | null
  readonly parameters: MailParameters
}

/** RCPT TO (RFC 5321 §4.1.1.3), already checked against the limits. */
export interface RcptToEvent {
  readonly type: "rcptTo"
  readonly to: Mailbox
  readonly parameters: RcptParameters
  readonly envelope: SmtpEnvelope
}

/** The body begins: after `354` to DATA, or with the first BDAT chunk (RFC 3030 §2). */
export interface MessageStartEvent {
  readonly type: "messageStart"
  readonly transfer: "DATA" | "BDAT"
  readonly envelope: SmtpEnvelope
}

/** A piece of the body: unstuffed for DATA, as sent for BDAT. See the lifetime note. */
export interface MessageChunkEvent {
  readonly type: "messageChunk"
  readonly bytes: Uint8Array
}

/**
 * The whole body was received. Decision: `accept(event)` / `reject(event, reply)`, or in
 * LMTP `answerMessage(event, replies)` with one reply per recipient (RFC 2033 §4.2).
 */
export interface MessageEndEvent {
  readonly type: "messageEnd"
  readonly envelope: SmtpEnvelope
  /** Body bytes received (after unstuffing). */
  readonly size: number
}

/**
 * The body that `messageStart` began will not end with `messageEnd`: the machine has
 * already queued `reply` (or the peer closed). Drop what was stored.
 */
export interface MessageAbortedEvent {
  readonly type: "messageAborted"
  readonly reason: "size" | "line-length" | "bare-line-ending" | "reset" | "closed"
  readonly reply: SmtpReplyInput | null
}

/** A mail transaction was dropped by RSET, a new EHLO/HELO, or STARTTLS (RFC 5321 §4.1.1.5). */
export interface ResetEvent {
  readonly type: "reset"
}

/**
 * The client broke the protocol (unknown command, bad syntax, wrong order, line too
 * long). The reply in `error.hint.smtp` has already been queued; the connection goes on.
 */
export interface ProtocolErrorEvent {
  readonly type: "protocolError"
  readonly error: RemoteProtocolError
}

/**
 * The connection is over: write the output, then close the socket. `reason` says why:
 * the client's QUIT (`221` queued), too many errors or failed AUTH attempts (`421`
 * queued), more refused recipients than `maxRejectedRecipients` (`421` queued, after the
 * refusal), `shutdown()` (`421` queued), more input held behind a pending decision than
 * `maxBufferedInput` allows (`421` queued), or the peer closed.
 */
export interface CloseEvent {
  readonly type: "close"
  readonly reason:
    | "quit"
    | "too-many-errors"
    | "too-many-auth-failures"
    | "too-many-rejected-recipients"
    | "shutdown"
    | "too-much-input"
    | "peer-closed"
}

/** Everything {@link SmtpServerConnection} reports. */
export type SmtpServerEvent =
  | HeloEvent
  | StartTlsEvent
  | AuthEvent
  | AuthenticatedEvent
  | AuthFailureEvent
  | MailFromEvent
  | RcptToEvent
  | MessageStartEvent
  | MessageChunkEvent
  | MessageEndEvent
  | MessageAbortedEvent
  | ResetEvent
  | ProtocolErrorEvent
  | CloseEvent

/** The events that wait for an answer. */
export type SmtpServerDecision =
  | HeloEvent
  | AuthEvent
  | MailFromEvent
  | RcptToEvent
  | MessageEndEvent
