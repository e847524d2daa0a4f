/**
 * `chooseMechanism`: which of the server's offered mechanisms a client should use.
 *
 * The order, strongest first: with an access token, OAUTHBEARER (RFC 7628) then XOAUTH2;
 * with a password, SCRAM-SHA-256 (RFC 7677), SCRAM-SHA-1 (RFC 5802), CRAM-MD5 (RFC 2195),
 * PLAIN (RFC 4616), LOGIN; with no secret at all, EXTERNAL (RFC 4422 Appendix A), and
 * ANONYMOUS (RFC 4505) only when a trace is given. Mechanisms that put a secret on the
 * wire in clear — PLAIN, LOGIN, and the bearer-token mechanisms, whose token is as good as
 * a password — are never chosen on an insecure channel unless `allowPlaintext` is set
 * (RFC 4954 §4, RFC 4616 §6, RFC 7628 §5, DESIGN §4 invariant 3).
 */
import { type SaslMechanismName, sendsSecretInClear, toMechanismName } from "./mechanism-names.js"
import { saslprep } from "./saslprep.js"
import type { SaslCredentials } from "./types.js"

/** Options of {@link chooseMechanism}. */
export interface ChooseMechanismOptions {
  /** Whether the channel is protected by TLS; default false, the safe assumption. */
  isSecure?: boolean
  /** Allow clear-text secrets (PLAIN, LOGIN, bearer tokens) without TLS; default false. */
  allowPlaintext?: boolean
}

const TOKEN_ORDER: readonly SaslMechanismName[] = ["OAUTHBEARER", "XOAUTH2"]
const PASSWORD_ORDER: readonly SaslMechanismName[] = [
  "SCRAM-SHA-256",
  "SCRAM-SHA-1",
  "CRAM-MD5",
  "PLAIN",
  "LOGIN",
]

function preparable(text: string): boolean {
  try {
    saslprep(text)
    return true
  } catch {
    return false
  }
}

function usable(mechanism: SaslMechanismName, credentials: SaslCredentials): boolean {
  const { username, password, accessToken } = credentials
  switch (mechanism) {
    case "OAUTHBEARER":
      return accessToken !== undefined
    case "XOAUTH2":
      return accessToken !== undefined && username !== undefined
    case "SCRAM-SHA-256":
    case "SCRAM-SHA-1":
      return (
        username !== undefined &&
        password !== undefined &&
        preparable(username) &&
        preparable(password)
      )
    default:
      return username !== undefined && password !== undefined
  }
}

/**
 * The strongest mechanism that both the server offers (names as in its capability list,
 * any case) and the credentials can do, or null when there is none.
 *
 * @example
 * ```ts
 * chooseMechanism(["PLAIN", "LOGIN", "SCRAM-SHA-256"], { username: "u", password: "p" })
 * // "SCRAM-SHA-256"
 * chooseMechanism(["PLAIN"], { username: "u", password: "p" })                     // null
 * chooseMechanism(["PLAIN"], { username: "u", password: "p" }, { isSecure: true }) // "PLAIN"
 * ```
 */
export function chooseMechanism(
  offered: readonly string[],
  credentials: SaslCredentials,
  options: ChooseMechanismOptions = {},
): SaslMechanismName | null {
  const available = new Set(offered.map(toMechanismName).filter((name) => name !== null))
  const mayExpose = options.isSecure === true || options.allowPlaintext === true
  const candidates: SaslMechanismName[] = []
  if (credentials.accessToken !== undefined) candidates.push(...TOKEN_ORDER)
  if (credentials.password !== undefined) candidates.push(...PASSWORD_ORDER)
  for (const mechanism of candidates) {
    if (!available.has(mechanism) || !usable(mechanism, credentials)) continue
    if (sendsSecretInClear(mechanism) && !mayExpose) continue
    return mechanism
  }
  if (credentials.password !== undefined || credentials.accessToken !== undefined) return null
  if (available.has("EXTERNAL")) return "EXTERNAL"
  if (credentials.trace !== undefined && available.has("ANONYMOUS")) return "ANONYMOUS"
  return null
}
