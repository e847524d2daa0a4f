/**
 * The events the POP3 server machine hands to the application (DESIGN §2). Four of them
 * wait for a decision — `Authenticate`, `OpenMaildrop`, `Retrieve` and `Commit` — and are
 * answered with a call on the connection whenever the application is ready; input that
 * arrives meanwhile waits, in order.
 *
 * Events are plain objects. They hold strings and numbers only, no byte views, so they
 * stay valid for as long as the application keeps them.
 */
import type { SaslMechanismName, VerificationRequest } from "@mailwire/sasl"
import type { RemoteProtocolError } from "@mailwire/wire"

/** How a client is logging in: `USER`/`PASS` and `APOP` (RFC 1939 §7), or `AUTH` (RFC 5034). */
export type Pop3LoginMethod = "USER" | "APOP" | "AUTH"

/**
 * What the application must check for a login (RFC 1939 §7, RFC 5034 §4). SASL requests
 * are `@mailwire/sasl`'s own; `USER`/`PASS` asks for a password check like PLAIN does, and
 * APOP asks for the shared secret like CRAM-MD5 does, so one verifier serves all.
 * - `{ kind: "password", mechanism: "USER" }` → answer `true` or `false`.
 * - `{ kind: "secret", mechanism: "APOP" }` → answer `{ password }` (the shared secret) or `null`.
 */
export type Pop3VerificationRequest =
  | VerificationRequest
  | {
      readonly kind: "password"
      readonly mechanism: "USER"
      readonly username: string
      readonly password: string
      readonly authzid: null
    }
  | { readonly kind: "secret"; readonly mechanism: "APOP"; readonly username: string }

/** A login to check (RFC 1939 §7, RFC 5034 §4). Answer with `answerAuthenticate` or `reject`. */
export interface AuthenticateEvent {
  readonly type: "Authenticate"
  readonly id: number
  readonly method: Pop3LoginMethod
  readonly request: Pop3VerificationRequest
}

/**
 * The user is authenticated; open (and lock) the maildrop (RFC 1939 §4). Answer with
 * `openMaildrop(ev, messages)`, or `reject(ev, { code: "IN-USE" })` /
 * `{ code: "LOGIN-DELAY" }` (RFC 2449 §8.1, §8.2).
 */
export interface OpenMaildropEvent {
  readonly type: "OpenMaildrop"
  readonly id: number
  readonly username: string
  /** The SASL authorization identity, when the client asked to act as someone else. */
  readonly authzid: string | null
  readonly method: Pop3LoginMethod
  readonly mechanism: SaslMechanismName | null
}

/** One message of the opened maildrop, as the server lists it (RFC 1939 §5, §7). */
export interface Pop3MessageInfo {
  readonly number: number
  readonly uid: string
  readonly size: number
}

/**
 * `RETR` or `TOP` (RFC 1939 §7): stream the message with `messageData` and finish with
 * `messageEnd`, or `reject` before the first byte. For `TOP` the machine cuts the message
 * after the header and `lines` body lines itself; `messageData` returns `false` once it
 * needs nothing more.
 */
export interface RetrieveEvent {
  readonly type: "Retrieve"
  readonly id: number
  readonly command: "RETR" | "TOP"
  readonly message: Pop3MessageInfo
  /** `TOP`'s line count, `null` for `RETR`. */
  readonly lines: number | null
  /** The client enabled UTF-8 mode (RFC 6856 §2); otherwise the app may down-convert. */
  readonly utf8: boolean
}

/**
 * `QUIT` in TRANSACTION: the UPDATE state (RFC 1939 §6). Delete `deleted` (UIDs; it may
 * be empty), release the maildrop, then answer `commit(ev)`, or `reject(ev)` if some
 * could not be removed. This is the only event that ever deletes mail.
 */
export interface CommitEvent {
  readonly type: "Commit"
  readonly id: number
  readonly username: string
  readonly deleted: readonly string[]
}

/** The client sent `STLS` and got `+OK`: upgrade the socket, then call `resumeAfterTls()` (RFC 2595 §4). */
export interface StartTlsEvent {
  readonly type: "StartTls"
}

/** The client sent something the server answered with `-ERR` as a protocol error (for logs). */
export interface CommandErrorEvent {
  readonly type: "CommandError"
  readonly error: RemoteProtocolError
}

/**
 * The session is over; close the socket after writing the output. When `maildropOpen` is
 * true the session ended without `QUIT` (the peer closed, or a limit was hit, such as
 * `too-much-input`: more held input than `maxBufferedInput` allows, or `shutdown()`): release
 * the maildrop and delete nothing (RFC 1939 §6).
 */
export interface ClosedEvent {
  readonly type: "Closed"
  readonly reason:
    | "quit"
    | "peer-closed"
    | "too-many-bad-commands"
    | "too-many-failed-logins"
    | "retrieve-aborted"
    | "too-much-input"
    /** `shutdown()` was called (`-ERR [SYS/TEMP]` queued). */
    | "shutdown"
  readonly maildropOpen: boolean
}

/** Every event of `Pop3ServerConnection`. */
export type Pop3ServerEvent =
  | AuthenticateEvent
  | OpenMaildropEvent
  | RetrieveEvent
  | CommitEvent
  | StartTlsEvent
  | CommandErrorEvent
  | ClosedEvent

/** The events that wait for an answer on the connection. */
export type Pop3DecisionEvent = AuthenticateEvent | OpenMaildropEvent | RetrieveEvent | CommitEvent

/** A negative answer to a decision event: an optional RFC 2449 response code and text. */
export interface Pop3Rejection {
  readonly code?: "IN-USE" | "LOGIN-DELAY" | "SYS/TEMP" | "SYS/PERM" | "AUTH" | (string & {})
  readonly text?: string
}
