/**
 * Line ends between the store and POP3. Maildir files usually end lines with a bare LF
 * (procmail, Dovecot's LDA, mutt), while RETR sends CRLF and its size counts CRLF
 * (RFC 1939 §11). {@link CrlfSize} counts that size while bytes stream past, and
 * {@link withCrlf} turns bare LFs into CRLF on the way out. A CR already before an LF is
 * kept, so a file stored with CRLF is sent byte for byte. Chunks handed out are fresh
 * arrays or the caller's own chunks; nothing is kept.
 */
import { Buffer } from "node:buffer"
import { CR, DOT, LF } from "@mailwire/wire"

/** Counts octets and the size the same bytes have with every bare LF made CRLF. */
export class CrlfSize {
  /** Octets seen. */
  size = 0
  /** Octets with CRLF line ends (Dovecot's "virtual size", `,W=`). */
  vsize = 0
  private lastWasCr = false

  /** Adds a chunk. */
  add(chunk: Uint8Array): void {
    const bareLf = countBareLf(chunk, this.lastWasCr)
    if (chunk.length > 0) this.lastWasCr = chunk[chunk.length - 1] === CR
    this.size += chunk.length
    this.vsize += chunk.length + bareLf
  }
}

/**
 * The number of LFs in `chunk` without a CR before them; `previousCr` says whether the
 * byte before the chunk was a CR. Jumps from LF to LF with `Buffer`'s `indexOf` (a
 * `memchr`) on a view of the chunk, so a file stored with CRLF costs one native search
 * per line rather than a look at every byte; `Uint8Array`'s own `indexOf` compares
 * element by element and takes more than twice as long on a 4 KB message.
 */
export function countBareLf(chunk: Uint8Array, previousCr: boolean): number {
  const bytes = asBuffer(chunk)
  let bareLf = 0
  let at = bytes.indexOf(LF)
  while (at !== -1) {
    if (at === 0 ? !previousCr : chunk[at - 1] !== CR) bareLf++
    at = bytes.indexOf(LF, at + 1)
  }
  return bareLf
}

/** What {@link checkLines} finds in a whole message. */
export interface LineCheck {
  /** LFs without a CR before them, as {@link countBareLf} counts them. */
  readonly bareLf: number
  /**
   * Whether the message with a CR put before each bare LF has no bare CR and no line
   * beginning with `.`: it needs no dot-stuffing in a POP3 answer (RFC 1939 §3).
   */
  readonly isClean: boolean
}

/**
 * {@link countBareLf} for a whole message (nothing before it), which on the same visit
 * to each LF also looks at the byte after it, so that POP3 need not scan the message
 * again to dot-stuff it. Every CR has to be followed by an LF for the message to be
 * clean: one more native search counts the CRs, which must equal the LFs after a CR.
 */
export function checkLines(message: Uint8Array): LineCheck {
  const bytes = asBuffer(message)
  let bareLf = 0
  let crLf = 0
  let hasDotLine = message[0] === DOT
  let at = bytes.indexOf(LF)
  while (at !== -1) {
    if (at > 0 && message[at - 1] === CR) crLf++
    else bareLf++
    if (message[at + 1] === DOT) hasDotLine = true
    at = bytes.indexOf(LF, at + 1)
  }
  return { bareLf, isClean: !hasDotLine && countCr(bytes) === crLf }
}

/** The number of CRs in `bytes`, one native search per CR. */
function countCr(bytes: Buffer): number {
  let count = 0
  for (let at = bytes.indexOf(CR); at !== -1; at = bytes.indexOf(CR, at + 1)) count++
  return count
}

/** Yields `chunks` with each bare LF turned into CRLF. */
export async function* withCrlf(
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array, void, undefined> {
  let previousCr = false
  for await (const chunk of chunks) {
    const crlf = insertCr(chunk, countBareLf(chunk, previousCr), previousCr)
    if (chunk.length > 0) previousCr = chunk[chunk.length - 1] === CR
    yield crlf
  }
}

/**
 * `chunk` with a CR put before each of its `bareLf` bare LFs (as counted by
 * {@link countBareLf} with the same `previousCr`): the chunk itself when there are none,
 * otherwise a fresh array.
 */
export function insertCr(chunk: Uint8Array, bareLf: number, previousCr: boolean): Uint8Array {
  if (bareLf === 0) return chunk
  const bytes = asBuffer(chunk)
  const out = new Uint8Array(chunk.length + bareLf)
  // The runs between bare LFs are copied whole; a Maildir written with LF line ends (the
  // usual case) has one per line.
  let from = 0
  let to = 0
  for (let lf = bytes.indexOf(LF); lf !== -1; lf = bytes.indexOf(LF, lf + 1)) {
    if (lf === 0 ? previousCr : chunk[lf - 1] === CR) continue
    out.set(chunk.subarray(from, lf), to)
    to += lf - from
    out[to++] = CR
    from = lf
  }
  out.set(chunk.subarray(from), to)
  return out
}

/** A `Buffer` view of `bytes` (no copy), for its native `indexOf`. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
}
