/**
 * User and mailbox names, checked before they become paths (DESIGN §4, invariant 5).
 *
 * A user name becomes one directory under the store's root. A mailbox name is what an
 * IMAP client sends (RFC 9051 §5.1), with `/` as the hierarchy delimiter: `INBOX` is the
 * Maildir itself, and `Lists/mailwire` is the Maildir++ folder `.Lists.mailwire` beside
 * `cur/`, `new/` and `tmp/`, each level written in modified UTF-7 as Dovecot and Courier
 * write it. Names that arrive in modified UTF-7 (IMAP without `UTF8=ACCEPT`) are decoded
 * first and checked after decoding, so `&AC8-` (a `/`) or `&AC4ALg-` (`..`) cannot slip
 * through.
 *
 * Refused everywhere: the empty name, `.` and `..`, `/` and `\` inside a level, control
 * characters (C0, DEL, C1), unpaired surrogates, and names longer than
 * {@link MAX_NAME_BYTES}. Mailbox levels may not contain `.`, because a dot is the
 * Maildir++ hierarchy separator on disk. Nothing here touches the disk.
 */
import { encodeUtf8 } from "@mailwire/wire"
import { MaildirError } from "./errors.js"
import { decodeMutf7, encodeMutf7, hasPairedSurrogates } from "./mutf7.js"

/** The hierarchy delimiter of mailbox names in this API (RFC 9051 §5.1.1). */
export const MAILBOX_DELIMITER = "/"

/**
 * The longest user name or on-disk folder name, in UTF-8 bytes: 255, the `NAME_MAX` of
 * ext4, XFS, btrfs and tmpfs, so a name that passes always fits in one directory entry.
 */
export const MAX_NAME_BYTES = 255

/** How a mailbox name arrived: as UTF-8 (RFC 6855) or as modified UTF-7 (RFC 3501 §5.1.3). */
export type MailboxNameEncoding = "utf8" | "mutf7"

/** A mailbox name that passed the checks, and where it lives (RFC 9051 §5.1). */
export interface MailboxName {
  /** The name as Unicode, levels joined by {@link MAILBOX_DELIMITER}; `INBOX` for the inbox. */
  readonly name: string
  /** Whether this is the inbox, which is the Maildir's own root (Maildir++). */
  readonly isInbox: boolean
  /** The folder's directory name under the Maildir (`.Lists.mailwire`), or `""` for INBOX. */
  readonly folder: string
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0x20 || (unit >= 0x7f && unit <= 0x9f)) return true
  }
  return false
}

function levelProblem(level: string): string | null {
  if (level === "") return "is empty"
  if (level === "." || level === "..") return `is "${level}"`
  if (level.includes("/") || level.includes("\\")) return "contains a path separator"
  if (hasControl(level)) return "contains a control character"
  if (!hasPairedSurrogates(level)) return "contains an unpaired surrogate"
  return null
}

/** Why `name` cannot be a user name, or `null` when it can. */
export function userNameProblem(name: string): string | null {
  const problem = levelProblem(name)
  if (problem !== null) return problem
  if (name.startsWith(".")) return "starts with a dot"
  if (encodeUtf8(name).length > MAX_NAME_BYTES) return `is longer than ${MAX_NAME_BYTES} bytes`
  return null
}

/** Returns `name` if it may name a user's directory; throws `MaildirError` `INVALID_NAME` if not. */
export function validateUserName(name: string): string {
  const problem = userNameProblem(name)
  if (problem !== null) {
    throw new MaildirError("INVALID_NAME", `User name ${JSON.stringify(name)} ${problem}`)
  }
  return name
}

/** Why the decoded mailbox name `name` cannot be used, or `null` with its parsed form. */
function parseDecoded(name: string): MailboxName | string {
  if (name.toUpperCase() === "INBOX") return { name: "INBOX", isInbox: true, folder: "" }
  const levels = name.split(MAILBOX_DELIMITER)
  for (const level of levels) {
    const problem = levelProblem(level)
    if (problem !== null) return `has a level that ${problem}`
    if (level.includes(".")) return "has a level that contains a dot"
  }
  if (levels[0]!.toUpperCase() === "INBOX") return "puts a mailbox under INBOX"
  const folder = `.${levels.map(encodeMutf7).join(".")}`
  if (encodeUtf8(folder).length > MAX_NAME_BYTES) return `is longer than ${MAX_NAME_BYTES} bytes`
  return { name, isInbox: false, folder }
}

/**
 * Checks a mailbox name from the network and says where it lives. Names in modified
 * UTF-7 are decoded first and checked after decoding. Throws `MaildirError`
 * `INVALID_NAME` with the reason.
 */
export function parseMailboxName(
  name: string,
  encoding: MailboxNameEncoding = "utf8",
): MailboxName {
  const decoded = encoding === "mutf7" ? decodeMutf7(name) : name
  const parsed =
    decoded === null ? "is not valid modified UTF-7 (RFC 3501 §5.1.3)" : parseDecoded(decoded)
  if (typeof parsed === "string") {
    throw new MaildirError("INVALID_NAME", `Mailbox name ${JSON.stringify(name)} ${parsed}`)
  }
  return parsed
}

/**
 * The mailbox a Maildir++ folder directory (`.Lists.mailwire`) holds, or `null` when the
 * directory is not a folder this store would have made (other software may leave such
 * directories; they are skipped, never turned into names).
 */
export function mailboxNameOfFolder(folder: string): MailboxName | null {
  if (!folder.startsWith(".") || folder === "." || folder === "..") return null
  const levels: string[] = []
  for (const encoded of folder.slice(1).split(".")) {
    const level = decodeMutf7(encoded)
    if (level === null) return null
    levels.push(level)
  }
  const parsed = parseDecoded(levels.join(MAILBOX_DELIMITER))
  return typeof parsed === "string" || parsed.folder !== folder ? null : parsed
}
