/**
 * {@link MaildirError}: what the store throws when a request cannot be carried out — a
 * name that must not become a path, a mailbox or message that is not there, a lock that
 * could not be taken in time, bad options. Errors from the file system itself (disk full,
 * permission denied) are passed through unchanged, as Node's `ErrnoException`s.
 *
 * Nothing here touches the disk.
 */

/** Machine-readable reasons a {@link MaildirError} is thrown. */
export type MaildirErrorCode =
  /** A user or mailbox name was refused before it reached a path (DESIGN §4, invariant 5). */
  | "INVALID_NAME"
  /** The options object failed validation; the message names the field. */
  | "INVALID_OPTIONS"
  /** The mailbox does not exist (IMAP `NO [NONEXISTENT]`, RFC 5530 §3). */
  | "NO_MAILBOX"
  /** The mailbox exists already (IMAP `NO [ALREADYEXISTS]`, RFC 5530 §3). */
  | "MAILBOX_EXISTS"
  /** No message with that UID is in the mailbox. */
  | "NO_MESSAGE"
  /** A lock held by someone else was not released in time. */
  | "LOCK_TIMEOUT"
  /** The mailbox's UIDVALIDITY changed since the caller read its UIDs, so they name nothing. */
  | "UIDVALIDITY_CHANGED"
  /** Flags outside the Maildir `:2,` alphabet (`A`–`Z`, `a`–`z`). */
  | "INVALID_FLAGS"

/** An error raised by `@mailwire/maildir` for a request it refuses or cannot satisfy. */
export class MaildirError extends Error {
  /** Why, as a stable identifier. */
  readonly code: MaildirErrorCode

  constructor(code: MaildirErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = "MaildirError"
    this.code = code
  }
}
