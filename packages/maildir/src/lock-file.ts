/**
 * Lock files that work across processes: created with `O_CREAT | O_EXCL` (atomic on local
 * file systems and on NFSv3+), holding `<pid> <host>`. A lock is stale when its process
 * is gone (same host, `kill(pid, 0)` says ESRCH) or when its file has not been touched
 * for the stale age; a stale lock is broken by renaming it aside and checking that the
 * file moved is the one judged stale (same inode), so two processes breaking the same
 * lock cannot remove each other's fresh one. The holder refreshes the file's time with
 * {@link LockFile.touch} while it works.
 *
 * Dovecot's dotlocks (`file_dotlock_create`) work the same way; this is our own lock
 * file, not Dovecot's. Nothing else is kept open while a lock is held.
 */
import { randomBytes } from "node:crypto"
import { link, open, readFile, rename, stat, unlink, utimes } from "node:fs/promises"
import { hostname } from "node:os"
import { MaildirError } from "./errors.js"

/** How long to wait between attempts to take a lock that is held: short, locks are brief. */
const RETRY_MS = 25

/** A lock this process holds. */
export interface LockFile {
  readonly path: string
  /** Marks the lock as still in use, so others do not take it for stale. */
  touch(): Promise<void>
  /** Removes the lock file. Safe to call more than once. */
  release(): Promise<void>
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errorCode(error) === "EPERM"
  }
}

async function isStale(path: string, staleMs: number): Promise<{ ino: number } | null> {
  let info: Awaited<ReturnType<typeof stat>>
  let content: string
  try {
    info = await stat(path)
    content = await readFile(path, "utf8")
  } catch (error) {
    if (errorCode(error) === "ENOENT") return { ino: -1 }
    throw error
  }
  const [pid, host] = content.trim().split(" ")
  const holderGone =
    host === hostname() && pid !== undefined && /^\d+$/.test(pid) && !isProcessAlive(Number(pid))
  const untouched = Date.now() - info.mtimeMs > staleMs
  return holderGone || untouched ? { ino: info.ino } : null
}

async function breakStale(path: string, ino: number): Promise<void> {
  if (ino < 0) return
  const aside = `${path}.stale.${randomBytes(6).toString("hex")}`
  try {
    await rename(path, aside)
  } catch (error) {
    if (errorCode(error) === "ENOENT") return
    throw error
  }
  if ((await stat(aside)).ino !== ino) {
    // Someone else broke the stale lock first and this rename took their fresh one: put
    // it back unless a third process has locked meanwhile.
    await link(aside, path).catch(() => undefined)
  }
  await unlink(aside)
}

/** Takes the lock at `path` if it is free or stale; resolves `null` when someone holds it. */
export async function tryLock(path: string, staleMs: number): Promise<LockFile | null> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, "wx", 0o600)
      try {
        await handle.writeFile(`${process.pid} ${hostname()}\n`)
      } finally {
        await handle.close()
      }
      let held = true
      return {
        path,
        touch: async () => {
          const now = new Date()
          if (held) await utimes(path, now, now)
        },
        release: async () => {
          if (!held) return
          held = false
          await unlink(path).catch((error: unknown) => {
            if (errorCode(error) !== "ENOENT") throw error
          })
        },
      }
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error
    }
    const stale = await isStale(path, staleMs)
    if (stale === null) return null
    await breakStale(path, stale.ino)
  }
  return null
}

/** Takes the lock at `path`, waiting up to `timeoutMs` for its holder to release it. */
export async function lock(path: string, staleMs: number, timeoutMs: number): Promise<LockFile> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const taken = await tryLock(path, staleMs)
    if (taken !== null) return taken
    if (Date.now() >= deadline) {
      throw new MaildirError("LOCK_TIMEOUT", `${path} is held by another process`)
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS))
  }
}
