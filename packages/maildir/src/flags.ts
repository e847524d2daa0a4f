/**
 * Message flags as Maildir keeps them: letters after `:2,` in the file name, in ASCII
 * order (cr.yp.to/proto/maildir.html, "info semantics"). Upper-case letters are the
 * standard flags; lower-case `a`–`z` are Dovecot's keyword slots (listed in its
 * `dovecot-keywords` file), kept untouched here. Nothing here touches the disk.
 */
import { MaildirError } from "./errors.js"

/**
 * The IMAP system flags (RFC 9051 §2.3.2) and `$Forwarded` (RFC 5788) with their Maildir
 * letters: P passed, R replied, S seen, T trashed, D draft, F flagged.
 */
export const MAILDIR_FLAG_LETTERS = {
  "\\Answered": "R",
  "\\Deleted": "T",
  "\\Draft": "D",
  "\\Flagged": "F",
  "\\Seen": "S",
  $Forwarded: "P",
} as const

/** An IMAP flag that has a Maildir letter (RFC 9051 §2.3.2). */
export type MaildirImapFlag = keyof typeof MAILDIR_FLAG_LETTERS

/**
 * Flags in canonical form: each letter once, in ASCII order, as the spec asks. Throws
 * `MaildirError` `INVALID_FLAGS` for anything but `A`–`Z` and `a`–`z`.
 */
export function normalizeFlags(flags: string): string {
  if (!/^[A-Za-z]*$/.test(flags)) {
    throw new MaildirError(
      "INVALID_FLAGS",
      `Maildir flags must be letters, got ${JSON.stringify(flags)}`,
    )
  }
  // No letters or one letter (most messages: none, or `S`) is canonical already.
  if (flags.length < 2) return flags
  return [...new Set(flags)].sort().join("")
}

/** The Maildir letters for a set of IMAP flags; flags without a letter are left out. */
export function flagsFromImap(flags: Iterable<string>): string {
  const letters = new Map(
    Object.entries(MAILDIR_FLAG_LETTERS).map(([flag, letter]) => [flag.toLowerCase(), letter]),
  )
  let out = ""
  for (const flag of flags) out += letters.get(flag.toLowerCase()) ?? ""
  return normalizeFlags(out)
}

/** The IMAP flags that Maildir letters stand for; keyword letters (`a`–`z`) are left out. */
export function flagsToImap(flags: string): MaildirImapFlag[] {
  return (Object.entries(MAILDIR_FLAG_LETTERS) as [MaildirImapFlag, string][])
    .filter(([, letter]) => flags.includes(letter))
    .map(([flag]) => flag)
}
