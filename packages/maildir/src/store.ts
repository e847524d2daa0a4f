/**
 * {@link MaildirStore}: a directory of users' Maildir++ mailboxes (`<root>/<user>/`, with
 * the inbox at its root and folders as `.Name`), the delivery function for the SMTP side,
 * mailbox management and subscriptions for an IMAP backend, and the POP3
 * `MaildropStore`. Every user and mailbox name is checked before it becomes a path
 * (`names.ts`). The store keeps nothing in memory between calls but settings and the
 * inbox scans of recent POP3 logins, which are used again only while the disk shows no
 * change (`scan-cache.ts`), so many stores — in one process or many — can share a root;
 * the lock files and atomic renames keep them consistent.
 */
import { randomBytes } from "node:crypto"
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises"
import { hostname } from "node:os"
import { join, resolve } from "node:path"
import type { Maildrop, MaildropRefusal, MaildropStore } from "@mailwire/pop3"
import { type DeliveryResult, deliverToMaildir, type MessageSource } from "./delivery.js"
import { MaildirError } from "./errors.js"
import { tryLock } from "./lock-file.js"
import { type MailboxSettings, type MailboxState, MaildirMailbox } from "./mailbox.js"
import { MAILDROP_IN_USE, maildirMaildrop, POP3_LOCK_FILE } from "./maildrop.js"
import {
  type MailboxNameEncoding,
  mailboxNameOfFolder,
  parseMailboxName,
  validateUserName,
} from "./names.js"
import {
  DEFAULT_LOCK_TIMEOUT_MS,
  DEFAULT_STALE_LOCK_MS,
  DEFAULT_STALE_TMP_MS,
  DEFAULT_SYNC_READ_MAX_BYTES,
  type MaildirStoreOptions,
  parseStoreOptions,
} from "./options.js"
import { DEFAULT_KEPT_SCAN_MESSAGES, ScanCache } from "./scan-cache.js"
import { changeSubscription, readSubscriptions } from "./subscriptions.js"

/**
 * Options of {@link MaildirStore.deliver}: where the message goes (RFC 9051 §6.3.12 APPEND
 * semantics for `flags`).
 */
export interface DeliverOptions {
  /** The mailbox to deliver into; `INBOX` when absent. It must exist, unless it is `INBOX`. */
  readonly mailbox?: string
  /** Flags to store it with; the message then goes to `cur/` instead of `new/`. */
  readonly flags?: string
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

async function makeMaildir(path: string): Promise<void> {
  for (const sub of ["cur", "new", "tmp"])
    await mkdir(join(path, sub), { recursive: true, mode: 0o700 })
}

/**
 * Users' Maildir++ mailboxes under one root directory.
 *
 * @example
 * ```ts
 * const store = new MaildirStore({ root: "/var/mail/mailwire" })
 * await store.deliver("alice", new TextEncoder().encode("Subject: hi\r\n\r\nHello\r\n"))
 * const inbox = await store.mailbox("alice", "INBOX").sync()
 * console.log(inbox.messages.map((m) => m.uid)) // [1]
 * ```
 */
export class MaildirStore implements MaildropStore {
  /** The root directory, absolute. */
  readonly root: string
  private readonly settings: MailboxSettings
  /** The inbox scans of recent POP3 logins, each checked against the disk before use. */
  private readonly keptScans: ScanCache | null

  constructor(options: MaildirStoreOptions) {
    const parsed = parseStoreOptions(options)
    this.root = resolve(parsed.root)
    this.settings = {
      staleTmpMs: parsed.staleTmpMs ?? DEFAULT_STALE_TMP_MS,
      staleLockMs: parsed.staleLockMs ?? DEFAULT_STALE_LOCK_MS,
      lockTimeoutMs: parsed.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      syncReadMaxBytes: parsed.syncReadMaxBytes ?? DEFAULT_SYNC_READ_MAX_BYTES,
      names: {
        now: () => performance.timeOrigin + performance.now(),
        pid: process.pid,
        hostname: parsed.hostname ?? hostname(),
        random: (length) => new Uint8Array(randomBytes(length)),
      },
    }
    const keptScanMessages = parsed.keptScanMessages ?? DEFAULT_KEPT_SCAN_MESSAGES
    this.keptScans = keptScanMessages === 0 ? null : new ScanCache(keptScanMessages)
  }

  /** The path of `user`'s Maildir, after checking the name. Does not create it. */
  userPath(user: string): string {
    return join(this.root, validateUserName(user))
  }

  /** Makes `user`'s Maildir (the inbox) if it is not there yet, and returns its path. */
  async createUser(user: string): Promise<string> {
    const path = this.userPath(user)
    await makeMaildir(path)
    return path
  }

  /**
   * Removes `user`'s Maildir with every mailbox and message in it. The directory is
   * renamed away first, so no reader sees it half removed. A missing user is no error.
   */
  async deleteUser(user: string): Promise<void> {
    const doomed = join(this.root, `.deleted-${randomBytes(6).toString("hex")}`)
    try {
      await rename(this.userPath(user), doomed)
    } catch (error) {
      if (errorCode(error) === "ENOENT") return
      throw error
    }
    await rm(doomed, { recursive: true, force: true })
  }

  /**
   * A user's mailbox. Checks both names (a mailbox name in modified UTF-7 is decoded
   * first when `encoding` is `"mutf7"`); does not touch the disk.
   */
  mailbox(user: string, name: string, encoding: MailboxNameEncoding = "utf8"): MaildirMailbox {
    const mailbox = parseMailboxName(name, encoding)
    return new MaildirMailbox(
      join(this.userPath(user), mailbox.folder),
      mailbox.name,
      this.settings,
    )
  }

  /**
   * Delivers a message to `user` and resolves once it is durable on disk (DESIGN §4,
   * invariant 6): answer SMTP `250` only then. `message` may be a stream of chunks; it is
   * written as it arrives, never held whole. The user's Maildir is made if missing.
   */
  async deliver(
    user: string,
    message: MessageSource,
    options: DeliverOptions = {},
  ): Promise<DeliveryResult> {
    const mailbox = parseMailboxName(options.mailbox ?? "INBOX")
    const userPath = mailbox.isInbox ? await this.createUser(user) : this.userPath(user)
    const path = join(userPath, mailbox.folder)
    if (!mailbox.isInbox && (await stat(join(path, "tmp")).catch(() => null)) === null) {
      throw new MaildirError("NO_MAILBOX", `Mailbox ${mailbox.name} does not exist`)
    }
    return deliverToMaildir(path, message, this.settings.names, options.flags)
  }

  /** The user's mailboxes: `INBOX` and every Maildir++ folder with a valid name, sorted. */
  async listMailboxes(user: string): Promise<string[]> {
    const path = this.userPath(user)
    const names: string[] = []
    let entries: string[]
    try {
      entries = await readdir(path)
    } catch (error) {
      if (errorCode(error) === "ENOENT") return []
      throw error
    }
    for (const entry of entries) {
      const mailbox = mailboxNameOfFolder(entry)
      if (mailbox === null) continue
      if ((await stat(join(path, entry, "cur")).catch(() => null))?.isDirectory()) {
        names.push(mailbox.name)
      }
    }
    return ["INBOX", ...names.sort()]
  }

  /**
   * Creates a mailbox (RFC 9051 §6.3.4) as a Maildir++ folder, with the `maildirfolder`
   * marker Courier and Dovecot write. Throws `MAILBOX_EXISTS` if it is there.
   */
  async createMailbox(
    user: string,
    name: string,
    encoding: MailboxNameEncoding = "utf8",
  ): Promise<void> {
    const mailbox = parseMailboxName(name, encoding)
    const userPath = await this.createUser(user)
    if (mailbox.isInbox) throw new MaildirError("MAILBOX_EXISTS", "INBOX always exists")
    const path = join(userPath, mailbox.folder)
    try {
      await mkdir(path, { mode: 0o700 })
    } catch (error) {
      if (errorCode(error) === "EEXIST") {
        throw new MaildirError("MAILBOX_EXISTS", `Mailbox ${mailbox.name} already exists`)
      }
      throw error
    }
    await makeMaildir(path)
    await writeFile(join(path, "maildirfolder"), "")
  }

  /**
   * Deletes a mailbox and its messages (RFC 9051 §6.3.5). The folder is first renamed
   * away, so no reader ever sees it half removed. `INBOX` cannot be deleted.
   */
  async deleteMailbox(
    user: string,
    name: string,
    encoding: MailboxNameEncoding = "utf8",
  ): Promise<void> {
    const mailbox = parseMailboxName(name, encoding)
    if (mailbox.isInbox) throw new MaildirError("INVALID_NAME", "INBOX cannot be deleted")
    const userPath = this.userPath(user)
    const doomed = join(userPath, "tmp", `.deleted-${randomBytes(6).toString("hex")}`)
    try {
      await rename(join(userPath, mailbox.folder), doomed)
    } catch (error) {
      if (errorCode(error) === "ENOENT") {
        throw new MaildirError("NO_MAILBOX", `Mailbox ${mailbox.name} does not exist`)
      }
      throw error
    }
    await rm(doomed, { recursive: true, force: true })
  }

  /**
   * Renames a mailbox and the mailboxes below it (RFC 9051 §6.3.6). Messages keep their
   * UIDs and the UIDVALIDITY, since the UID list moves with the folder. `INBOX` cannot be
   * renamed here (RFC 9051's special case moves its messages instead); throws
   * `NO_MAILBOX` or `MAILBOX_EXISTS` as IMAP's response codes would (RFC 5530 §3). Each
   * level is one `rename`, so a crash halfway leaves some children under the old name,
   * each of them whole.
   */
  async renameMailbox(
    user: string,
    from: string,
    to: string,
    encoding: MailboxNameEncoding = "utf8",
  ): Promise<void> {
    const source = parseMailboxName(from, encoding)
    const target = parseMailboxName(to, encoding)
    if (source.isInbox || target.isInbox) {
      throw new MaildirError("INVALID_NAME", "INBOX cannot be renamed")
    }
    if (target.folder === source.folder || target.folder.startsWith(`${source.folder}.`)) {
      throw new MaildirError("INVALID_NAME", `Cannot rename ${source.name} into itself`)
    }
    const userPath = this.userPath(user)
    const entries = await readdir(userPath).catch(() => [] as string[])
    if (!entries.includes(source.folder)) {
      throw new MaildirError("NO_MAILBOX", `Mailbox ${source.name} does not exist`)
    }
    const moves = entries
      .filter((entry) => entry === source.folder || entry.startsWith(`${source.folder}.`))
      .map((entry) => [entry, target.folder + entry.slice(source.folder.length)] as const)
    for (const [, destination] of moves) {
      if (entries.includes(destination)) {
        throw new MaildirError("MAILBOX_EXISTS", `Mailbox ${target.name} already exists`)
      }
      if (mailboxNameOfFolder(destination) === null) {
        throw new MaildirError("INVALID_NAME", `Renaming ${source.name} would make an invalid name`)
      }
    }
    for (const [entry, destination] of moves) {
      await rename(join(userPath, entry), join(userPath, destination))
    }
  }

  /** The user's subscribed mailbox names (RFC 9051 §6.3.9, LSUB / LIST (SUBSCRIBED)). */
  async subscriptions(user: string): Promise<string[]> {
    return readSubscriptions(this.userPath(user))
  }

  /** Subscribes `user` to a mailbox (RFC 9051 §6.3.7); it need not exist. */
  async subscribe(
    user: string,
    name: string,
    encoding: MailboxNameEncoding = "utf8",
  ): Promise<void> {
    const mailbox = parseMailboxName(name, encoding)
    await changeSubscription(await this.createUser(user), mailbox, true, this.settings)
  }

  /** Removes a subscription (RFC 9051 §6.3.8). */
  async unsubscribe(
    user: string,
    name: string,
    encoding: MailboxNameEncoding = "utf8",
  ): Promise<void> {
    const mailbox = parseMailboxName(name, encoding)
    await changeSubscription(await this.createUser(user), mailbox, false, this.settings)
  }

  /**
   * Opens and locks `username`'s maildrop for a POP3 session (RFC 1939 §4, §8). Another
   * session holding it — in this process or another — gets `IN-USE` (RFC 2449 §8.1.1); a
   * name that cannot be a path gets `SYS/PERM`; a failure of the disk gets `SYS/TEMP`
   * (RFC 3206 §4).
   */
  async open(username: string): Promise<Maildrop | MaildropRefusal> {
    let path: string
    try {
      path = this.userPath(username)
    } catch {
      return { code: "SYS/PERM", text: "Invalid user name" }
    }
    try {
      await makeMaildir(path)
      const held = await tryLock(join(path, POP3_LOCK_FILE), this.settings.staleLockMs)
      if (held === null) return MAILDROP_IN_USE
      try {
        const inbox = new MaildirMailbox(path, "INBOX", this.settings)
        const state = await this.scanInbox(inbox, path)
        return maildirMaildrop(inbox, state, held, this.settings.staleLockMs)
      } catch (error) {
        await held.release()
        throw error
      }
    } catch {
      return { code: "SYS/TEMP", text: "Maildrop temporarily unavailable" }
    }
  }

  /** The inbox's scan for a POP3 login: a kept one while the disk shows no change. */
  private async scanInbox(inbox: MaildirMailbox, path: string): Promise<MailboxState> {
    if (this.keptScans === null) return inbox.sync()
    const scan = await inbox.syncUnlessUnchanged(this.keptScans.find(path))
    this.keptScans.keep(path, scan.keep)
    return scan.state
  }
}
