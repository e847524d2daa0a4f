/**
 * Values shared by the SMTP client and server: replies (RFC 5321 §4.2) with enhanced
 * status codes (RFC 3463, RFC 2034), and mailboxes (RFC 5321 §4.1.2, RFC 6531 §3.3).
 */

/**
 * A reply as read from the wire (RFC 5321 §4.2): the three-digit code, the enhanced status
 * code when the first line carried one whose class matches the code (RFC 2034 §4), and
 * the text of each line with the code and the enhanced code removed.
 */
export interface SmtpReply {
  readonly code: number
  /** `"2.1.0"`, or `null` when the reply had none. */
  readonly enhancedCode: string | null
  /** One entry per reply line; never empty. */
  readonly lines: readonly string[]
  /**
   * `true` on a reply the client machine made up because the server gave none: the
   * connection closed or broke first, or the session failed before the command was sent
   * (`421 4.4.2`, so it reads as temporary). Absent on every reply read from the wire.
   */
  readonly synthetic?: true
}

/**
 * A reply the application asks a machine to send (RFC 5321 §4.2). `enhancedCode` is sent
 * only when ENHANCEDSTATUSCODES is on; `text` may be one line or several.
 */
export interface SmtpReplyInput {
  readonly code: number
  readonly enhancedCode?: string
  readonly text?: string | readonly string[]
}

/**
 * A mailbox in a path (RFC 5321 §4.1.2 `Mailbox`, RFC 6531 §3.3 for UTF-8). `localPart` is
 * the decoded local part (quotes and quoted-pairs removed); `domain` is empty only for
 * the special `RCPT TO:<Postmaster>` (RFC 5321 §4.1.1.3).
 */
export interface Mailbox {
  readonly localPart: string
  readonly domain: string
}

/** Whether a reply is transient (4yz, RFC 5321 §4.2.1): the same request may work later. */
export function isTemporaryReply(reply: { readonly code: number }): boolean {
  return reply.code >= 400 && reply.code < 500
}

/** Whether a reply is positive completion or intermediate (2yz, 3yz; RFC 5321 §4.2.1). */
export function isPositiveReply(reply: { readonly code: number }): boolean {
  return reply.code >= 200 && reply.code < 400
}
