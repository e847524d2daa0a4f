/**
 * The options of `MaildirStore`, their defaults, and their validation with zod: a wrong
 * option fails at construction with a message that names the field (DESIGN §5).
 */
import { z } from "zod"
import { MaildirError } from "./errors.js"

/**
 * How old a file in `tmp/` must be before a scan removes it: 36 hours, the age the
 * Maildir spec gives (cr.yp.to/proto/maildir.html) and qmail and Dovecot use, far longer
 * than any delivery takes, so only what a crash left behind is removed.
 */
export const DEFAULT_STALE_TMP_MS = 36 * 60 * 60 * 1000

/**
 * How long a lock file may go untouched before others take it for stale: 30 minutes,
 * three times RFC 1939 §3's 10-minute minimum autologout timer, so an idle POP3 session
 * keeps its maildrop, while a lock left by a crashed machine clears within the half hour.
 * A lock whose process is gone on this host is stale at once, whatever its age.
 */
export const DEFAULT_STALE_LOCK_MS = 30 * 60 * 1000

/**
 * How long a mailbox operation waits for another's lock on the UID list: 30 seconds. The
 * lock is held only while a scan runs, which takes milliseconds for thousands of
 * messages; waiting longer would only hide a stuck process from the caller.
 */
export const DEFAULT_LOCK_TIMEOUT_MS = 30 * 1000

/**
 * The largest message (CRLF size) that `read` takes from the disk with blocking calls
 * instead of Node's thread pool: 64 KiB. A small file in the page cache is read by one
 * `open`, `read` and `close` in a few microseconds, while each call through the thread
 * pool costs a round trip between threads — three of them per message, more than the
 * reading itself; Dovecot's per-session process reads the same way, blocking. The cap
 * bounds how long one read can hold the event loop, and larger messages keep the async
 * path. A store on a slow or network filesystem, where one `read` can wait on the
 * network, should set `syncReadMaxBytes: 0` so the event loop never blocks on a file.
 */
export const DEFAULT_SYNC_READ_MAX_BYTES = 64 * 1024

/** Options of `MaildirStore` (the store is Maildir++, cr.yp.to/proto/maildir.html). */
export interface MaildirStoreOptions {
  /** The directory that holds one Maildir per user (`<root>/<user>/`). Made if missing. */
  readonly root: string
  /** See {@link DEFAULT_STALE_TMP_MS}. */
  readonly staleTmpMs?: number
  /** See {@link DEFAULT_STALE_LOCK_MS}. */
  readonly staleLockMs?: number
  /** See {@link DEFAULT_LOCK_TIMEOUT_MS}. */
  readonly lockTimeoutMs?: number
  /** The host name written into new file names; defaults to `os.hostname()`. */
  readonly hostname?: string
  /** See {@link DEFAULT_SYNC_READ_MAX_BYTES}; `0` never reads a message with blocking calls. */
  readonly syncReadMaxBytes?: number
  /**
   * How many messages the inbox scans kept between POP3 logins may hold together; see
   * `DEFAULT_KEPT_SCAN_MESSAGES` (65,536). `0` keeps no scan: every login reads the
   * UID list and both directories.
   */
  readonly keptScanMessages?: number
}

const duration = z.number().int().nonnegative()

const schema = z.strictObject({
  root: z.string().min(1),
  staleTmpMs: duration.optional(),
  staleLockMs: duration.optional(),
  lockTimeoutMs: duration.optional(),
  hostname: z.string().min(1).optional(),
  syncReadMaxBytes: z.number().int().nonnegative().optional(),
  keptScanMessages: z.number().int().nonnegative().optional(),
})

/** Validates options, throwing `MaildirError` `INVALID_OPTIONS` that names the field. */
export function parseStoreOptions(options: unknown): z.output<typeof schema> {
  const result = schema.safeParse(options)
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const field = issue.path.length > 0 ? issue.path.join(".") : "options"
  throw new MaildirError("INVALID_OPTIONS", `MaildirStore option ${field}: ${issue.message}`)
}
