/**
 * Keeping a POP3 login's inbox scan for the next login, the way Dovecot checks its index
 * against the Maildir instead of reading it again: a scan is kept with the stamps of
 * `new/`, `cur/` and the UID list taken just before it, and a later login uses it only
 * when all three stamps are unchanged. Every change to a Maildir changes one of them: a
 * delivery or removal changes its directory's time, a flag change renames within `cur/`,
 * and every UID list write (this process's or another's, IMAP's expunges and flag
 * changes among them) renames a new file into place.
 *
 * Times are only as fine as the file system's clock (a jiffy on ext4 and XFS, a whole
 * second on ext3), so a change made in the same tick as the stamp could leave it
 * unchanged. A scan is therefore kept only when every stamped time was already older
 * than {@link SETTLED_MTIME_MS} when it was read, as Dovecot rescans a Maildir whose
 * directories changed within the last second; any later change then has a later time.
 *
 * What it does not do: take locks (the caller holds the maildrop's lock, and a changed
 * stamp sends it to the full scan, which takes the UID list's), or watch the disk.
 */
import { stat } from "node:fs/promises"
import { join } from "node:path"
import type { MailboxState } from "./mailbox.js"

/**
 * How old every stamped time must be for a scan to be kept: one second, Dovecot's
 * `MAILDIR_SYNC_SECS`. A time that old when read is at least a whole tick behind even on
 * file systems with one-second times (ext3), so any change after the stamp gets a later
 * time; on ext4, XFS and btrfs the tick is a few milliseconds.
 */
export const SETTLED_MTIME_MS = 1000

/**
 * How many users' scans a store keeps: 64. A scan of a few thousand messages takes some
 * hundred kilobytes, so this bounds the memory while covering the users who log in
 * again and again (mail clients poll every few minutes); the least recently used goes.
 */
export const MAX_KEPT_SCANS = 64

/** What `stat` tells apart: the same path replaced, rewritten or touched. */
export interface FileStamp {
  readonly ino: number
  readonly size: number
  readonly mtimeMs: number
}

/** The stamps of one Maildir; `null` for a path that does not exist. */
export interface MaildirStamps {
  readonly newDir: FileStamp | null
  readonly curDir: FileStamp | null
  readonly uidList: FileStamp | null
}

/** A scan with the stamps it was made under, and the message paths it found. */
export interface KeptScan {
  readonly stamps: MaildirStamps
  readonly state: MailboxState
  readonly paths: ReadonlyMap<number, string>
}

async function fileStamp(path: string): Promise<FileStamp | null> {
  try {
    const info = await stat(path)
    return { ino: info.ino, size: info.size, mtimeMs: info.mtimeMs }
  } catch {
    return null
  }
}

/** The stamps of the Maildir at `path` with the UID list file `uidListFile`, read now. */
export async function readStamps(path: string, uidListFile: string): Promise<MaildirStamps> {
  const [newDir, curDir, uidList] = await Promise.all([
    fileStamp(join(path, "new")),
    fileStamp(join(path, "cur")),
    fileStamp(join(path, uidListFile)),
  ])
  return { newDir, curDir, uidList }
}

function sameFile(a: FileStamp | null, b: FileStamp | null): boolean {
  if (a === null || b === null) return a === b
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs
}

/** Whether nothing stamped changed between `a` and `b`. */
export function sameStamps(a: MaildirStamps, b: MaildirStamps): boolean {
  return (
    sameFile(a.newDir, b.newDir) && sameFile(a.curDir, b.curDir) && sameFile(a.uidList, b.uidList)
  )
}

/**
 * Whether stamps read at time `now` may key a kept scan: every path exists, and each of
 * their times was at least {@link SETTLED_MTIME_MS} old.
 */
export function isSettled(stamps: MaildirStamps, now: number): boolean {
  return [stamps.newDir, stamps.curDir, stamps.uidList].every(
    (file) => file !== null && now - file.mtimeMs >= SETTLED_MTIME_MS,
  )
}

/**
 * How many messages the kept scans of one store may hold together: 65,536. Each message
 * of a kept scan costs a few hundred bytes (its path, its listing entry and unique-id),
 * so this keeps the cache in the tens of megabytes whatever the mailbox sizes; a
 * mailbox larger than the whole budget is never kept, and the least recently used scans
 * go first to make room. `MaildirStore`'s `keptScanMessages` sets it; `0` keeps none.
 */
export const DEFAULT_KEPT_SCAN_MESSAGES = 65_536

/** The kept scans of one store, by Maildir path, least recently used first. */
export class ScanCache {
  private readonly scans = new Map<string, KeptScan>()
  private messages = 0

  /** @param maxMessages - see {@link DEFAULT_KEPT_SCAN_MESSAGES} */
  constructor(private readonly maxMessages: number) {}

  /** The scan kept for `path`, if any; {@link keep} afterwards makes it the most recently used. */
  find(path: string): KeptScan | undefined {
    return this.scans.get(path)
  }

  /**
   * Keeps `scan` for `path` as the most recently used, or forgets the old one when `scan`
   * is `null`.
   */
  keep(path: string, scan: KeptScan | null): void {
    this.forget(path)
    if (scan === null || scan.state.messages.length > this.maxMessages) return
    this.scans.set(path, scan)
    this.messages += scan.state.messages.length
    while (this.scans.size > MAX_KEPT_SCANS || this.messages > this.maxMessages) {
      const oldest = this.scans.keys().next().value
      if (oldest === undefined) break
      this.forget(oldest)
    }
  }

  private forget(path: string): void {
    const scan = this.scans.get(path)
    if (scan === undefined) return
    this.scans.delete(path)
    this.messages -= scan.state.messages.length
  }
}
