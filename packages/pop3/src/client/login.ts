/**
 * Choosing how to log in (RFC 1939 §7, RFC 5034): the strongest method both sides can
 * use with the credentials at hand, never one that sends a password in clear on a
 * channel without TLS unless the caller allows it (DESIGN §4.3).
 *
 * The order: a SASL mechanism that keeps the password off the wire (SCRAM, CRAM-MD5,
 * or a token mechanism); then APOP when the greeting has a timestamp; then SASL PLAIN
 * or LOGIN; then `USER`/`PASS`.
 */
import {
  chooseMechanism,
  isPlaintextMechanism,
  type SaslCredentials,
  type SaslMechanismName,
} from "@mailwire/sasl"
import type { Pop3Capabilities } from "../capabilities.js"

/** How to log in (RFC 1939 §7, RFC 5034). */
export type Pop3LoginChoice =
  | { readonly method: "AUTH"; readonly mechanism: SaslMechanismName }
  | { readonly method: "APOP" }
  | { readonly method: "USER" }

/** What {@link chooseLoginMethod} decides from. */
export interface Pop3LoginContext {
  /** The server's capabilities, or `null` when CAPA was not (yet) answered. */
  readonly capabilities: Pop3Capabilities | null
  /** The greeting's APOP timestamp, or `null`. */
  readonly apopTimestamp: string | null
  readonly credentials: SaslCredentials
  readonly isSecure: boolean
  /** Allow PLAIN, LOGIN and USER/PASS without TLS. */
  readonly allowPlaintext: boolean
}

/** The best login method for `context`, or `null` when none is safe and possible. */
export function chooseLoginMethod(context: Pop3LoginContext): Pop3LoginChoice | null {
  const { capabilities, credentials, isSecure, allowPlaintext } = context
  const offered = capabilities?.sasl ?? []
  const mechanism = chooseMechanism(offered, credentials, { isSecure, allowPlaintext })
  if (mechanism !== null && !isPlaintextMechanism(mechanism)) return { method: "AUTH", mechanism }
  const hasPassword = credentials.username !== undefined && credentials.password !== undefined
  if (context.apopTimestamp !== null && hasPassword) return { method: "APOP" }
  if (mechanism !== null) return { method: "AUTH", mechanism }
  // RFC 2449 §6.2: a server that lists capabilities without USER may not support it; a
  // server without CAPA (RFC 1939 only) is assumed to.
  const mayUseUser = capabilities === null || capabilities.lines.length === 0 || capabilities.user
  if (hasPassword && mayUseUser && (isSecure || allowPlaintext)) return { method: "USER" }
  return null
}
