/**
 * Protocol errors shared by every mailwire machine (DESIGN §3).
 *
 * - {@link LocalProtocolError}: the caller broke the rules — thrown by `send`,
 *   encoders and builders, before anything reaches the wire.
 * - {@link RemoteProtocolError}: the peer broke them — produced while reading.
 *
 * Each error carries a machine-readable `code` and a {@link ReplyHint}: the reply a
 * server should send back for it in each protocol. A protocol package may build its
 * own errors with its own hints; these classes only carry them.
 */

/** The reply a server sends for an error, per protocol (RFC 5321, RFC 1939, RFC 9051). */
export interface ReplyHint {
  /** An SMTP reply line without CRLF, e.g. `500 5.5.2 Line too long`. */
  readonly smtp?: string
  /** A POP3 response line without CRLF, e.g. `-ERR line too long`. */
  readonly pop3?: string
  /** An IMAP response without tag and CRLF, e.g. `BAD [TOOBIG] Line too long`. */
  readonly imap?: string
}

/** Machine-readable error codes used by `@mailwire/wire` itself. */
export type WireErrorCode =
  | "LINE_TOO_LONG"
  | "BARE_LF"
  | "BARE_CR"
  | "INVALID_STATE"
  | "INVALID_ARGUMENT"

export interface ProtocolErrorOptions {
  readonly hint?: ReplyHint
  readonly cause?: unknown
}

/** Base class of every error a mailwire machine, encoder or parser raises. */
export class ProtocolError extends Error {
  /** A stable, machine-readable identifier such as `LINE_TOO_LONG`. */
  readonly code: string
  /** What a server should answer; empty when the error has no natural reply. */
  readonly hint: ReplyHint

  constructor(code: string, message: string, options: ProtocolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.hint = options.hint ?? {}
  }
}

/** The local side — the application or the caller of an encoder — broke the protocol. */
export class LocalProtocolError extends ProtocolError {}

/** The remote peer broke the protocol; the connection should answer with {@link ProtocolError.hint}. */
export class RemoteProtocolError extends ProtocolError {}

/** Replies for the wire-level errors, used where a protocol does not supply its own. */
export const WIRE_HINTS = {
  LINE_TOO_LONG: {
    smtp: "500 5.5.2 Line too long",
    pop3: "-ERR Line too long",
    imap: "BAD [TOOBIG] Line too long",
  },
  BARE_LF: {
    smtp: "500 5.5.2 Bare <LF> received; lines must end with <CR><LF>",
    pop3: "-ERR Lines must end with CRLF",
    imap: "BAD [CLIENTBUG] Lines must end with CRLF",
  },
  BARE_CR: {
    smtp: "550 5.6.2 Bare <CR> or <LF> in message data",
    pop3: "-ERR Bare CR in data",
    imap: "BAD [CLIENTBUG] Bare CR in data",
  },
} as const satisfies Record<string, ReplyHint>
