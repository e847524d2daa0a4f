/**
 * Options of {@link createSmtpServer}, as a zod schema with the adapter's defaults, and
 * the hook types an application implements. Every limit has a named default with the
 * reason for its value; protocol limits (line length, recipients, bad commands) are the
 * `@mailwire/smtp` machine's and keep its defaults when not given.
 */
import { hostname as osHostname } from "node:os"
import type { Readable } from "node:stream"
import type { VerificationAnswer, VerificationRequest } from "@mailwire/sasl"
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  type MailParameters,
  type RcptParameters,
  type SmtpEnvelope,
} from "@mailwire/smtp"
import { z } from "zod"
import type { SmtpReplyError } from "./errors.js"
import { countOption, functionOption, scramSecretOption, timeoutOption } from "./options.js"
import type { SmtpLogEntry } from "./server-log.js"
import { serverTlsSchema } from "./tls-options.js"

/**
 * 300,000 ms without a byte from the client before `421` and close: the server
 * timeout RFC 5321 §4.5.3.2.7 asks for ("at least 5 minutes").
 */
export const DEFAULT_SMTP_IDLE_TIMEOUT = 300_000
/**
 * 120,000 ms for the application to read the message stream and settle `onData`,
 * then `451 4.4.2`. Well under the 10 minutes a client waits for the reply after the
 * end of data (RFC 5321 §4.5.3.2.6), so the client hears a temporary failure and
 * retries instead of timing out with the message in doubt (smtp-server #144, #190).
 */
export const DEFAULT_SMTP_DATA_TIMEOUT = 120_000
/** 30,000 ms for a TLS handshake (implicit TLS or STARTTLS): a slow phone link needs a few seconds. */
export const DEFAULT_TLS_HANDSHAKE_TIMEOUT = 30_000
/**
 * 100 simultaneous connections, then `421 4.7.0` to the next one: Postfix's
 * `default_process_limit`, enough for a busy small site and a cap on a flood.
 */
export const DEFAULT_MAX_CONNECTIONS = 100
/**
 * 1,000 ms times the number of failed AUTH attempts before the failure reply goes out
 * (DESIGN §4 invariant 7): Postfix's `smtpd_error_sleep_time` is 1 s. A person who
 * mistypes waits a second or two; a guessing script gets three slow tries per connection.
 */
export const DEFAULT_AUTH_FAILURE_DELAY = 1_000
/** 10,000 ms after `close()` for sessions to finish their goodbye before they are destroyed. */
export const DEFAULT_CLOSE_TIMEOUT = 10_000

/** What a hook learns about the connection. Fields change as the session goes on. */
export interface SmtpSessionInfo {
  /** A unique id for logs. */
  readonly id: string
  readonly remoteAddress: string
  readonly remotePort: number
  /** The client's name from a reverse DNS lookup, when `reverseLookup` is on. */
  readonly reverseName: string | null
  /** Whether the connection is under TLS (implicit, or after STARTTLS). */
  readonly isSecure: boolean
  /** The name the client gave with EHLO/HELO/LHLO, or `null` before it did. */
  readonly clientHostname: string | null
  /** The authenticated user (RFC 4954), or `null`. */
  readonly user: string | null
}

/** The envelope a hook sees (RFC 5321 §3.3): addresses as text, `""` for the null path. */
export interface SmtpServerEnvelope {
  readonly from: string
  readonly to: readonly string[]
  /** The machine's envelope, with MAIL and RCPT parameters. */
  readonly raw: SmtpEnvelope
}

/**
 * A hook's refusal as a value: resolve with this (or throw a `SmtpReplyError`) to answer
 * with a 4xx or 5xx reply (RFC 5321 §4.2.2). Resolving with nothing accepts.
 */
export interface SmtpRefusal {
  readonly code: number
  readonly enhancedCode?: string
  readonly text?: string
}

/**
 * A hook's acceptance with its own reply (RFC 5321 §4.2.2), the same shape as
 * {@link SmtpRefusal} with a 2xx code: `onData` resolving with
 * `{ code: 250, enhancedCode: "2.0.0", text: "Ok: queued as 4F3A" }` answers the message
 * with that line. `onMailFrom`, `onRcptTo` and `onData` take any 2xx (e.g. `251` for RCPT);
 * a reply the server cannot send (CR, LF or NUL in the text, an enhanced code of another
 * class) goes to `onError` and is answered `451 4.3.0`. `onConnect` ignores it.
 */
export interface SmtpAcceptance {
  readonly code: number
  readonly enhancedCode?: string
  readonly text?: string
}

/** A hook's result: nothing to accept, a 2xx acceptance, or a refusal. */
// biome-ignore lint/suspicious/noConfusingVoidType: an async hook with no return statement resolves to void, and must type-check as "accept".
export type SmtpHookResult = undefined | void | SmtpAcceptance | SmtpRefusal | SmtpReplyError

/** The hooks of {@link createSmtpServer}. Each may be async; pipelined input waits meanwhile. */
export interface SmtpServerHooks {
  /** A client connected (after implicit TLS); refuse to send its reply instead of `220` and close. */
  onConnect?: (session: SmtpSessionInfo) => SmtpHookResult | Promise<SmtpHookResult>
  /**
   * Checks a login (RFC 4954). `request.kind` says what to answer: `"password"` → `true`
   * or `false`; `"secret"` (CRAM-MD5) → `{ password }` or `null`; see `@mailwire/sasl`.
   */
  onAuth?: (
    request: VerificationRequest,
    session: SmtpSessionInfo,
  ) => VerificationAnswer | Promise<VerificationAnswer>
  /** MAIL FROM (RFC 5321 §4.1.1.2); `address` is `""` for the null reverse path. */
  onMailFrom?: (
    address: string,
    session: SmtpSessionInfo,
    parameters: MailParameters,
  ) => SmtpHookResult | Promise<SmtpHookResult>
  /** RCPT TO (RFC 5321 §4.1.1.3). */
  onRcptTo?: (
    address: string,
    session: SmtpSessionInfo,
    parameters: RcptParameters,
    envelope: SmtpServerEnvelope,
  ) => SmtpHookResult | Promise<SmtpHookResult>
  /**
   * The message body, unstuffed, as a stream with backpressure: reading slowly slows the
   * client down. Resolve when the message is stored to answer `250` (or resolve with a
   * 2xx {@link SmtpAcceptance}, such as `250 2.0.0 Ok: queued as 4F3A`); throw a
   * `SmtpReplyError` to refuse. In LMTP, resolve with one result per recipient to answer
   * each (RFC 2033 §4.2). Not reading the stream is answered with `451` after
   * `dataTimeout`. Without this hook every message is read and dropped.
   */
  onData?: (
    envelope: SmtpServerEnvelope,
    stream: Readable,
    session: SmtpSessionInfo,
  ) =>
    | SmtpHookResult
    | readonly SmtpHookResult[]
    | Promise<SmtpHookResult | readonly SmtpHookResult[]>
  /** The connection closed. */
  onClose?: (session: SmtpSessionInfo) => void
  /** Something failed that only a log can report: a hook threw, a socket or TLS error. */
  onError?: (error: Error, session: SmtpSessionInfo | null) => void
  /**
   * One structured entry per session event (connect, HELO, STARTTLS, AUTH success or
   * failure, MAIL, RCPT, message, protocol error, close); see {@link SmtpLogEntry}. Never
   * a password, token or message content. A hook that throws goes to `onError`.
   */
  onLog?: (entry: SmtpLogEntry) => void
}

const mechanism = z.enum([
  "PLAIN",
  "LOGIN",
  "CRAM-MD5",
  "SCRAM-SHA-1",
  "SCRAM-SHA-256",
  "XOAUTH2",
  "OAUTHBEARER",
  "EXTERNAL",
  "ANONYMOUS",
])

/** The options schema of {@link createSmtpServer}. */
export const smtpServerOptionsSchema = z.strictObject({
  /** The server's name in the greeting and EHLO reply. Default: the machine's host name. */
  hostname: z
    .string()
    .min(1)
    .default(() => osHostname()),
  /** Implicit TLS (RFC 8314 §3.3, port 465): TLS from the first byte. Needs `tls`. */
  secure: z.boolean().default(false),
  /** Certificate and key; without `secure`, STARTTLS is offered (RFC 3207). */
  tls: z.optional(serverTlsSchema),
  /** Speak LMTP (RFC 2033) instead of SMTP. */
  lmtp: z.boolean().default(false),
  /** Largest message in bytes, announced with SIZE (RFC 1870); 0 = no limit. */
  size: z.number().int().min(0).default(DEFAULT_MAX_MESSAGE_SIZE),
  /** SASL mechanisms offered with AUTH. Default `["PLAIN", "LOGIN"]` when `onAuth` is set. */
  authMechanisms: z.optional(z.array(mechanism)),
  /** Offer AUTH without TLS (DESIGN §4 invariant 3). Default false. */
  allowInsecureAuth: z.boolean().default(false),
  /** Refuse MAIL until the client has authenticated. Default false. */
  requireAuth: z.boolean().default(false),
  /**
   * Key of the made-up SCRAM salt for unknown users (RFC 5802 §9), at least 16 bytes.
   * Default: a random one per process, so salts change on restart and between servers.
   */
  scramUnknownUserSecret: z.optional(scramSecretOption),
  /** Bare CR/LF in DATA: `"normalize"` (default), `"reject"` or `"accept"`. */
  bareLineEndings: z.optional(z.enum(["normalize", "reject", "accept"])),
  /** ESMTP extensions to announce (see `@mailwire/smtp`'s `SmtpServerExtensions`). */
  extensions: z.optional(
    z.strictObject({
      pipelining: z.optional(z.boolean()),
      eightBitMime: z.optional(z.boolean()),
      chunking: z.optional(z.boolean()),
      binaryMime: z.optional(z.boolean()),
      smtpUtf8: z.optional(z.boolean()),
      dsn: z.optional(z.boolean()),
      enhancedStatusCodes: z.optional(z.boolean()),
      requireTls: z.optional(z.boolean()),
    }),
  ),
  maxRecipients: z.optional(countOption),
  maxBadCommands: z.optional(countOption),
  maxAuthFailures: z.optional(countOption),
  /**
   * Recipients `onRcptTo` may refuse on one connection before `421 4.7.0` and close
   * (stops mailbox probing). Default `@mailwire/smtp`'s `DEFAULT_MAX_REJECTED_RECIPIENTS` (20).
   */
  maxRejectedRecipients: z.optional(countOption),
  maxCommandLineLength: z.optional(z.number().int().min(512)),
  maxConnections: countOption.default(DEFAULT_MAX_CONNECTIONS),
  idleTimeout: timeoutOption.default(DEFAULT_SMTP_IDLE_TIMEOUT),
  dataTimeout: timeoutOption.default(DEFAULT_SMTP_DATA_TIMEOUT),
  tlsHandshakeTimeout: timeoutOption.default(DEFAULT_TLS_HANDSHAKE_TIMEOUT),
  closeTimeout: timeoutOption.default(DEFAULT_CLOSE_TIMEOUT),
  /** Wait this many ms times the failure count before answering a failed AUTH; 0 = none. */
  authFailureDelay: timeoutOption.default(DEFAULT_AUTH_FAILURE_DELAY),
  /** Look up the client's name in reverse DNS before `onConnect`. Default false: no delay. */
  reverseLookup: z.boolean().default(false),
  onConnect: z.optional(functionOption<NonNullable<SmtpServerHooks["onConnect"]>>()),
  onAuth: z.optional(functionOption<NonNullable<SmtpServerHooks["onAuth"]>>()),
  onMailFrom: z.optional(functionOption<NonNullable<SmtpServerHooks["onMailFrom"]>>()),
  onRcptTo: z.optional(functionOption<NonNullable<SmtpServerHooks["onRcptTo"]>>()),
  onData: z.optional(functionOption<NonNullable<SmtpServerHooks["onData"]>>()),
  onClose: z.optional(functionOption<NonNullable<SmtpServerHooks["onClose"]>>()),
  onError: z.optional(functionOption<NonNullable<SmtpServerHooks["onError"]>>()),
  onLog: z.optional(functionOption<NonNullable<SmtpServerHooks["onLog"]>>()),
})

/** Options of {@link createSmtpServer} (all optional; see the schema for defaults). */
export type SmtpServerOptions = z.input<typeof smtpServerOptionsSchema>

/** Options after validation, defaults filled in. */
export type ResolvedSmtpServerOptions = z.output<typeof smtpServerOptionsSchema>
