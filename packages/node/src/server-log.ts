/**
 * The structured logging hook of {@link createSmtpServer} and {@link createPop3Server}
 * (DESIGN §5): `onLog(entry)` gets one typed, plain-object entry per session event, in
 * order, each with the session id (the one hooks see in `session.id`) and the client's
 * address.
 *
 * What it never carries: a password, a token, a SASL response, an APOP digest or any
 * byte of a message. Entries name the user and the mechanism, the envelope addresses, the
 * reply codes and sizes. A hook that throws is reported to `onError` and the session goes
 * on; it is called synchronously, so a slow hook slows the session down.
 *
 * Entries are fresh objects the hook owns.
 */
import type { Pop3LoginMethod, ClosedEvent as Pop3MachineClose } from "@mailwire/pop3"
import type {
  AuthFailureEvent,
  CloseEvent as SmtpMachineClose,
  SmtpServerEvent,
} from "@mailwire/smtp"

/** What every log entry says about its connection. */
export interface ServerLogContext {
  /** The session id (`smtp-N` / `pop3-N`), as in the hooks' session info. */
  readonly sessionId: string
  /** The client's IP address. */
  readonly remoteAddress: string
}

/**
 * One SMTP/LMTP session event (RFC 5321 §3, RFC 2033), without its context. `code` is the
 * reply code that was sent (RFC 5321 §4.2).
 */
export type SmtpLogEvent =
  /** A client connected (after implicit TLS, RFC 8314 §3.3, when `secure`). */
  | { readonly type: "connect"; readonly remotePort: number; readonly isSecure: boolean }
  /** EHLO, HELO or LHLO (RFC 5321 §4.1.1.1, RFC 2033 §4.1). */
  | { readonly type: "helo"; readonly verb: "EHLO" | "HELO" | "LHLO"; readonly hostname: string }
  /** The STARTTLS handshake finished (RFC 3207 §4.2). */
  | { readonly type: "startTls" }
  /** AUTH succeeded (RFC 4954 §6). */
  | { readonly type: "authSuccess"; readonly mechanism: string; readonly user: string }
  /** AUTH failed (RFC 4954 §6); `failures` counts the failed attempts on this connection. */
  | {
      readonly type: "authFailure"
      readonly mechanism: string
      readonly reason: AuthFailureEvent["reason"]
      readonly failures: number
    }
  /** MAIL FROM answered (RFC 5321 §4.1.1.2); `address` is `""` for `<>`. */
  | {
      readonly type: "mailFrom"
      readonly address: string
      readonly accepted: boolean
      readonly code: number
    }
  /** RCPT TO answered (RFC 5321 §4.1.1.3). */
  | {
      readonly type: "rcptTo"
      readonly address: string
      readonly accepted: boolean
      readonly code: number
    }
  /**
   * The end of a message answered (RFC 5321 §4.1.1.4, RFC 3030 §2): `size` body bytes.
   * In LMTP, `accepted` is true when at least one recipient took it and `code` is the
   * first recipient's reply (RFC 2033 §4.2).
   */
  | {
      readonly type: "message"
      readonly accepted: boolean
      readonly code: number
      readonly size: number
      readonly from: string
      readonly recipients: number
    }
  /** The client broke the protocol and got its error reply (a `RemoteProtocolError`). */
  | { readonly type: "protocolError"; readonly code: string; readonly message: string }
  /**
   * The connection is over: the machine's close reason, `"refused"` when `onConnect`
   * refused the client, or `"disconnected"` when the socket went away first (the client
   * hung up or reset, a TLS or socket error).
   */
  | {
      readonly type: "close"
      readonly reason: SmtpMachineClose["reason"] | "refused" | "disconnected"
    }

/** An entry of `createSmtpServer`'s `onLog`. */
export type SmtpLogEntry = ServerLogContext & SmtpLogEvent

/** The log line of a machine event that is one by itself, or `null`. */
export function smtpLogEvent(event: SmtpServerEvent): SmtpLogEvent | null {
  switch (event.type) {
    case "helo":
      return { type: "helo", verb: event.verb, hostname: event.domain }
    case "authenticated":
      return { type: "authSuccess", mechanism: event.mechanism, user: event.username }
    case "authFailure": {
      const { mechanism, reason, failures } = event
      return { type: "authFailure", mechanism, reason, failures }
    }
    case "protocolError":
      return { type: "protocolError", code: event.error.code, message: event.error.message }
    default:
      return null
  }
}

/** One POP3 session event (RFC 1939), without its context. */
export type Pop3LogEvent =
  /** A client connected (after implicit TLS, RFC 8314 §3.3, when `secure`). */
  | { readonly type: "connect"; readonly remotePort: number; readonly isSecure: boolean }
  /** The STLS handshake finished (RFC 2595 §4). */
  | { readonly type: "startTls" }
  /** A login succeeded and the maildrop is open (RFC 1939 §4). */
  | {
      readonly type: "loginSuccess"
      readonly user: string
      readonly method: Pop3LoginMethod
      readonly mechanism: string | null
      readonly messages: number
    }
  /**
   * A login failed (RFC 1939 §7): wrong credentials (`"invalid-credentials"`), the
   * maildrop refused (`"maildrop"`: locked, login delay), or the check failed
   * (`"unavailable"`). `user` is the name the client gave, `""` when none was readable.
   */
  | {
      readonly type: "loginFailure"
      readonly user: string
      readonly method: Pop3LoginMethod
      readonly reason: "invalid-credentials" | "maildrop" | "unavailable"
    }
  /** RETR or TOP (RFC 1939 §7) of message `number` (`size` octets), sent or failed. */
  | {
      readonly type: "retrieve"
      readonly command: "RETR" | "TOP"
      readonly number: number
      readonly size: number
      readonly ok: boolean
    }
  /** QUIT in TRANSACTION (RFC 1939 §6): `deleted` messages removed, or `ok: false`. */
  | {
      readonly type: "commit"
      readonly user: string
      readonly deleted: number
      readonly ok: boolean
    }
  /**
   * The connection is over: the machine's close reason, or `"disconnected"` when the
   * socket went away first.
   */
  | {
      readonly type: "close"
      readonly reason: Pop3MachineClose["reason"] | "disconnected"
    }

/** An entry of `createPop3Server`'s `onLog`. */
export type Pop3LogEntry = ServerLogContext & Pop3LogEvent

/**
 * Writes entries to an `onLog` hook for one session; a hook that throws goes to
 * `report` (the server's `onError`) and never to the session.
 */
export class SessionLog<E extends { readonly type: string }> {
  constructor(
    private readonly hook: ((entry: ServerLogContext & E) => void) | undefined,
    private readonly context: () => ServerLogContext,
    private readonly report: (error: unknown) => void,
  ) {}

  /** Whether a hook listens (so callers can skip building entries). */
  get isOn(): boolean {
    return this.hook !== undefined
  }

  write(event: E): void {
    if (this.hook === undefined) return
    try {
      this.hook({ ...this.context(), ...event })
    } catch (error) {
      this.report(error)
    }
  }
}
