/**
 * Accounting for a message body while it streams in: its size against the message size
 * limit (RFC 1870 §6, DESIGN §4 invariant 4: enforced on the bytes received, not only the
 * declared SIZE) and, for DATA, its text line length (RFC 5321 §4.5.3.1.6). The bytes
 * themselves are never kept.
 */
import { LF } from "@mailwire/wire"
import type { SmtpReplyInput } from "../types.js"

/** Why a body was refused while it was read. */
export type BodyFailure = "size" | "line-length"

export class MessageBody {
  /** Body bytes received so far. */
  size = 0
  /** The first limit the body broke, or `null`. */
  failure: BodyFailure | null = null
  /** `messageAborted` was reported for this body. */
  isAborted = false
  private lineLength = 0

  constructor(
    private readonly maxSize: number,
    /** 0 when lines are not checked (BDAT). */
    private readonly maxLineLength: number,
  ) {}

  /** Counts `bytes`; returns false once a limit is broken (the bytes must then be dropped). */
  add(bytes: Uint8Array): boolean {
    if (this.failure !== null) return false
    this.size += bytes.length
    if (this.maxSize > 0 && this.size > this.maxSize) {
      this.failure = "size"
      return false
    }
    if (this.maxLineLength > 0 && !this.checkLines(bytes)) {
      this.failure = "line-length"
      return false
    }
    return true
  }

  /** The reply for a failed body. */
  failureReply(): SmtpReplyInput {
    return this.failure === "size"
      ? {
          code: 552,
          enhancedCode: "5.3.4",
          text: "Message size exceeds fixed maximum message size",
        }
      : {
          code: 550,
          enhancedCode: "5.6.0",
          text: `Message text line longer than ${this.maxLineLength} bytes`,
        }
  }

  /**
   * Line length counts the CRLF, so a line may hold `maxLineLength - 2` bytes of text.
   * Rather than visit every LF, it jumps to the last LF the current line may end at: the
   * lines before it are shorter than the limit, so a piece of short lines costs a few
   * searches instead of one per line.
   */
  private checkLines(bytes: Uint8Array): boolean {
    let from = 0
    for (;;) {
      // The current line must end at an LF no later than `limit`, and a line still open at
      // the end of the piece must leave room for its CRLF.
      const limit = from + this.maxLineLength - this.lineLength - 1
      if (limit > bytes.length) {
        const lf = bytes.lastIndexOf(LF)
        this.lineLength = lf < from ? this.lineLength + bytes.length - from : bytes.length - lf - 1
        return true
      }
      const lf = bytes.lastIndexOf(LF, limit)
      if (lf < from) return false
      this.lineLength = 0
      from = lf + 1
    }
  }
}
