/**
 * The typed errors of the Node adapters (DESIGN §3): every failure of a client call
 * rejects its promise with one of these, and a server hook throws {@link SmtpReplyError}
 * to choose its reply. Nothing here is ever emitted as an `'error'` event.
 *
 * - {@link SmtpReplyError}: an SMTP reply that is not positive (RFC 5321 §4.2), with its
 *   basic and enhanced (RFC 3463) status codes.
 * - {@link Pop3ReplyError}: a POP3 `-ERR` (RFC 1939 §3) with its RFC 2449 §8 / RFC 3206
 *   response code.
 * - {@link ConnectionError}: the connection itself failed — it could not be opened, a
 *   timeout fired, TLS failed, the peer closed early or broke the protocol, or a local
 *   policy (TLS required, no password in clear) forbade going on.
 */

/** Why a connection failed; see {@link ConnectionError}. */
export type ConnectionErrorCode =
  /** The TCP connection could not be opened. */
  | "CONNECT"
  /** A timeout fired (see the `stage`). */
  | "TIMEOUT"
  /** The TLS handshake failed, e.g. the certificate was not trusted. */
  | "TLS"
  /** The peer closed the connection before the call finished. */
  | "CLOSED"
  /** The peer sent something that breaks the protocol. */
  | "PROTOCOL"
  /** A local policy stopped the session: TLS required but not offered, no safe login. */
  | "POLICY"
  /** The client or pool was closed by the application. */
  | "ABORTED"

/** The connection failed; `code` says how and `stage` where. */
export class ConnectionError extends Error {
  /** A stable identifier; see {@link ConnectionErrorCode}. */
  readonly code: ConnectionErrorCode
  /** What the connection was doing, e.g. `"greeting"`, `"startTls"`, `"data"`. */
  readonly stage: string

  constructor(code: ConnectionErrorCode, stage: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.name = "ConnectionError"
    this.code = code
    this.stage = stage
  }
}

/**
 * One recipient of a send that no recipient accepted, with the reply that decided for it
 * (RFC 5321 §4.2.5; in LMTP, its own reply after the body, RFC 2033 §4.2).
 */
export interface SmtpRecipientRefusal {
  /** The recipient address as it was sent. */
  readonly recipient: string
  /**
   * Its refusal: the RCPT reply, or the MAIL or end-of-data reply when that refused the
   * whole message; a `ConnectionError` when the server closed before answering it.
   */
  readonly reply: SmtpReplyError | ConnectionError
}

/** Options of {@link SmtpReplyError}. */
export interface SmtpReplyErrorOptions {
  /** An RFC 3463 enhanced status code such as `"5.1.1"`; its class must match `code`. */
  readonly enhancedCode?: string
  /** What the reply answered, e.g. `"RCPT"` or `"DATA"` (informational). */
  readonly command?: string
  /** The reply's lines after the first, for multi-line replies. */
  readonly moreLines?: readonly string[]
  /** Every recipient's refusal, when a send failed because none accepted. */
  readonly rejected?: readonly SmtpRecipientRefusal[]
}

/**
 * A negative SMTP reply (RFC 5321 §4.2: 4yz transient, 5yz permanent). A client call
 * rejects with it; a server hook throws it to answer with this reply.
 *
 * @example
 * ```ts
 * throw new SmtpReplyError(550, "No such user here", { enhancedCode: "5.1.1" })
 * ```
 */
export class SmtpReplyError extends Error {
  /** The basic reply code, 400–599. */
  readonly code: number
  /** The enhanced status code (RFC 3463), or `null`. */
  readonly enhancedCode: string | null
  /** Whether the failure is transient (4yz): trying again later may work. */
  readonly temporary: boolean
  /** The reply's text, one entry per line. */
  readonly lines: readonly string[]
  /** The command the reply answered, when known. */
  readonly command: string | null
  /**
   * When `SmtpClient.send` (or `sendMail`) rejects because no recipient accepted the
   * message: every recipient with its own refusal, in the order they were given, so a
   * `550` for one and a `450` for another are told apart. Empty otherwise.
   */
  readonly rejected: readonly SmtpRecipientRefusal[]

  constructor(code: number, text = "", options: SmtpReplyErrorOptions = {}) {
    if (!Number.isInteger(code) || code < 400 || code > 599) {
      throw new RangeError(`an SMTP error reply needs a 4xx or 5xx code, not ${code}`)
    }
    const lines = [text, ...(options.moreLines ?? [])]
    super(`${code}${options.enhancedCode ? ` ${options.enhancedCode}` : ""} ${lines.join(" ")}`)
    this.name = "SmtpReplyError"
    this.code = code
    this.enhancedCode = options.enhancedCode ?? null
    this.temporary = code < 500
    this.lines = lines
    this.command = options.command ?? null
    this.rejected = options.rejected ?? []
  }
}

/** A POP3 `-ERR` answer (RFC 1939 §3) to a client call. */
export class Pop3ReplyError extends Error {
  /** The response code in brackets (RFC 2449 §8, RFC 3206), e.g. `"IN-USE"`, or `null`. */
  readonly code: string | null
  /** The command that was refused, e.g. `"RETR"`. */
  readonly command: string
  /** The text after `-ERR` and the response code. */
  readonly text: string

  constructor(command: string, code: string | null, text: string) {
    super(`${command}: -ERR ${code === null ? "" : `[${code}] `}${text}`)
    this.name = "Pop3ReplyError"
    this.command = command
    this.code = code
    this.text = text
  }
}
