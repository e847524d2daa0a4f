/**
 * Options of {@link SmtpServerConnection}: policy (which extensions to offer, LMTP or
 * SMTP, AUTH rules) and limits, each with a named default and the reason for its value.
 * Nothing here opens a socket or reads a clock.
 */
import { type SaslMechanismName, SCRAM_MIN_SECRET_LENGTH } from "@mailwire/sasl"
import type { BareLineEndingPolicy } from "@mailwire/wire"

/**
 * 2,048 bytes per command line, CRLF included: Postfix's `line_length_limit` default.
 * RFC 5321 §4.5.3.1.4 sets 512, and RFC 1869 §4.1.2 lets each MAIL/RCPT parameter add
 * more (DSN's ORCPT and ENVID alone can add several hundred).
 */
export const DEFAULT_MAX_COMMAND_LINE_LENGTH = 2048
/**
 * 12,288 bytes for AUTH commands and SASL response lines: RFC 4954 §4 asks servers to
 * accept at least this much, which OAuth tokens in XOAUTH2 need.
 */
export const DEFAULT_MAX_AUTH_LINE_LENGTH = 12288
/**
 * 1,000 bytes per message text line in DATA, CRLF included (RFC 5321 §4.5.3.1.6). BDAT
 * bodies are not split into lines and are not checked.
 */
export const DEFAULT_MAX_TEXT_LINE_LENGTH = 1000
/** 10,240,000 bytes per message, announced with SIZE: Postfix's `message_size_limit`. */
export const DEFAULT_MAX_MESSAGE_SIZE = 10_240_000
/** 100 recipients per message: the minimum RFC 5321 §4.5.3.1.8 requires a server to take. */
export const DEFAULT_MAX_RECIPIENTS = 100
/**
 * 20 bad commands before `421` and close: Postfix's `smtpd_hard_error_limit`. A real
 * client makes one or two; a scanner or a client speaking another protocol makes many.
 */
export const DEFAULT_MAX_BAD_COMMANDS = 20
/**
 * 20 recipients refused by the application before `421 4.7.0` and close: Postfix counts
 * each rejected RCPT toward `smtpd_hard_error_limit` (default 20). A sender with a few
 * stale addresses stays well under it; a connection probing for valid mailboxes (a
 * directory harvest) is cut off after 20 guesses instead of guessing forever.
 */
export const DEFAULT_MAX_REJECTED_RECIPIENTS = 20
/**
 * 3 failed AUTH attempts before `421` and close (DESIGN §4 invariant 7): enough for a
 * mistyped password, too few for guessing.
 */
export const DEFAULT_MAX_AUTH_FAILURES = 3

/**
 * 1 MiB of input held while a decision is pending. Pipelined commands wait in order behind
 * an unanswered decision (RFC 2920 §3.1); an adapter should stop reading the socket while
 * `isWaiting`, and then holds at most the one or two socket reads (64 KiB each in Node)
 * already in flight. The limit is for an adapter that keeps feeding anyway: past it the
 * client is sending far more than any pipeline of commands, so the server answers `421`
 * and closes instead of holding a whole message in memory.
 */
export const DEFAULT_MAX_BUFFERED_INPUT = 1_048_576

/** Which extensions the server announces in its EHLO/LHLO reply (RFC 5321 §4.1.1.1). */
export interface SmtpServerExtensions {
  /** PIPELINING, RFC 2920. Default true. */
  readonly pipelining?: boolean
  /** 8BITMIME, RFC 6152. Default true. */
  readonly eightBitMime?: boolean
  /** CHUNKING (BDAT), RFC 3030. Default true. */
  readonly chunking?: boolean
  /** BINARYMIME, RFC 3030 (only with chunking). Default true. */
  readonly binaryMime?: boolean
  /** SMTPUTF8, RFC 6531. Default true. */
  readonly smtpUtf8?: boolean
  /** DSN, RFC 3461. Default true. */
  readonly dsn?: boolean
  /** ENHANCEDSTATUSCODES, RFC 2034: replies carry RFC 3463 codes. Default true. */
  readonly enhancedStatusCodes?: boolean
  /** REQUIRETLS, RFC 8689, announced only once the connection is secure. Default true. */
  readonly requireTls?: boolean
  /**
   * STARTTLS, RFC 3207. Default false: turn it on only when the adapter can upgrade the
   * socket (it then answers `startTls` events with `resumeTls()`).
   */
  readonly startTls?: boolean
}

/** Options of {@link SmtpServerConnection}. All fields are optional. */
export interface SmtpServerOptions {
  /** The server's name in the greeting and EHLO reply. Default `"localhost"`. */
  readonly hostname?: string
  /** Speak LMTP (RFC 2033): LHLO instead of EHLO/HELO, one reply per recipient. */
  readonly lmtp?: boolean
  /** The connection is already under TLS (implicit TLS, RFC 8314 §3.3). Default false. */
  readonly isSecure?: boolean
  /** Text after `220 hostname` in the greeting. Default `"ESMTP ready"` (`"LMTP ready"`). */
  readonly greeting?: string
  readonly extensions?: SmtpServerExtensions
  /** SASL mechanisms offered with AUTH (RFC 4954). Default none: no AUTH. */
  readonly authMechanisms?: readonly SaslMechanismName[]
  /** Offer AUTH on a connection without TLS (DESIGN §4 invariant 3). Default false. */
  readonly allowInsecureAuth?: boolean
  /** MAIL is refused with `530 5.7.0` until the client has authenticated. Default false. */
  readonly requireAuth?: boolean
  /**
   * Bare CR or LF in DATA (DESIGN §4 invariant 1): `"normalize"` (default, each becomes
   * CRLF), `"reject"` (`550 5.6.2` at the end of data), or `"accept"`.
   */
  readonly bareLineEndings?: BareLineEndingPolicy
  /** Random bytes for SASL nonces. Default `crypto.getRandomValues`. */
  readonly random?: (length: number) => Uint8Array
  /** The clock for SASL mechanisms that need one. Default `Date.now`. */
  readonly now?: () => number
  /**
   * The key (at least `SCRAM_MIN_SECRET_LENGTH`, 16 bytes) of the made-up salt SCRAM
   * answers for an unknown user, so it stays the same across restarts and across servers
   * behind one name, and does not reveal which users exist (RFC 5802 §9). Default:
   * `@mailwire/sasl`'s secret, random once per JavaScript realm.
   */
  readonly scramUnknownUserSecret?: Uint8Array
  /** Default {@link DEFAULT_MAX_COMMAND_LINE_LENGTH}. */
  readonly maxCommandLineLength?: number
  /** Default {@link DEFAULT_MAX_AUTH_LINE_LENGTH}. */
  readonly maxAuthLineLength?: number
  /** Default {@link DEFAULT_MAX_TEXT_LINE_LENGTH}. */
  readonly maxTextLineLength?: number
  /** Bytes per message, after unstuffing; `0` for no limit. Default {@link DEFAULT_MAX_MESSAGE_SIZE}. */
  readonly maxMessageSize?: number
  /** Default {@link DEFAULT_MAX_RECIPIENTS}. */
  readonly maxRecipients?: number
  /** Default {@link DEFAULT_MAX_BAD_COMMANDS}. */
  readonly maxBadCommands?: number
  /** Default {@link DEFAULT_MAX_AUTH_FAILURES}. */
  readonly maxAuthFailures?: number
  /**
   * RCPT decisions the application may refuse on one connection (4xx or 5xx, across
   * transactions); the next refusal is followed by `421 4.7.0` and close (`close` reason
   * `too-many-rejected-recipients`). Default {@link DEFAULT_MAX_REJECTED_RECIPIENTS}.
   */
  readonly maxRejectedRecipients?: number
  /**
   * Bytes held unread while a decision is pending; more closes the connection with `421`.
   * Default {@link DEFAULT_MAX_BUFFERED_INPUT}.
   */
  readonly maxBufferedInput?: number
}

/** Options with every default filled in. */
export interface ResolvedServerOptions {
  readonly hostname: string
  readonly lmtp: boolean
  readonly greeting: string
  readonly extensions: Required<SmtpServerExtensions>
  readonly authMechanisms: readonly SaslMechanismName[]
  readonly allowInsecureAuth: boolean
  readonly requireAuth: boolean
  readonly bareLineEndings: BareLineEndingPolicy
  readonly random: ((length: number) => Uint8Array) | undefined
  readonly now: (() => number) | undefined
  readonly scramUnknownUserSecret: Uint8Array | undefined
  readonly maxCommandLineLength: number
  readonly maxAuthLineLength: number
  readonly maxTextLineLength: number
  readonly maxMessageSize: number
  readonly maxRecipients: number
  readonly maxBadCommands: number
  readonly maxAuthFailures: number
  readonly maxRejectedRecipients: number
  readonly maxBufferedInput: number
}

/** Throws a `RangeError` for an option no default can stand in for (a short SCRAM secret). */
export function checkServerOptions(options: SmtpServerOptions): void {
  const secret = options.scramUnknownUserSecret
  if (secret !== undefined && secret.length < SCRAM_MIN_SECRET_LENGTH) {
    throw new RangeError(
      `scramUnknownUserSecret needs at least ${SCRAM_MIN_SECRET_LENGTH} bytes, not ${secret.length}`,
    )
  }
}

/** Fills in every default of {@link SmtpServerOptions}. */
export function resolveServerOptions(options: SmtpServerOptions): ResolvedServerOptions {
  checkServerOptions(options)
  const ext = options.extensions ?? {}
  const lmtp = options.lmtp ?? false
  return {
    hostname: options.hostname ?? "localhost",
    lmtp,
    greeting: options.greeting ?? (lmtp ? "LMTP ready" : "ESMTP ready"),
    extensions: {
      pipelining: ext.pipelining ?? true,
      eightBitMime: ext.eightBitMime ?? true,
      chunking: ext.chunking ?? true,
      binaryMime: (ext.binaryMime ?? true) && (ext.chunking ?? true),
      smtpUtf8: ext.smtpUtf8 ?? true,
      dsn: ext.dsn ?? true,
      enhancedStatusCodes: ext.enhancedStatusCodes ?? true,
      requireTls: ext.requireTls ?? true,
      startTls: ext.startTls ?? false,
    },
    authMechanisms: options.authMechanisms ?? [],
    allowInsecureAuth: options.allowInsecureAuth ?? false,
    requireAuth: options.requireAuth ?? false,
    bareLineEndings: options.bareLineEndings ?? "normalize",
    random: options.random,
    now: options.now,
    scramUnknownUserSecret: options.scramUnknownUserSecret,
    maxCommandLineLength: options.maxCommandLineLength ?? DEFAULT_MAX_COMMAND_LINE_LENGTH,
    maxAuthLineLength: options.maxAuthLineLength ?? DEFAULT_MAX_AUTH_LINE_LENGTH,
    maxTextLineLength: options.maxTextLineLength ?? DEFAULT_MAX_TEXT_LINE_LENGTH,
    maxMessageSize: options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
    maxRecipients: options.maxRecipients ?? DEFAULT_MAX_RECIPIENTS,
    maxBadCommands: options.maxBadCommands ?? DEFAULT_MAX_BAD_COMMANDS,
    maxAuthFailures: options.maxAuthFailures ?? DEFAULT_MAX_AUTH_FAILURES,
    maxRejectedRecipients: options.maxRejectedRecipients ?? DEFAULT_MAX_REJECTED_RECIPIENTS,
    maxBufferedInput: options.maxBufferedInput ?? DEFAULT_MAX_BUFFERED_INPUT,
  }
}
