/**
 * Options of {@link SmtpClient} and {@link createTransport} as a zod schema, with the
 * client's timeouts and pool limits, each with a named default and its reason.
 */
import { z } from "zod"
import { countOption, minScramIterationsOption, parseOptions, timeoutOption } from "./options.js"
import { clientTlsSchema } from "./tls-options.js"

/** 30,000 ms to open the TCP connection (and the TLS handshake with `secure`). */
export const DEFAULT_CONNECTION_TIMEOUT = 30_000
/**
 * 30,000 ms for the `220` greeting. RFC 5321 §4.5.3.2.1 allows 5 minutes, but a server
 * that has not greeted in 30 s is overloaded or tarpitting; nodemailer uses 30 s too.
 */
export const DEFAULT_GREETING_TIMEOUT = 30_000
/** 300,000 ms for the reply to any command: RFC 5321 §4.5.3.2.2–§4.5.3.2.4 (MAIL, RCPT, DATA). */
export const DEFAULT_COMMAND_TIMEOUT = 300_000
/** 600,000 ms for the reply after the end of the body: RFC 5321 §4.5.3.2.6. */
export const DEFAULT_DATA_TIMEOUT = 600_000
/** 5 pooled connections: what nodemailer's pool opens, and few enough not to look like a flood. */
export const DEFAULT_POOL_MAX_CONNECTIONS = 5
/** 100 messages per pooled connection before it is replaced (nodemailer's default). */
export const DEFAULT_POOL_MAX_MESSAGES = 100
/**
 * 30,000 ms a pooled connection may sit unused before it says QUIT: servers drop idle
 * clients after a few minutes (RFC 5321 §4.5.3.2.7), better to leave first.
 */
export const DEFAULT_POOL_IDLE_TIMEOUT = 30_000

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

/** The options schema of {@link SmtpClient}. */
export const smtpClientOptionsSchema = z.strictObject({
  host: z.string().min(1).default("localhost"),
  /** Default 465 with `secure`, else 587 (LMTP has no default; give it). */
  port: z.optional(z.number().int().min(1).max(65535)),
  /** Implicit TLS (RFC 8314 §3.3). Default false. */
  secure: z.boolean().default(false),
  /**
   * STARTTLS (RFC 3207): `"opportunistic"` (default) upgrades whenever the server offers
   * it and fails if the upgrade fails — never a silent fallback; `"required"` also fails
   * when it is not offered; `"never"` stays in plaintext.
   */
  startTls: z.enum(["opportunistic", "required", "never"]).default("opportunistic"),
  /** How the server's certificate is checked; verified by default. */
  tls: clientTlsSchema.default({}),
  /** Speak LMTP (RFC 2033). */
  lmtp: z.boolean().default(false),
  /** The name sent with EHLO. Default `"localhost"`. */
  name: z.string().min(1).default("localhost"),
  /** Credentials for AUTH (RFC 4954). */
  auth: z.optional(
    z.strictObject({
      user: z.string(),
      pass: z.optional(z.string()),
      accessToken: z.optional(z.string()),
      authzid: z.optional(z.string()),
      /** Use this mechanism instead of the strongest one both sides support. */
      method: z.optional(mechanism),
    }),
  ),
  /** Send PLAIN/LOGIN passwords without TLS (DESIGN §4 invariant 3). Default false. */
  allowPlaintextAuth: z.boolean().default(false),
  /** Fewest SCRAM iterations accepted from the server (RFC 7677 §4). Default 4,096. */
  minScramIterations: z.optional(minScramIterationsOption),
  /** Use PIPELINING when offered. Default true. */
  pipelining: z.boolean().default(true),
  /** Use BDAT when CHUNKING is offered. Default false: DATA is understood everywhere. */
  chunking: z.boolean().default(false),
  connectionTimeout: timeoutOption.default(DEFAULT_CONNECTION_TIMEOUT),
  greetingTimeout: timeoutOption.default(DEFAULT_GREETING_TIMEOUT),
  commandTimeout: timeoutOption.default(DEFAULT_COMMAND_TIMEOUT),
  dataTimeout: timeoutOption.default(DEFAULT_DATA_TIMEOUT),
})

/** Options of {@link SmtpClient}. */
export type SmtpClientOptions = z.input<typeof smtpClientOptionsSchema>
export type ResolvedSmtpClientOptions = z.output<typeof smtpClientOptionsSchema>

/** The options schema of {@link createTransport}: a client's, plus the pool. */
export const transportOptionsSchema = smtpClientOptionsSchema.extend({
  /** Keep connections open and reuse them. Default false: one connection per message. */
  pool: z.boolean().default(false),
  /** Most connections open at once. */
  maxConnections: countOption.default(DEFAULT_POOL_MAX_CONNECTIONS),
  /** Messages per pooled connection before it is replaced. */
  maxMessages: countOption.default(DEFAULT_POOL_MAX_MESSAGES),
  /** How long an unused pooled connection stays open. */
  idleTimeout: timeoutOption.default(DEFAULT_POOL_IDLE_TIMEOUT),
})

/** Options of {@link createTransport}. */
export type TransportOptions = z.input<typeof transportOptionsSchema>
export type ResolvedTransportOptions = z.output<typeof transportOptionsSchema>

/** Options objects made by {@link validatedClientOptions}, taken without a second check. */
const validated = new WeakSet<object>()

/**
 * Checks client options once, for a pool that creates many clients with the same
 * options: `SmtpClient` takes the result as it is instead of checking it again.
 * Throws the `TypeError` the `SmtpClient` constructor would.
 */
export function validatedClientOptions(options: SmtpClientOptions): SmtpClientOptions {
  const resolved = parseOptions(smtpClientOptionsSchema, options, "SmtpClient")
  validated.add(resolved)
  return resolved
}

/** Whether `options` came from {@link validatedClientOptions}. */
export function isValidated(options: SmtpClientOptions): options is ResolvedSmtpClientOptions {
  return validated.has(options)
}
