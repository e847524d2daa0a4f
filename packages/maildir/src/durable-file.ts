/**
 * Writing files so that they survive a crash: the data is fsynced before the rename that
 * makes it visible, and the directory is fsynced after it, so the new name is on disk
 * too (ext4/XFS need both; `rename` alone can come back as an empty file after a power
 * cut). Used for the UID list and the subscriptions; messages take the same steps
 * streaming, in `delivery.ts`.
 */
import { randomBytes } from "node:crypto"
import { open, rename, unlink } from "node:fs/promises"
import { dirname } from "node:path"

/** Flushes a directory's entries to disk. */
export async function fsyncDirectory(path: string): Promise<void> {
  const handle = await open(path, "r")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Replaces `path` with `content` atomically and durably. */
export async function writeFileDurably(path: string, content: string): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`
  try {
    const handle = await open(temporary, "wx", 0o600)
    try {
      await handle.writeFile(content)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temporary, path)
  } catch (error) {
    await unlink(temporary).catch(() => undefined)
    throw error
  }
  await fsyncDirectory(dirname(path))
}
