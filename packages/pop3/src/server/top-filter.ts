/**
 * The cut `TOP` makes (RFC 1939 §7): the header, the blank line after it, and then the
 * first `lines` lines of the body, applied to a message streamed in chunks of any size.
 *
 * A line ends at LF (so CRLF and a bare LF both end one); the header ends at the first
 * empty line, and a message without one is all header. The bytes handed back are views
 * of the chunk given; nothing is copied or kept.
 */

export class TopFilter {
  private inHeader = true
  /** No byte other than CR has been seen since the line began. */
  private lineEmpty = true
  private linesLeft: number
  private done = false

  constructor(lines: number) {
    this.linesLeft = lines
  }

  /** Whether everything `TOP` sends has been passed. */
  get isDone(): boolean {
    return this.done
  }

  /** The part of `chunk` that `TOP` sends. */
  filter(chunk: Uint8Array): Uint8Array {
    if (this.done) return chunk.subarray(0, 0)
    if (!this.inHeader && this.linesLeft === 0) {
      this.done = true
      return chunk.subarray(0, 0)
    }
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]
      if (byte === 0x0a) {
        if (this.inHeader) {
          if (this.lineEmpty) this.inHeader = false
        } else {
          this.linesLeft--
        }
        this.lineEmpty = true
        if (!this.inHeader && this.linesLeft === 0) {
          this.done = true
          return chunk.subarray(0, i + 1)
        }
      } else if (byte !== 0x0d) {
        this.lineEmpty = false
      }
    }
    return chunk
  }
}
