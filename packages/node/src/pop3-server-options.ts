/**
 * Options of {@link createPop3Server} as a zod schema, with the adapter's defaults. The
 * protocol's own limits (line length, failed logins, bad commands) are the
 * `@mailwire/pop3` machine's and keep its defaults when not given.
 */

import { hostname as osHostname } from "node:os"
import type { MaildropStore, Pop3VerificationRequest } from "@mailwire/pop3"
import type { VerificationAnswer } from "@mailwire/sasl"
import { z } from "zod"
import { countOption, functionOption, scramSecretOption, timeoutOption } from "./options.js"
import type { Pop3LogEntry } from "./server-log.js"
import {
  DEFAULT_AUTH_FAILURE_DELAY,
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_TLS_HANDSHAKE_TIMEOUT,
} from "./smtp-server-options.js"
import { serverTlsSchema } from "./tls-options.js"

/**
 * 600,000 ms without a command before the server closes, releasing the maildrop without
 * deleting anything: RFC 1939 §3's autologout timer "of at least 10 minutes".
 */
export const DEFAULT_POP3_IDLE_TIMEOUT = 600_000

/** What a POP3 hook learns about the connection. */
export interface Pop3SessionInfo {
  readonly id: string
  readonly remoteAddress: string
  readonly remotePort: number
  readonly isSecure: boolean
  /** The logged-in user, or `null`. */
  readonly user: string | null
}

/** The hooks of {@link createPop3Server}. */
export interface Pop3ServerHooks {
  /**
   * Checks a login. `request.kind` says what to answer: `"password"` (USER/PASS, PLAIN,
   * LOGIN) → `true` or `false`; `"secret"` (APOP, CRAM-MD5) → `{ password }` or `null`.
   */
  onAuth: (
    request: Pop3VerificationRequest,
    session: Pop3SessionInfo,
  ) => VerificationAnswer | Promise<VerificationAnswer>
  /** The connection closed. */
  onClose?: (session: Pop3SessionInfo) => void
  /** Something only a log can report: a store or hook failure, a socket or TLS error. */
  onError?: (error: Error, session: Pop3SessionInfo | null) => void
  /**
   * One structured entry per session event (connect, STLS, login success or failure,
   * RETR/TOP, the QUIT commit, close); see {@link Pop3LogEntry}. Never a password or
   * message content. A hook that throws goes to `onError`.
   */
  onLog?: (entry: Pop3LogEntry) => void
}

const mechanism = z.enum(["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"])

/** The options schema of {@link createPop3Server}. */
export const pop3ServerOptionsSchema = z.strictObject({
  /** Where the maildrops are (`MaildropStore` from `@mailwire/pop3`). */
  backend: z.custom<MaildropStore>(
    (value) => typeof (value as { open?: unknown } | null)?.open === "function",
    { message: "must be a MaildropStore (an object with open(username))" },
  ),
  onAuth: functionOption<Pop3ServerHooks["onAuth"]>(),
  onClose: z.optional(functionOption<NonNullable<Pop3ServerHooks["onClose"]>>()),
  onError: z.optional(functionOption<NonNullable<Pop3ServerHooks["onError"]>>()),
  onLog: z.optional(functionOption<NonNullable<Pop3ServerHooks["onLog"]>>()),
  /** The name in the APOP timestamp and SASL. Default: the machine's host name. */
  hostname: z
    .string()
    .min(1)
    .default(() => osHostname()),
  /** Implicit TLS (RFC 8314 §3.3, port 995). Needs `tls`. */
  secure: z.boolean().default(false),
  /** Certificate and key; without `secure`, STLS is offered (RFC 2595 §4). */
  tls: z.optional(serverTlsSchema),
  /** Offer USER/PASS, PLAIN and LOGIN without TLS (DESIGN §4 invariant 3). Default false. */
  allowInsecureAuth: z.boolean().default(false),
  /** Offer APOP (RFC 1939 §7); `onAuth` must then hand out secrets. Default false. */
  apop: z.boolean().default(false),
  /** SASL mechanisms for AUTH (RFC 5034). Default `["PLAIN"]`. */
  saslMechanisms: z.optional(z.array(mechanism)),
  /**
   * Key of the made-up SCRAM salt for unknown users (RFC 5802 §9), at least 16 bytes.
   * Default: a random one per process, so salts change on restart and between servers.
   */
  scramUnknownUserSecret: z.optional(scramSecretOption),
  /** The IMPLEMENTATION capability (RFC 2449 §6.9). */
  implementation: z.optional(z.string()),
  maxFailedLogins: z.optional(countOption),
  maxBadCommands: z.optional(countOption),
  maxConnections: countOption.default(DEFAULT_MAX_CONNECTIONS),
  idleTimeout: timeoutOption.default(DEFAULT_POP3_IDLE_TIMEOUT),
  tlsHandshakeTimeout: timeoutOption.default(DEFAULT_TLS_HANDSHAKE_TIMEOUT),
  closeTimeout: timeoutOption.default(DEFAULT_CLOSE_TIMEOUT),
  /** Wait this many ms times the failure count before answering a failed login; 0 = none. */
  authFailureDelay: timeoutOption.default(DEFAULT_AUTH_FAILURE_DELAY),
})

/** Options of {@link createPop3Server}. */
export type Pop3ServerOptions = z.input<typeof pop3ServerOptionsSchema>
export type ResolvedPop3ServerOptions = z.output<typeof pop3ServerOptionsSchema>
