/**
 * The POP3 maildrop backend over a Maildir (RFC 1939 §3, §8): `MaildirStore.open`
 * takes an exclusive lock per maildrop — the file `mailwire-pop3.lock` in the user's
 * Maildir, so it holds across processes — scans the inbox, and hands back a
 * {@link Maildrop} over that snapshot. Sizes are octets as RETR sends them, with CRLF
 * (RFC 1939 §11); `read` turns bare LFs into CRLF on the way. Unique-ids are Dovecot's
 * default `pop3_uidl_format` `%08Xu%08Xv` — the IMAP UID and UIDVALIDITY in hex — so they
 * are stable across sessions and fit RFC 1939 §7. Nothing is deleted until `delete` is
 * called, which the POP3 machine asks for at QUIT (the UPDATE state, RFC 1939 §6).
 */
import type { Maildrop, MaildropListing, MaildropRefusal } from "@mailwire/pop3"
import type { LockFile } from "./lock-file.js"
import type { MailboxState, MaildirMailbox, MaildirMessage } from "./mailbox.js"

/** The lock file's name in a user's Maildir. */
export const POP3_LOCK_FILE = "mailwire-pop3.lock"

/**
 * How often, at most, the lock file's time is refreshed while the maildrop is used: one
 * minute. Refreshing on every command cost a `utimensat` per RETR; once a minute is far
 * inside the 30-minute stale age (`DEFAULT_STALE_LOCK_MS`, RFC 1939 §8's autologout
 * floor is 10 minutes), so a working session's lock is never taken for stale. A store
 * configured with a shorter stale age is touched at least four times within it.
 */
export const LOCK_TOUCH_INTERVAL_MS = 60 * 1000

/** The POP3 unique-id of a message (Dovecot's `%08Xu%08Xv`; RFC 1939 §7). */
export function pop3UniqueId(uid: number, uidValidity: number): string {
  return `${hex8(uid)}${hex8(uidValidity)}`
}

/** A 32-bit number as eight upper-case hex digits (`%08X`). */
function hex8(value: number): string {
  return value.toString(16).toUpperCase().padStart(8, "0")
}

/** The refusal `open` gives when another session holds the maildrop (RFC 2449 §8.1.1). */
export const MAILDROP_IN_USE: MaildropRefusal = {
  code: "IN-USE",
  text: "Maildrop already in use by another session",
}

/** A scan's POP3 listing, and its messages by unique-id. */
interface MaildropIndex {
  readonly listing: readonly MaildropListing[]
  readonly messages: ReadonlyMap<string, MaildirMessage>
}

/** The index of each scan, made at its first login; a kept scan (`scan-cache.ts`) has one. */
const indexes = new WeakMap<MailboxState, MaildropIndex>()

/**
 * The listing and lookup of a scan, made once for it: each unique-id (`pop3UniqueId`) is
 * formatted once, the UIDVALIDITY part once, and `list` hands out copies of the listing.
 */
function indexOfState(state: MailboxState): MaildropIndex {
  const made = indexes.get(state)
  if (made !== undefined) return made
  const validity = hex8(state.uidValidity)
  const listing = state.messages.map((message) => ({
    uid: `${hex8(message.uid)}${validity}`,
    size: message.vsize,
  }))
  const messages = new Map(listing.map(({ uid }, i) => [uid, state.messages[i]!]))
  const index = { listing, messages }
  indexes.set(state, index)
  return index
}

/** A locked maildrop over one scan of the inbox. */
export function maildirMaildrop(
  inbox: MaildirMailbox,
  state: MailboxState,
  held: LockFile,
  staleLockMs: number,
): Maildrop {
  const touchInterval = Math.min(LOCK_TOUCH_INTERVAL_MS, staleLockMs / 4)
  const { listing, messages } = indexOfState(state)
  let isOpen = true
  let touchedAt = Date.now()
  const isTouchDue = () => Date.now() - touchedAt >= touchInterval
  const touch = async () => {
    touchedAt = Date.now()
    await held.touch().catch(() => undefined)
  }
  // `read` does what this cannot do at once: report errors and refresh the lock.
  const readNowChecked = (uniqueId: string) => {
    const message = messages.get(uniqueId)
    if (message === undefined || isTouchDue()) return null
    return inbox.readCrlfNowChecked(message.uid, message.vsize)
  }
  return {
    list: async () => {
      if (isTouchDue()) await touch()
      return listing.map((listed) => ({ ...listed }))
    },
    read: async function* (uniqueId) {
      const message = messages.get(uniqueId)
      if (message === undefined) throw new Error(`No message with unique-id ${uniqueId}`)
      if (isTouchDue()) await touch()
      yield* inbox.readCrlf(message.uid, message.vsize)
    },
    readNow: (uniqueId) => readNowChecked(uniqueId)?.bytes ?? null,
    readNowChecked,
    delete: async (uniqueIds) => {
      if (isTouchDue()) await touch()
      const gone = uniqueIds.flatMap((id) => {
        const message = messages.get(id)
        return message === undefined ? [] : [message.uid]
      })
      if (gone.length > 0) await inbox.expunge(gone, state.uidValidity)
    },
    close: async () => {
      if (!isOpen) return
      isOpen = false
      await held.release()
    },
  }
}
