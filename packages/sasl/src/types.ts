/**
 * The shapes shared by every mechanism: credentials, the client and server step objects,
 * and the verification requests a server hands to the application.
 *
 * SASL here works on raw bytes (RFC 4422 §3): the protocols (SMTP AUTH RFC 4954, POP3
 * AUTH RFC 5034, IMAP AUTHENTICATE RFC 9051 §6.2.2, SASL-IR RFC 4959) do the base64 and
 * the `*` cancel on their own lines. Byte arrays a step returns are fresh and owned by the
 * caller; byte arrays given to a step are only read, during the call.
 */
import type { SaslError } from "./errors.js"
import type { SaslMechanismName } from "./mechanism-names.js"

/** What a client authenticates with (RFC 4422 §2: authentication and authorization identity). */
export interface SaslCredentials {
  /** The authentication identity (RFC 4422 §2). */
  username?: string
  /** The password (PLAIN, LOGIN, CRAM-MD5, SCRAM). */
  password?: string
  /** The authorization identity to act as, when not the user itself (RFC 4422 §3.4.1). */
  authzid?: string
  /** The OAuth 2.0 bearer token (XOAUTH2, OAUTHBEARER RFC 7628). */
  accessToken?: string
  /** The trace information of ANONYMOUS (RFC 4505 §2), often an email address. */
  trace?: string
}

/** Options of {@link createSaslClient}. */
export interface SaslClientOptions {
  /** Random bytes for nonces; default `crypto.getRandomValues`. Inject it for deterministic tests. */
  random?: (length: number) => Uint8Array
  /** The server's host name, sent by OAUTHBEARER (RFC 7628 §3.1 `host=`). */
  host?: string
  /** The server's port, sent by OAUTHBEARER (RFC 7628 §3.1 `port=`). */
  port?: number
  /**
   * SCRAM (RFC 5802 §5.1, RFC 7677 §4): the fewest PBKDF2 iterations accepted in the
   * server's `i=`; fewer fails the exchange with a `SaslError` `WEAK_ITERATION_COUNT`.
   * Default {@link DEFAULT_MIN_SCRAM_ITERATIONS} (4,096). Lower it only for a server you
   * trust that was set up with fewer; not a positive integer: `createSaslClient` throws a
   * `RangeError`.
   */
  minScramIterations?: number
}

/** The client's next move after a challenge (RFC 4422 §3.3). */
export type SaslClientStep = { response: Uint8Array } | { done: true } | { error: SaslError }

/** The client side of one SASL exchange (RFC 4422 §3). Single use. */
export interface SaslClient {
  /** The mechanism this client speaks. */
  readonly mechanism: SaslMechanismName
  /** Bytes for SASL-IR (RFC 4959), or null when the mechanism must wait for a challenge. Once, before step. */
  initialResponse(): Uint8Array | null
  /** Answer a server challenge (decoded bytes). Never throws; a bad challenge gives `{ error }`. */
  step(challenge: Uint8Array): SaslClientStep
  /**
   * The server reported success: `{ done: true }`, or an error when the mechanism expected
   * more (e.g. SCRAM never verified the server signature — mutual auth failed).
   */
  success(): { done: true } | { error: SaslError }
}

/** Options of {@link createSaslServer}. */
export interface SaslServerOptions {
  /** Random bytes for nonces and challenges; default `crypto.getRandomValues`. */
  random?: (length: number) => Uint8Array
  /** The server's host name, in the CRAM-MD5 challenge (RFC 2195 §2); default `localhost`. */
  hostname?: string
  /** Milliseconds since the epoch, in the CRAM-MD5 challenge (RFC 2195 §2); default `Date.now`. */
  now?: () => number
  /** The OAuth scope named in the XOAUTH2 / OAUTHBEARER error challenge (RFC 7628 §3.2.2). */
  oauthScope?: string
  /**
   * SCRAM (RFC 5802 §9): the key of the salt made up for an unknown user (the application
   * answered `null`), an HMAC of the username, so every attempt for that name shows the
   * same salt, like a real user's. At least {@link SCRAM_MIN_SECRET_LENGTH} bytes, else
   * `createSaslServer` throws a `RangeError`. Default: 32 random bytes made once per
   * JavaScript realm (process, worker, isolate), which is stable for the life of the
   * process; give a fixed secret so the salts also stay the same across restarts and
   * across the servers behind one name.
   */
  scramUnknownUserSecret?: Uint8Array
}

/** The server side of one SASL exchange (RFC 4422 §3). Single use. */
export interface SaslServer {
  /** The mechanism this server speaks. */
  readonly mechanism: SaslMechanismName
  /** Begin; `initialResponse` is the SASL-IR bytes (an empty array for "="), or null if none. */
  start(initialResponse: Uint8Array | null): SaslServerStep
  /** The client's (decoded) answer to the last challenge. */
  step(response: Uint8Array): SaslServerStep
  /**
   * The application's answer to the pending `verify` step (see {@link VerificationRequest}).
   * Throws a `SaslError` `INVALID_ANSWER` when nothing is pending or the answer has the
   * wrong kind: that is a bug in the application, not something a client can cause.
   */
  answer(answer: VerificationAnswer): SaslServerStep
  /** The client sent `*` (RFC 4954 §4, RFC 9051 §6.2.2): always a failure with reason "cancelled". */
  cancel(): SaslServerStep
}

/** The server's next move (RFC 4422 §3.3 challenge, §3.6 outcome). */
export type SaslServerStep =
  | { type: "challenge"; challenge: Uint8Array }
  | { type: "verify"; request: VerificationRequest }
  | { type: "success"; username: string; authzid: string | null }
  | {
      type: "failure"
      reason: "cancelled" | "malformed" | "invalid-credentials" | "unsupported"
      message: string
    }

/**
 * What the application must check before the exchange can go on (RFC 4422 §3.4, §3.7).
 * Each kind says which {@link VerificationAnswer} it takes:
 * `password`, `token`, `external`, `anonymous` take a boolean; `secret` takes
 * `{ password }` or null (unknown user); `scram` takes {@link ScramCredentials} or null.
 */
export type VerificationRequest =
  | {
      kind: "password"
      mechanism: SaslMechanismName
      username: string
      password: string
      authzid: string | null
    }
  | { kind: "secret"; mechanism: "CRAM-MD5"; username: string }
  | {
      kind: "scram"
      mechanism: "SCRAM-SHA-1" | "SCRAM-SHA-256"
      username: string
      authzid: string | null
    }
  | {
      kind: "token"
      mechanism: "XOAUTH2" | "OAUTHBEARER"
      username: string
      token: string
      authzid: string | null
    }
  | { kind: "external"; mechanism: "EXTERNAL"; authzid: string | null }
  | { kind: "anonymous"; mechanism: "ANONYMOUS"; trace: string }

/** The application's answer to a {@link VerificationRequest} (see there for which kind takes which). */
export type VerificationAnswer = boolean | { password: string } | ScramCredentials | null

/**
 * What a server stores for a SCRAM user instead of the password (RFC 5802 §3, §5.1):
 * the salt, the iteration count, StoredKey = H(ClientKey) and ServerKey.
 */
export interface ScramCredentials {
  /** The hash of the mechanism: SHA-1 for SCRAM-SHA-1, SHA-256 for SCRAM-SHA-256 (RFC 7677). */
  algorithm: "SHA-1" | "SHA-256"
  /** The salt given to PBKDF2 (RFC 5802 §3 `Hi()`). */
  salt: Uint8Array
  /** The PBKDF2 iteration count (RFC 5802 §5.1 `i=`). */
  iterations: number
  /** H(HMAC(SaltedPassword, "Client Key")) (RFC 5802 §3). */
  storedKey: Uint8Array
  /** HMAC(SaltedPassword, "Server Key") (RFC 5802 §3). */
  serverKey: Uint8Array
}
