/**
 * The JSON error a server sends as a challenge when an OAuth 2.0 bearer token is refused,
 * in XOAUTH2 (Google's mechanism) and OAUTHBEARER (RFC 7628 §3.2.2), after which the
 * client sends a dummy response (empty for XOAUTH2, `%x01` for OAUTHBEARER) and the
 * server reports failure.
 */
import { decodeUtf8Strict, utf8 } from "../utf8.js"

/** The server's error challenge (RFC 7628 §3.2.2; XOAUTH2 uses the same fields). */
export interface OAuthError {
  /** `invalid_token` (RFC 7628), or an HTTP status such as `400` / `401` (XOAUTH2). */
  readonly status: string
  /** The scope the token needs, space-separated, when the server says. */
  readonly scope?: string
  /** The authentication schemes the server accepts, e.g. `Bearer` (XOAUTH2). */
  readonly schemes?: string
  /** Where to discover the OpenID configuration (RFC 7628 §3.2.2). */
  readonly "openid-configuration"?: string
}

/**
 * Parses an OAuth error challenge, or returns null when the bytes are not such a JSON
 * object with a string `status`.
 */
export function parseOAuthError(challenge: Uint8Array): OAuthError | null {
  const text = decodeUtf8Strict(challenge)
  if (text === null) return null
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null
  const record = value as Record<string, unknown>
  if (typeof record.status !== "string") return null
  const error: { -readonly [K in keyof OAuthError]: OAuthError[K] } = { status: record.status }
  for (const key of ["scope", "schemes", "openid-configuration"] as const) {
    const field = record[key]
    if (typeof field === "string") error[key] = field
  }
  return error
}

/** Serializes an error challenge. */
export function formatOAuthError(error: OAuthError): Uint8Array {
  return utf8(JSON.stringify(error))
}
