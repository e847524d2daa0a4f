/**
 * Options of the POP3 server machine and their defaults: policy (which logins are
 * offered, TLS) and limits (line length, failed logins, bad commands). Each default says
 * why it has its value (DESIGN §2).
 */
import type { SaslMechanismName } from "@mailwire/sasl"
import type { Pop3Policy } from "../capabilities.js"
import { DEFAULT_POP3_MAX_LINE_LENGTH } from "../wire/grammar.js"

/**
 * 3 failed logins, then the server answers `-ERR` and closes. A person who mistypes gets
 * three tries; a password-guessing script has to reconnect every three guesses, where the
 * adapter's connection limits and delays apply (DESIGN §4.7).
 */
export const DEFAULT_MAX_FAILED_LOGINS = 3

/**
 * 20 unknown, malformed or out-of-state commands, then the server closes: Postfix's
 * `smtpd_hard_error_limit` default, generous to a confused client and short for a
 * scanner.
 */
export const DEFAULT_MAX_BAD_COMMANDS = 20

/**
 * 1 MiB of input held unread while a decision is pending. Pipelined commands wait in
 * order (RFC 2449 §6.6); an adapter stops reading the socket while `isWaiting` and then
 * holds at most the socket reads already in flight (64 KiB each in Node). Past the limit
 * a client is sending far more than any pipeline of commands, so the server closes
 * instead of holding it in memory.
 */
export const DEFAULT_MAX_BUFFERED_INPUT = 1_048_576

/** Options of `Pop3ServerConnection`: policy and limits only, no socket. */
export interface Pop3ServerOptions {
  /** The name in the APOP timestamp (RFC 1939 §7) and the SASL server; default `localhost`. */
  readonly hostname?: string
  /** The channel is already TLS (port 995, RFC 8314 §3.3). Default `false`. */
  readonly isSecure?: boolean
  /** The adapter can upgrade the socket, so `STLS` is offered before TLS (RFC 2595 §4). Default `false`. */
  readonly tls?: boolean
  /**
   * Offer `USER`/`PASS` and the PLAIN and LOGIN mechanisms on a channel without TLS.
   * Default `false`: no credentials in clear (DESIGN §4.3, RFC 2595 §2.1).
   */
  readonly allowPlaintextAuth?: boolean
  /** Offer `USER`/`PASS` (RFC 1939 §7) where plaintext is allowed. Default `true`. */
  readonly user?: boolean
  /**
   * Offer `APOP` (RFC 1939 §7): a timestamp goes into the greeting and the application
   * must hand over each user's shared secret. Default `false`, since it needs secrets
   * stored in clear.
   */
  readonly apop?: boolean
  /**
   * SASL mechanisms for `AUTH` (RFC 5034), in the order listed. Default `["PLAIN"]`:
   * the only one that works with nothing but a password check. PLAIN, LOGIN, XOAUTH2 and
   * OAUTHBEARER (a bearer token is as good as a password) are listed only where
   * plaintext is allowed.
   */
  readonly saslMechanisms?: readonly SaslMechanismName[]
  /** Offer the `UTF8` command (RFC 6856 §2). Default `false`. */
  readonly utf8?: boolean
  /** The `IMPLEMENTATION` capability (RFC 2449 §6.9); default none. */
  readonly implementation?: string
  /** The `EXPIRE` capability (RFC 2449 §6.7); default none. */
  readonly expire?: Pop3Policy<number | "NEVER">
  /** The `LOGIN-DELAY` capability (RFC 2449 §6.5); default none. */
  readonly loginDelay?: Pop3Policy<number>
  /** Random bytes for the APOP timestamp and SASL nonces; default `crypto.getRandomValues`. */
  readonly random?: (length: number) => Uint8Array
  /**
   * The key (at least `SCRAM_MIN_SECRET_LENGTH`, 16 bytes) of the made-up salt SCRAM
   * answers for an unknown user, so it stays the same across restarts and servers and does
   * not reveal which users exist (RFC 5802 §9). Default: `@mailwire/sasl`'s secret, random
   * once per JavaScript realm.
   */
  readonly scramUnknownUserSecret?: Uint8Array
  /** Longest command line, CRLF included. Default {@link DEFAULT_POP3_MAX_LINE_LENGTH}. */
  readonly maxLineLength?: number
  /** Failed logins before the server closes. Default {@link DEFAULT_MAX_FAILED_LOGINS}. */
  readonly maxFailedLogins?: number
  /** Bad commands before the server closes. Default {@link DEFAULT_MAX_BAD_COMMANDS}. */
  readonly maxBadCommands?: number
  /**
   * Bytes held unread while a decision is pending; more closes the connection.
   * Default {@link DEFAULT_MAX_BUFFERED_INPUT}.
   */
  readonly maxBufferedInput?: number
}

/** The random source used when none is injected. */
export function defaultRandom(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length))
}
