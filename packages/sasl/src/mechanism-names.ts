/**
 * The SASL mechanism names this package implements, and which of them expose a password.
 *
 * Names are the IANA registrations (RFC 4422 §3.1, §7.1): PLAIN (RFC 4616), LOGIN
 * (draft-murchison-sasl-login), CRAM-MD5 (RFC 2195), SCRAM-SHA-1 (RFC 5802), SCRAM-SHA-256
 * (RFC 7677), XOAUTH2 (Google's OAuth 2.0 mechanism), OAUTHBEARER (RFC 7628), EXTERNAL
 * (RFC 4422 Appendix A) and ANONYMOUS (RFC 4505). Nothing here does I/O.
 */

/** A mechanism name this package implements (RFC 4422 §3.1). */
export type SaslMechanismName =
  | "PLAIN"
  | "LOGIN"
  | "CRAM-MD5"
  | "SCRAM-SHA-1"
  | "SCRAM-SHA-256"
  | "XOAUTH2"
  | "OAUTHBEARER"
  | "EXTERNAL"
  | "ANONYMOUS"

/** Every mechanism this package implements, strongest password mechanism first. */
export const SASL_MECHANISMS: readonly SaslMechanismName[] = Object.freeze([
  "SCRAM-SHA-256",
  "SCRAM-SHA-1",
  "CRAM-MD5",
  "PLAIN",
  "LOGIN",
  "OAUTHBEARER",
  "XOAUTH2",
  "EXTERNAL",
  "ANONYMOUS",
] as const)

const PLAINTEXT = new Set(["PLAIN", "LOGIN"])

/**
 * Whether a mechanism sends the password in clear (PLAIN, LOGIN), so that it belongs only
 * on a TLS-protected channel (RFC 4616 §6, RFC 4954 §4, DESIGN §4 invariant 3).
 * Case-insensitive, like mechanism names (RFC 4422 §3.1).
 */
export function isPlaintextMechanism(mechanism: string): boolean {
  return PLAINTEXT.has(mechanism.toUpperCase())
}

const SECRET_IN_CLEAR = new Set(["PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER"])

/**
 * Whether a mechanism puts a reusable secret on the wire as it stands: a password (PLAIN,
 * LOGIN) or a bearer token (XOAUTH2, OAUTHBEARER), which is as good as a password for as
 * long as it lives (RFC 6750 §5.3, RFC 7628 §5). Such a mechanism belongs only on a
 * TLS-protected channel (DESIGN §4 invariant 3). Case-insensitive. Wider than
 * {@link isPlaintextMechanism}, which is about passwords only.
 *
 * @example
 * ```ts
 * sendsSecretInClear("xoauth2")  // true
 * sendsSecretInClear("SCRAM-SHA-256") // false
 * ```
 */
export function sendsSecretInClear(mechanism: string): boolean {
  return SECRET_IN_CLEAR.has(mechanism.toUpperCase())
}

/** Whether `name` (case-insensitive) is one of {@link SASL_MECHANISMS}; returns its canonical form. */
export function toMechanismName(name: string): SaslMechanismName | null {
  const upper = name.trim().toUpperCase()
  return (SASL_MECHANISMS as readonly string[]).includes(upper)
    ? (upper as SaslMechanismName)
    : null
}
