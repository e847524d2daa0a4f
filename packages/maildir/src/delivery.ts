/**
 * Atomic, durable delivery into a Maildir (cr.yp.to/proto/maildir.html, "How a message is
 * delivered"; DESIGN §4 invariant 6): the message streams into a new file in `tmp/`
 * (created with `O_EXCL`, so no other delivery can share it), the file is fsynced and
 * closed, renamed into `new/` (or into `cur/` with its flags), and `new/` is fsynced. The
 * promise resolves only after that, so an SMTP server that answers `250` when it resolves
 * has the message on disk. If anything fails the tmp file is removed and the promise
 * rejects; a crash leaves at most a partial file in `tmp/`, which no reader looks at and
 * a later scan removes once stale.
 *
 * The message is never held whole: each chunk is written before the next is read. Chunks
 * are the caller's; they are not kept or changed.
 */
import { open, rename, unlink } from "node:fs/promises"
import { join } from "node:path"
import { CrlfSize } from "./crlf.js"
import { fsyncDirectory } from "./durable-file.js"
import { formatFileName, type UniqueNameSource, uniqueBase } from "./filename.js"
import { normalizeFlags } from "./flags.js"

/** A message to deliver (RFC 5322 §3.5): all its bytes, or a stream of chunks. */
export type MessageSource = Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>

/** Where a delivered message landed (cr.yp.to/proto/maildir.html). */
export interface DeliveryResult {
  /** The Maildir directory (the user's Maildir or a folder in it). */
  readonly maildir: string
  /** The file's name in `new/` (or `cur/` when delivered with flags). */
  readonly file: string
  /** The full path of the file. */
  readonly path: string
  /** The message's size in octets, as stored. */
  readonly size: number
  /** The size with CRLF line ends, as POP3 RETR and IMAP RFC822.SIZE count it. */
  readonly vsize: number
}

function chunksOf(source: MessageSource): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
  return source instanceof Uint8Array ? [source] : source
}

/**
 * Writes `source` into the Maildir at `maildir` (which must have `tmp/`, `new/`, `cur/`)
 * and resolves once it is durable. With `flags` (even `""`) it goes to `cur/` with a
 * `:2,` suffix, as an IMAP APPEND would; without, to `new/`.
 */
export async function deliverToMaildir(
  maildir: string,
  source: MessageSource,
  names: UniqueNameSource,
  flags?: string,
): Promise<DeliveryResult> {
  const canonicalFlags = flags === undefined ? undefined : normalizeFlags(flags)
  const base = uniqueBase(names)
  const temporary = join(maildir, "tmp", base)
  const handle = await open(temporary, "wx", 0o600)
  const counted = new CrlfSize()
  try {
    try {
      for await (const chunk of chunksOf(source)) {
        counted.add(chunk)
        let written = 0
        while (written < chunk.length) {
          const { bytesWritten } = await handle.write(chunk, written, chunk.length - written)
          written += bytesWritten
        }
      }
      await handle.sync()
    } finally {
      await handle.close()
    }
    const fullBase = `${base},S=${counted.size},W=${counted.vsize}`
    const directory = canonicalFlags === undefined ? "new" : "cur"
    const file = canonicalFlags === undefined ? fullBase : formatFileName(fullBase, canonicalFlags)
    const path = join(maildir, directory, file)
    await rename(temporary, path)
    await fsyncDirectory(join(maildir, directory))
    return { maildir, file, path, size: counted.size, vsize: counted.vsize }
  } catch (error) {
    await unlink(temporary).catch(() => undefined)
    throw error
  }
}
