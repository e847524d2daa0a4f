/**
 * The per-options work of a new connection, done once for options that cannot change:
 * the resolved options, the encoded `220` greeting (RFC 5321 §4.2, §3.1) and the
 * extension lines of the EHLO reply (RFC 5321 §4.1.1.1). A server makes every connection
 * from the same options, so resolving and formatting them again for each connection
 * repeats the same work.
 *
 * Only a frozen options object (with frozen `extensions` and `authMechanisms`, when
 * given) is remembered, by identity: a caller may change a plain object between
 * connections, and each connection must see the options as they are. The greeting bytes
 * are shared, so the session copies them before handing them out alone.
 */

import { formatReply } from "../wire/reply.js"
import { markShared } from "./constant-replies.js"
import {
  checkServerOptions,
  type ResolvedServerOptions,
  resolveServerOptions,
  type SmtpServerOptions,
} from "./options.js"

/** The formatted extension lines of the EHLO/LHLO reply, once made, per TLS state. */
export interface ExtensionReplies {
  plain: string | null
  secure: string | null
}

/** Resolved options and the replies made from them. */
export interface PreparedServerOptions {
  readonly resolved: ResolvedServerOptions
  /** The encoded `220` greeting. */
  readonly greeting: Uint8Array
  /**
   * Filled in by the first EHLO/LHLO (see `commands/hello.ts`); `null` for options that
   * may change, whose extension lines are formatted for every EHLO.
   */
  readonly extensionReplies: ExtensionReplies | null
}

const prepared = new WeakMap<SmtpServerOptions, PreparedServerOptions>()

/** Whether `options` can never change: frozen, and so are `extensions` and `authMechanisms`. */
function isImmutable(options: SmtpServerOptions): boolean {
  if (!Object.isFrozen(options)) return false
  const { extensions, authMechanisms } = options
  return (
    (extensions === undefined || Object.isFrozen(extensions)) &&
    (authMechanisms === undefined || Object.isFrozen(authMechanisms))
  )
}

/**
 * Resolves `options` and encodes the greeting; `remembered` options also keep their
 * EHLO extension lines once formatted.
 */
function prepare(options: SmtpServerOptions, remembered: boolean): PreparedServerOptions {
  const resolved = resolveServerOptions(options)
  const greeting = formatReply(
    { code: 220, text: `${resolved.hostname} ${resolved.greeting}` },
    resolved.extensions.enhancedStatusCodes,
  )
  const extensionReplies = remembered ? { plain: null, secure: null } : null
  return { resolved, greeting, extensionReplies }
}

/**
 * The resolved options and greeting of a new connection: remembered for frozen options,
 * made afresh for any other. Throws like {@link resolveServerOptions} for a bad option,
 * every time.
 */
export function prepareServerOptions(options: SmtpServerOptions): PreparedServerOptions {
  if (!isImmutable(options)) return prepare(options, false)
  const known = prepared.get(options)
  if (known !== undefined) {
    // The secret's bytes are the caller's; its length is checked for every connection.
    checkServerOptions(options)
    return known
  }
  const made = prepare(options, true)
  markShared(made.greeting)
  prepared.set(options, made)
  return made
}
