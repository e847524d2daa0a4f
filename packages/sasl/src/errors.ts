/**
 * The error type of `@mailwire/sasl`.
 *
 * A {@link SaslError} is thrown only for local mistakes: credentials that a mechanism
 * cannot use (a missing password, a password SASLprep prohibits), or an application
 * answering a verification request with the wrong kind of value. It is also carried, never
 * thrown, in a client's `{ error }` step when the server's challenge is unusable. Server
 * mechanisms never throw on what the peer sends; they end in `{ type: "failure" }`.
 *
 * RFC 4422 §3.6 (authentication failure), §6 (security considerations).
 */

/**
 * Machine-readable codes of {@link SaslError}.
 *
 * - `MISSING_CREDENTIALS`: the mechanism needs a field the credentials lack.
 * - `PROHIBITED_CHARACTER` / `BIDI_VIOLATION`: SASLprep rejected a string (RFC 4013 §2.3, §2.4).
 * - `MALFORMED_CHALLENGE`: the server's challenge does not parse.
 * - `WEAK_ITERATION_COUNT`: a SCRAM server asked for fewer iterations than
 *   `minScramIterations` (RFC 7677 §4).
 * - `UNEXPECTED_CHALLENGE`: a challenge arrived when the mechanism had nothing more to say.
 * - `SERVER_SIGNATURE_MISMATCH`: SCRAM mutual authentication failed (RFC 5802 §5.1 `v=`).
 * - `MUTUAL_AUTH_INCOMPLETE`: the server reported success before proving itself.
 * - `SERVER_ERROR`: the server sent an error inside the exchange (SCRAM `e=`, OAuth JSON).
 * - `INVALID_ANSWER`: the application answered a verification request with the wrong value.
 * - `UNSUPPORTED_MECHANISM`: the name is not one of {@link SASL_MECHANISMS}.
 */
export type SaslErrorCode =
  | "MISSING_CREDENTIALS"
  | "PROHIBITED_CHARACTER"
  | "BIDI_VIOLATION"
  | "MALFORMED_CHALLENGE"
  | "WEAK_ITERATION_COUNT"
  | "UNEXPECTED_CHALLENGE"
  | "SERVER_SIGNATURE_MISMATCH"
  | "MUTUAL_AUTH_INCOMPLETE"
  | "SERVER_ERROR"
  | "INVALID_ANSWER"
  | "UNSUPPORTED_MECHANISM"

/**
 * An error of a SASL exchange (RFC 4422 §3.6), with a stable {@link SaslErrorCode}.
 *
 * @example
 * ```ts
 * try { saslprep("a\u0007b") } catch (error) {
 *   if (error instanceof SaslError) console.log(error.code) // "PROHIBITED_CHARACTER"
 * }
 * ```
 */
export class SaslError extends Error {
  /** A stable, machine-readable identifier, one of {@link SaslErrorCode}. */
  readonly code: SaslErrorCode

  constructor(code: SaslErrorCode, message: string) {
    super(message)
    this.name = "SaslError"
    this.code = code
  }
}
