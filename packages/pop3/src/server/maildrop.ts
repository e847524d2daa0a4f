/**
 * The maildrop backend (RFC 1939 §3: "the server ... opens the maildrop"): the small
 * async interface a store implements so that a POP3 server can list, read and delete a
 * user's messages, and {@link InMemoryMaildropStore}, a store kept in memory for tests
 * and examples.
 *
 * The interface is what a Maildir store needs to implement it: async methods, UIDs as
 * strings (a Maildir base name fits RFC 1939 §7's 0x21–0x7E, 70 characters), sizes in
 * octets with CRLF line ends (what Dovecot's `,W=` size records), a per-user lock taken
 * by `open` and released by `close`, and deletion only when asked. The POP3 machine
 * never calls it: the application (or {@link MaildropResponder}) does.
 */
import { encodeUtf8 } from "@mailwire/wire"

/** One message of a maildrop as the application lists it when opening it (RFC 1939 §5, §7). */
export interface MaildropListing {
  /** The unique-id: 1–70 characters in 0x21–0x7E, stable across sessions (RFC 1939 §7). */
  readonly uid: string
  /** The size in octets as sent by RETR, with CRLF line ends, before dot-stuffing. */
  readonly size: number
}

/** An open, locked maildrop (RFC 1939 §8: the server should lock it for the session). */
export interface Maildrop {
  /** The messages, in the order they are numbered for the session, with UIDs and sizes. */
  list(): Promise<readonly MaildropListing[]>
  /** The message as stored (CRLF line ends, not dot-stuffed), in chunks of any size. */
  read(uid: string): AsyncIterable<Uint8Array>
  /**
   * Optional: the whole message as `read` would yield it, when the store has it at hand
   * without waiting (in memory, or a small file read with a blocking call), or `null`,
   * and the caller uses `read`. It lets a server answer RETR and TOP without a round trip
   * through promises. It does not throw: whatever `read` would report (an unknown UID,
   * an unreadable file) makes it return `null`, so that `read` reports it. The store
   * never changes the bytes it returns, so a server may write them to the socket as
   * they are, without a copy.
   */
  readNow?(uid: string): Uint8Array | null
  /**
   * Optional: `readNow` with what the store learned about the lines while reading them,
   * so a server can skip a second look at every byte. A store that has no such method,
   * or says `isClean: false`, gets today's full dot-stuffing.
   */
  readNowChecked?(uid: string): MaildropMessageNow | null
  /** Removes these messages for good (RFC 1939 §6, UPDATE). UIDs no longer present are skipped. */
  delete(uids: readonly string[]): Promise<void>
  /** Releases the lock. Called once, whether or not anything was deleted. */
  close(): Promise<void>
}

/** A whole message as `Maildrop.readNowChecked` gives it. */
export interface MaildropMessageNow {
  /** The bytes `readNow` would return, under the same promise not to change them. */
  readonly bytes: Uint8Array
  /**
   * True only when checked on these very bytes: every CR is followed by an LF, every LF
   * has a CR before it, and no line (the first one included) begins with `.`, so RETR
   * sends them as they are (RFC 1939 §3). When unsure, say false.
   */
  readonly isClean: boolean
}

/** Why a maildrop could not be opened, as an RFC 2449 §8 response code. */
export interface MaildropRefusal {
  readonly code: "IN-USE" | "LOGIN-DELAY" | "SYS/TEMP" | "SYS/PERM"
  readonly text: string
}

/** Opens users' maildrops (RFC 1939 §4). */
export interface MaildropStore {
  /** Opens and locks `username`'s maildrop, or says why not (`IN-USE` while another session holds it). */
  open(username: string): Promise<Maildrop | MaildropRefusal>
}

interface StoredMessage {
  readonly uid: string
  readonly content: Uint8Array
}

/**
 * A {@link MaildropStore} in memory: deliver messages to users, let POP3 sessions lock,
 * read and delete them, and look at what is left. Each user's maildrop can be open in
 * one session at a time; a second `open` gets `IN-USE`.
 */
export class InMemoryMaildropStore implements MaildropStore {
  private readonly users = new Map<string, StoredMessage[]>()
  private readonly locked = new Set<string>()
  private nextUid = 1

  /**
   * Adds a message to `username`'s maildrop and returns its UID. Text is encoded as
   * UTF-8; store messages with CRLF line ends, as RETR sends them.
   */
  deliver(username: string, message: Uint8Array | string, uid?: string): string {
    const id = uid ?? `m${this.nextUid++}`
    const content = typeof message === "string" ? encodeUtf8(message) : message.slice()
    const messages = this.users.get(username) ?? []
    messages.push({ uid: id, content })
    this.users.set(username, messages)
    return id
  }

  /** The UIDs in `username`'s maildrop now. */
  uids(username: string): string[] {
    return (this.users.get(username) ?? []).map((message) => message.uid)
  }

  /** Whether a session holds `username`'s maildrop. */
  isLocked(username: string): boolean {
    return this.locked.has(username)
  }

  /** Locks and opens `username`'s maildrop as it is now, or answers `IN-USE`. */
  async open(username: string): Promise<Maildrop | MaildropRefusal> {
    if (this.locked.has(username)) {
      return { code: "IN-USE", text: "Maildrop already in use by another session" }
    }
    this.locked.add(username)
    const snapshot = [...(this.users.get(username) ?? [])]
    let open = true
    const find = (uid: string) => snapshot.find((message) => message.uid === uid)
    return {
      list: async () => snapshot.map(({ uid, content }) => ({ uid, size: content.length })),
      read: async function* (uid: string) {
        const message = find(uid)
        if (message === undefined) throw new Error(`no message ${uid}`)
        yield message.content
      },
      readNow: (uid) => find(uid)?.content ?? null,
      delete: async (uids) => {
        const gone = new Set(uids)
        const kept = (this.users.get(username) ?? []).filter((message) => !gone.has(message.uid))
        this.users.set(username, kept)
      },
      close: async () => {
        if (open) this.locked.delete(username)
        open = false
      },
    }
  }
}

/** Whether `open` refused the maildrop. */
export function isMaildropRefusal(value: Maildrop | MaildropRefusal): value is MaildropRefusal {
  return "code" in value
}
