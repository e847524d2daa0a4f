/**
 * {@link MaildirMailbox}: one Maildir (the inbox or a Maildir++ folder) with its UID list.
 *
 * `sync` is the scan: under the mailbox's lock file it reads `new/` and `cur/`, gives a
 * UID to every file it has not seen (whoever put it there: our delivery, Dovecot,
 * procmail), notices flags changed by renames and files removed by others, removes stale
 * files from `tmp/`, and writes the UID list back if anything changed. New files get UIDs
 * in delivery-time order, as Dovecot assigns them. `setFlags`, `expunge` and `append` are
 * the changes an IMAP or POP3 backend makes; each bumps the modification sequence of what
 * it touched (RFC 7162 §3.1).
 *
 * What it does not do: keep files open between calls, or watch the directory; a
 * mailbox sees others' changes at its next `sync`. Chunks from `read` are fresh arrays
 * owned by the caller.
 */
import { closeSync, constants, openSync, readSync } from "node:fs"
import { open, readdir, readFile, rename, stat, unlink } from "node:fs/promises"
import { join, sep } from "node:path"
import { CrlfSize, checkLines, countBareLf, insertCr, withCrlf } from "./crlf.js"
import { type DeliveryResult, deliverToMaildir, type MessageSource } from "./delivery.js"
import { writeFileDurably } from "./durable-file.js"
import { MaildirError } from "./errors.js"
import { deliveryTime, formatFileName, parseFileName, type UniqueNameSource } from "./filename.js"
import { normalizeFlags } from "./flags.js"
import { lock } from "./lock-file.js"
import { DEFAULT_SYNC_READ_MAX_BYTES } from "./options.js"
import { isSettled, type KeptScan, readStamps, sameStamps } from "./scan-cache.js"
import { formatUidList, parseUidList, type UidList, type UidRecord } from "./uidlist.js"

/** The UID list's file name in each Maildir. */
export const UIDLIST_FILE = "mailwire-uidlist"

/** Size of the chunks `read` yields: 64 KiB, large enough that a read costs one syscall per chunk for most messages, small enough to stream. */
export const READ_CHUNK_BYTES = 64 * 1024

/**
 * How `readNow` opens a file: read-only and non-blocking. A regular file ignores
 * `O_NONBLOCK`, but a FIFO planted in the Maildir would otherwise make `open` wait for a
 * writer with the whole event loop; with it the read comes back short and the thread-pool
 * path takes over, as before blocking reads. (`O_NONBLOCK` is absent on Windows.)
 */
const READ_NOW_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)

/** Settings every mailbox of a store shares (see `MaildirStoreOptions`; cr.yp.to/proto/maildir.html). */
export interface MailboxSettings {
  readonly staleTmpMs: number
  readonly staleLockMs: number
  readonly lockTimeoutMs: number
  readonly names: UniqueNameSource
  /** See `DEFAULT_SYNC_READ_MAX_BYTES`, the value when absent; `0` turns blocking reads off. */
  readonly syncReadMaxBytes?: number
}

/** A message in a mailbox, as of the last sync (RFC 9051 §2.3; RFC 7162 §3.1). */
export interface MaildirMessage {
  /** Its UID (RFC 9051 §2.3.1.1), stable while the UIDVALIDITY is. */
  readonly uid: number
  /** Its modification sequence (RFC 7162 §3.1.1). */
  readonly modseq: number
  /** Its Maildir flags, canonical (see `flagsToImap`). */
  readonly flags: string
  /** Its size with CRLF line ends: POP3's size (RFC 1939 §11), IMAP's RFC822.SIZE. */
  readonly vsize: number
  /** Whether it is still in `new/`, that is not yet seen by any mail reader. */
  readonly isNew: boolean
  /** Its base file name, without flags. */
  readonly base: string
  /** Its full path now. */
  readonly path: string
}

/** A mailbox's state after a sync (RFC 9051 §7.3; RFC 7162 §3.1.2). */
export interface MailboxState {
  readonly uidValidity: number
  readonly uidNext: number
  readonly highestModseq: number
  /** The messages in UID order. */
  readonly messages: readonly MaildirMessage[]
}

/** A whole message with CRLF line ends, and whether it needs dot-stuffing (`checkLines`). */
export interface CheckedMessage {
  readonly bytes: Uint8Array
  /** No bare CR and no line beginning with `.`: sent by POP3 as it is. */
  readonly isClean: boolean
}

/** A file read at once, as stored, with what `checkLines` found in it. */
interface ReadNow {
  readonly bytes: Uint8Array
  readonly bareLf: number
  readonly isClean: boolean
}

interface FoundFile {
  readonly directory: "new" | "cur"
  readonly name: string
  readonly flags: string
  readonly vsize?: number
}

interface Draft {
  uidValidity: number
  uidNext: number
  readonly previousModseq: number
  records: UidRecord[]
  changed: boolean
  readonly files: Map<string, FoundFile>
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

async function entries(path: string): Promise<string[]> {
  try {
    return await readdir(path)
  } catch (error) {
    if (errorCode(error) === "ENOENT") return []
    throw error
  }
}

function isUsableName(name: string): boolean {
  return !name.startsWith(".") && !/[\u0000-\u001f\u007f]/.test(name)
}

/** One Maildir with its UID list. Create it through `MaildirStore.mailbox`. */
export class MaildirMailbox {
  private paths: ReadonlyMap<number, string> = new Map()

  /**
   * @param path - the Maildir directory (with `cur/`, `new/`, `tmp/`)
   * @param name - the mailbox's name, `INBOX` or a folder name
   */
  constructor(
    readonly path: string,
    readonly name: string,
    private readonly settings: MailboxSettings,
  ) {}

  /** Scans the mailbox and brings its UID list up to date. */
  sync(): Promise<MailboxState> {
    return this.change(async () => undefined)
  }

  /**
   * `sync`, unless `kept` is an earlier scan of this mailbox whose stamps — the times of
   * `new/`, `cur/` and the UID list, see `scan-cache.ts` — are all unchanged: that scan
   * is then the answer, without the lock, the UID list or the directories being read. A
   * POP3 login's scan of a mailbox that has not changed since the last login is skipped
   * this way; stale files in `tmp/` then wait for the next full scan. `keep` is the scan
   * to keep for next time, or `null` when this one may not be kept (a stamp had changed
   * too recently to be trusted).
   */
  async syncUnlessUnchanged(
    kept: KeptScan | undefined,
  ): Promise<{ readonly state: MailboxState; readonly keep: KeptScan | null }> {
    const stamps = await readStamps(this.path, UIDLIST_FILE)
    if (kept !== undefined && sameStamps(kept.stamps, stamps)) {
      this.paths = kept.paths
      return { state: kept.state, keep: kept }
    }
    // File times come from the real-time clock, which `Date.now` reads too.
    const stampedAt = Date.now()
    const state = await this.sync()
    const keep = isSettled(stamps, stampedAt) ? { stamps, state, paths: this.paths } : null
    return { state, keep }
  }

  /**
   * Delivers a message into this mailbox, durably (see `deliverToMaildir`), and gives it
   * its UID at once, as IMAP APPEND with UIDPLUS reports it (RFC 4315 §3).
   */
  async append(
    source: MessageSource,
    flags?: string,
  ): Promise<DeliveryResult & { readonly uid: number; readonly uidValidity: number }> {
    const delivered = await deliverToMaildir(this.path, source, this.settings.names, flags)
    const base = parseFileName(delivered.file).base
    const state = await this.sync()
    const message = state.messages.find((m) => m.base === base)
    if (message === undefined) {
      throw new MaildirError("NO_MESSAGE", `${delivered.file} was removed before it got a UID`)
    }
    return { ...delivered, uid: message.uid, uidValidity: state.uidValidity }
  }

  /** Replaces a message's flags (RFC 9051 §6.4.6), moving it to `cur/`. */
  async setFlags(uid: number, flags: string): Promise<MailboxState> {
    const wanted = normalizeFlags(flags)
    return this.change(async (draft, nextModseq) => {
      const index = draft.records.findIndex((record) => record.uid === uid)
      const record = draft.records[index]
      const file = record === undefined ? undefined : draft.files.get(record.base)
      if (record === undefined || file === undefined) {
        throw new MaildirError("NO_MESSAGE", `No message with UID ${uid} in ${this.name}`)
      }
      if (record.flags === wanted && file.directory === "cur") return
      const name = formatFileName(record.base, wanted)
      await rename(join(this.path, file.directory, file.name), join(this.path, "cur", name))
      draft.files.set(record.base, { ...file, directory: "cur", name, flags: wanted })
      draft.records[index] = { ...record, flags: wanted, modseq: nextModseq() }
    })
  }

  /**
   * Removes messages for good (RFC 9051 §6.4.3; RFC 1939 §6). Missing UIDs are skipped.
   * With `uidValidity`, throws `UIDVALIDITY_CHANGED` and removes nothing if the mailbox's
   * UIDVALIDITY is no longer that one (its UID list was lost and rebuilt meanwhile).
   */
  async expunge(uids: Iterable<number>, uidValidity?: number): Promise<MailboxState> {
    const gone = new Set(uids)
    return this.change(async (draft, nextModseq) => {
      if (uidValidity !== undefined && uidValidity !== draft.uidValidity) {
        throw new MaildirError(
          "UIDVALIDITY_CHANGED",
          `UIDVALIDITY of ${this.name} is ${draft.uidValidity}, not ${uidValidity}`,
        )
      }
      for (const record of draft.records) {
        const file = draft.files.get(record.base)
        if (!gone.has(record.uid) || file === undefined) continue
        await unlink(join(this.path, file.directory, file.name)).catch((error: unknown) => {
          if (errorCode(error) !== "ENOENT") throw error
        })
        draft.files.delete(record.base)
      }
      const kept = draft.records.filter((record) => draft.files.has(record.base))
      if (kept.length !== draft.records.length) nextModseq()
      draft.records = kept
    })
  }

  /**
   * The message's bytes as stored, in chunks of up to {@link READ_CHUNK_BYTES}. Follows
   * the file if another program renamed or moved it since the last sync. Given the
   * `vsize` the last sync measured, the first read asks for that many bytes plus one; when
   * what comes back has exactly that CRLF size, it is the whole file and is yielded as one
   * chunk without a second read to find the end. A message of at most `syncReadMaxBytes`
   * is read that way with blocking calls (see `DEFAULT_SYNC_READ_MAX_BYTES`).
   */
  async *read(uid: number, vsize?: number): AsyncGenerator<Uint8Array, void, undefined> {
    const now = vsize === undefined ? null : this.readNow(uid, vsize)
    if (now !== null) {
      if (now.bytes.length > 0) yield now.bytes
      return
    }
    yield* this.readFromDisk(uid, vsize)
  }

  /**
   * The message as POP3 RETR (RFC 1939 §11) and IMAP send it: `read`'s bytes with every
   * bare LF made CRLF, as `withCrlf` does, so the total is the message's `vsize`. A whole
   * message read at once has its line ends counted only once.
   */
  async *readCrlf(uid: number, vsize?: number): AsyncGenerator<Uint8Array, void, undefined> {
    const now = vsize === undefined ? null : this.readCrlfNow(uid, vsize)
    if (now !== null) {
      if (now.length > 0) yield now
      return
    }
    yield* withCrlf(this.readFromDisk(uid, vsize))
  }

  /**
   * The whole message as `readCrlf` gives it, read at once with blocking calls, when it
   * is at most `syncReadMaxBytes` (see `DEFAULT_SYNC_READ_MAX_BYTES`) and still has the
   * CRLF size `vsize` of the last sync; otherwise `null`, also for a file that moved,
   * vanished or cannot be read, and `readCrlf` does the work and reports what failed.
   */
  readCrlfNow(uid: number, vsize: number): Uint8Array | null {
    return this.readCrlfNowChecked(uid, vsize)?.bytes ?? null
  }

  /**
   * `readCrlfNow` with what the read found on the way: `isClean` says the CRLF bytes have
   * no bare CR and no line beginning with `.` (see `checkLines`), so a POP3 server can
   * send them without a dot-stuffing scan.
   */
  readCrlfNowChecked(uid: number, vsize: number): CheckedMessage | null {
    const now = this.readNow(uid, vsize)
    if (now === null) return null
    return { bytes: insertCr(now.bytes, now.bareLf, false), isClean: now.isClean }
  }

  /** `read` through the thread pool: the path for large messages and every unusual case. */
  private async *readFromDisk(
    uid: number,
    vsize?: number,
  ): AsyncGenerator<Uint8Array, void, undefined> {
    const handle = await this.openMessage(uid)
    try {
      if (vsize !== undefined) {
        const whole = new Uint8Array(vsize + 1)
        const { bytesRead } = await handle.read(whole, 0, whole.length, null)
        if (bytesRead === 0) return
        const bytes = whole.subarray(0, bytesRead)
        yield bytes
        if (isWholeMessage(bytes, countBareLf(bytes, false), vsize)) return
      }
      for (;;) {
        const chunk = new Uint8Array(READ_CHUNK_BYTES)
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, null)
        if (bytesRead === 0) return
        yield chunk.subarray(0, bytesRead)
      }
    } finally {
      await handle.close()
    }
  }

  /**
   * The whole message read with one blocking `open`, `read` and `close`, with its count
   * of bare LFs, when it is small enough (see `DEFAULT_SYNC_READ_MAX_BYTES`); null when
   * it is not, or when that is not the plain case: the path is unknown, a call fails, or
   * the file no longer has the CRLF size `vsize`. The thread-pool path then does the
   * work again and has the last word, so a file that moved, vanished or cannot be read
   * ends the same way on both paths. At most `vsize + 1` bytes are read, so a file that
   * grew cannot make the event loop wait longer.
   */
  private readNow(uid: number, vsize: number): ReadNow | null {
    const limit = this.settings.syncReadMaxBytes ?? DEFAULT_SYNC_READ_MAX_BYTES
    const path = this.paths.get(uid)
    if (limit === 0 || vsize > limit || path === undefined) return null
    let fd: number
    try {
      fd = openSync(path, READ_NOW_FLAGS)
    } catch {
      return null
    }
    try {
      const whole = new Uint8Array(vsize + 1)
      const bytes = whole.subarray(0, readSync(fd, whole, 0, whole.length, null))
      const { bareLf, isClean } = checkLines(bytes)
      return isWholeMessage(bytes, bareLf, vsize) ? { bytes, bareLf, isClean } : null
    } catch {
      return null
    } finally {
      closeQuietly(fd)
    }
  }

  private async openMessage(uid: number) {
    for (let attempt = 0; attempt < 2; attempt++) {
      let path = this.paths.get(uid)
      if (path === undefined || attempt > 0) {
        await this.sync()
        path = this.paths.get(uid)
      }
      if (path === undefined) break
      try {
        return await open(path, "r")
      } catch (error) {
        if (errorCode(error) !== "ENOENT") throw error
      }
    }
    throw new MaildirError("NO_MESSAGE", `No message with UID ${uid} in ${this.name}`)
  }

  private async change(
    work: (draft: Draft, nextModseq: () => number) => Promise<void>,
  ): Promise<MailboxState> {
    if ((await stat(join(this.path, "cur")).catch(() => null)) === null) {
      throw new MaildirError("NO_MAILBOX", `Mailbox ${this.name} does not exist`)
    }
    const held = await lock(
      join(this.path, `${UIDLIST_FILE}.lock`),
      this.settings.staleLockMs,
      this.settings.lockTimeoutMs,
    )
    try {
      const draft = await this.load()
      const nextModseq = () => {
        draft.changed = true
        return draft.previousModseq + 1
      }
      await this.reconcile(draft, nextModseq)
      await work(draft, nextModseq)
      const list: UidList = {
        uidValidity: draft.uidValidity,
        uidNext: draft.uidNext,
        highestModseq: draft.changed ? draft.previousModseq + 1 : draft.previousModseq,
        records: draft.records,
      }
      if (draft.changed) await writeFileDurably(join(this.path, UIDLIST_FILE), formatUidList(list))
      await this.removeStaleTmp()
      return this.snapshot(list, draft.files)
    } finally {
      await held.release()
    }
  }

  private async load(): Promise<Draft> {
    const text = await readFile(join(this.path, UIDLIST_FILE), "utf8").catch((error: unknown) => {
      if (errorCode(error) === "ENOENT") return null
      throw error
    })
    const list = text === null ? null : parseUidList(text)
    const files = await this.findFiles()
    if (list !== null) {
      return {
        ...list,
        previousModseq: list.highestModseq,
        records: [...list.records],
        changed: false,
        files,
      }
    }
    return {
      uidValidity: Math.max(1, Math.floor(this.settings.names.now() / 1000)),
      uidNext: 1,
      previousModseq: 1,
      records: [],
      changed: true,
      files,
    }
  }

  private async findFiles(): Promise<Map<string, FoundFile>> {
    const files = new Map<string, FoundFile>()
    // new/ before cur/: a file moved from new/ to cur/ meanwhile is then seen in cur/.
    for (const directory of ["new", "cur"] as const) {
      for (const name of await entries(join(this.path, directory))) {
        if (!isUsableName(name)) continue
        const parsed = parseFileName(name)
        files.set(parsed.base, {
          directory,
          name,
          flags: parsed.flags,
          ...(parsed.vsize === undefined ? {} : { vsize: parsed.vsize }),
        })
      }
    }
    return files
  }

  private async reconcile(draft: Draft, nextModseq: () => number): Promise<void> {
    const known = new Set<string>()
    const records: UidRecord[] = []
    for (const record of draft.records) {
      const file = draft.files.get(record.base)
      if (file === undefined) {
        nextModseq()
        continue
      }
      known.add(record.base)
      let kept = record
      if (kept.vsize === undefined) {
        const vsize = await this.measure(join(this.path, file.directory, file.name))
        if (vsize !== null) kept = { ...kept, vsize }
        draft.changed = true
      }
      if (file.flags !== kept.flags) kept = { ...kept, flags: file.flags, modseq: nextModseq() }
      records.push(kept)
    }
    const added = [...draft.files.entries()]
      .filter(([base]) => !known.has(base))
      .map(([base, file]) => ({ base, file, time: deliveryTime(base) }))
      .sort((a, b) => a.time[0] - b.time[0] || a.time[1] - b.time[1] || (a.base < b.base ? -1 : 1))
    for (const { base, file } of added) {
      const vsize = file.vsize ?? (await this.measure(join(this.path, file.directory, file.name)))
      if (vsize === null) {
        draft.files.delete(base)
        continue
      }
      records.push({ uid: draft.uidNext, modseq: nextModseq(), flags: file.flags, vsize, base })
      draft.uidNext += 1
    }
    draft.records = records
  }

  private async measure(path: string): Promise<number | null> {
    const counted = new CrlfSize()
    try {
      const handle = await open(path, "r")
      try {
        const chunk = new Uint8Array(READ_CHUNK_BYTES)
        for (;;) {
          const { bytesRead } = await handle.read(chunk, 0, chunk.length, null)
          if (bytesRead === 0) return counted.vsize
          counted.add(chunk.subarray(0, bytesRead))
        }
      } finally {
        await handle.close()
      }
    } catch (error) {
      if (errorCode(error) === "ENOENT") return null
      throw error
    }
  }

  private async removeStaleTmp(): Promise<void> {
    const now = this.settings.names.now()
    for (const name of await entries(join(this.path, "tmp"))) {
      const path = join(this.path, "tmp", name)
      const info = await stat(path).catch(() => null)
      if (info?.isFile() && now - info.mtimeMs > this.settings.staleTmpMs) {
        await unlink(path).catch(() => undefined)
      }
    }
  }

  private snapshot(list: UidList, files: ReadonlyMap<string, FoundFile>): MailboxState {
    const messages: MaildirMessage[] = []
    const paths = new Map<number, string>()
    this.paths = paths
    for (const record of list.records) {
      const file = files.get(record.base)
      if (file === undefined) continue
      // Joined by hand: `path.join` would normalize 2 × thousands of paths that are
      // already normal (the mailbox path is, the directory is fixed, a name has no `/`).
      const path = `${this.path}${sep}${file.directory}${sep}${file.name}`
      paths.set(record.uid, path)
      messages.push({
        uid: record.uid,
        modseq: record.modseq,
        flags: record.flags,
        vsize: record.vsize ?? 0,
        isNew: file.directory === "new",
        base: record.base,
        path,
      })
    }
    return {
      uidValidity: list.uidValidity,
      uidNext: list.uidNext,
      highestModseq: list.highestModseq,
      messages,
    }
  }
}

/**
 * Whether `bytes`, read with room for `vsize + 1` and holding `bareLf` bare LFs, are a
 * whole file of CRLF size `vsize`: the read stopped short of the room (the end of the
 * file) at exactly that size.
 */
function isWholeMessage(bytes: Uint8Array, bareLf: number, vsize: number): boolean {
  return bytes.length <= vsize && bytes.length + bareLf === vsize
}

/**
 * Closes a descriptor opened only for reading. Nothing written can be lost there, so a
 * failing `close` (only EINTR or EIO, after the bytes were read) does not fail the read.
 */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd)
  } catch {
    // See above: the bytes are already read.
  }
}
