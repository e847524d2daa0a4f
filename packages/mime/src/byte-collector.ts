/**
 * Collects the decoded chunks of one body into a single `Uint8Array` owned by the
 * caller. Chunks are copied when pushed (the parser's views are short-lived) and joined
 * once at the end.
 */

/** An append-only list of byte chunks. */
export class ByteCollector {
  private chunks: Uint8Array[] = []
  private size = 0

  /** The number of bytes collected so far. */
  get length(): number {
    return this.size
  }

  /** Appends a copy of `bytes`. */
  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return
    this.chunks.push(bytes.slice())
    this.size += bytes.length
  }

  /** Appends `bytes` without copying; the caller hands its ownership over. */
  pushOwned(bytes: Uint8Array): void {
    if (bytes.length === 0) return
    this.chunks.push(bytes)
    this.size += bytes.length
  }

  /** The collected bytes as one array; the collector is empty afterwards. */
  take(): Uint8Array {
    const chunks = this.chunks
    this.chunks = []
    const size = this.size
    this.size = 0
    if (chunks.length === 1) return chunks[0]!
    const out = new Uint8Array(size)
    let at = 0
    for (const chunk of chunks) {
      out.set(chunk, at)
      at += chunk.length
    }
    return out
  }
}
