/**
 * Line ends between the store and POP3. Maildir files usually end lines with a bare LF
 * (procmail, Dovecot's LDA, mutt), while RETR sends CRLF and its size counts CRLF
 * (RFC 1939 §11). {@link CrlfSize} counts that size while bytes stream past, and
 * {@link withCrlf} turns bare LFs into CRLF on the way out. A CR already before an LF is
 * kept, so a file stored with CRLF is sent byte for byte. Chunks handed out are fresh
 * arrays or the caller's own chunks; nothing is kept.
 */

const CR = 0x0d
const LF = 0x0a

/** Counts octets and the size the same bytes have with every bare LF made CRLF. */
export class CrlfSize {
  /** Octets seen. */
  size = 0
  /** Octets with CRLF line ends (Dovecot's "virtual size", `,W=`). */
  vsize = 0
  private lastWasCr = false

  /** Adds a chunk. */
  add(chunk: Uint8Array): void {
    let bareLf = 0
    let previousCr = this.lastWasCr
    for (const byte of chunk) {
      if (byte === LF && !previousCr) bareLf++
      previousCr = byte === CR
    }
    if (chunk.length > 0) this.lastWasCr = previousCr
    this.size += chunk.length
    this.vsize += chunk.length + bareLf
  }
}

/** Yields `chunks` with each bare LF turned into CRLF. */
export async function* withCrlf(
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array, void, undefined> {
  let previousCr = false
  for await (const chunk of chunks) {
    let bareLf = 0
    let seenCr: boolean = previousCr
    for (const byte of chunk) {
      if (byte === LF && !seenCr) bareLf++
      seenCr = byte === CR
    }
    if (bareLf === 0) {
      if (chunk.length > 0) previousCr = seenCr
      yield chunk
      continue
    }
    const out = new Uint8Array(chunk.length + bareLf)
    let at = 0
    for (const byte of chunk) {
      if (byte === LF && !previousCr) out[at++] = CR
      out[at++] = byte
      previousCr = byte === CR
    }
    yield out
  }
}
