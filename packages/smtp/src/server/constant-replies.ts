/**
 * The replies the server sends the same way in every transaction (MAIL, RCPT, DATA,
 * RSET/NOOP accepted; RFC 5321 §4.2), with their bytes encoded once per process instead
 * of formatted and UTF-8 encoded per reply. The encoded bytes are shared: the session
 * copies them before handing them out alone, so callers still own what they take.
 * What it does not do: cache replies the application gives, which may change.
 */
import type { SmtpReplyInput } from "../types.js"
import { formatReply } from "../wire/reply.js"

interface EncodedReply {
  readonly withEnhancedCode: Uint8Array
  readonly withoutEnhancedCode: Uint8Array
}

const encoded = new WeakMap<SmtpReplyInput, EncodedReply>()
const shared = new WeakSet<Uint8Array>()

function constant(reply: SmtpReplyInput): SmtpReplyInput {
  const frozen = Object.freeze({ ...reply })
  const bytes = {
    withEnhancedCode: formatReply(frozen, true),
    withoutEnhancedCode: formatReply(frozen, false),
  }
  shared.add(bytes.withEnhancedCode)
  shared.add(bytes.withoutEnhancedCode)
  encoded.set(frozen, bytes)
  return frozen
}

/** `250 2.1.0` for an accepted MAIL (RFC 5321 §4.1.1.2; RFC 3463 §3.2 X.1.0). */
export const SENDER_OK = constant({ code: 250, enhancedCode: "2.1.0", text: "Sender OK" })

/** `250 2.1.5` for an accepted RCPT (RFC 5321 §4.1.1.3; RFC 3463 §3.2 X.1.5). */
export const RECIPIENT_OK = constant({ code: 250, enhancedCode: "2.1.5", text: "Recipient OK" })

/** `354` after DATA (RFC 5321 §4.1.1.4); no enhanced code, as RFC 2034 §3 exempts it. */
export const START_DATA = constant({ code: 354, text: "End data with <CR><LF>.<CR><LF>" })

/** `250 2.0.0` for RSET and NOOP (RFC 5321 §4.1.1.5, §4.1.1.9). */
export const OK = constant({ code: 250, enhancedCode: "2.0.0", text: "OK" })

/** `250 2.0.0` for a message taken (RFC 5321 §4.1.1.4). */
export const DELIVERED = constant({
  code: 250,
  enhancedCode: "2.0.0",
  text: "OK: message accepted",
})

/** `221 2.0.0` to QUIT (RFC 5321 §4.1.1.10), once per connection that says goodbye. */
export const BYE = constant({ code: 221, enhancedCode: "2.0.0", text: "Bye" })

/** The bytes of a constant reply, or `undefined` for any other reply. */
export function encodedConstant(
  reply: SmtpReplyInput,
  withEnhancedCode: boolean,
): Uint8Array | undefined {
  const bytes = encoded.get(reply)
  if (bytes === undefined) return undefined
  return withEnhancedCode ? bytes.withEnhancedCode : bytes.withoutEnhancedCode
}

/**
 * Marks `bytes` as shared by many connections (an encoded greeting): the session copies
 * them before handing them out alone, like a constant reply's.
 */
export function markShared(bytes: Uint8Array): Uint8Array {
  shared.add(bytes)
  return bytes
}

/** Whether `bytes` are a constant reply's shared bytes, which must be copied to hand out. */
export function isSharedReply(bytes: Uint8Array): boolean {
  return shared.has(bytes)
}
