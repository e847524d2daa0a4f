/**
 * Incremental line framing for text protocols (RFC 5321 §2.3.8, RFC 1939 §3,
 * RFC 9051 §2.2): bytes go in with {@link LineReader.push}, complete lines come out
 * of {@link LineReader.next} one at a time.
 *
 * The reader is pull-based so that its user can change what it reads between two
 * lines: after IMAP's `{5}` or SMTP's `BDAT 5` the next five bytes are raw data, not a
 * line, and {@link LineReader.readBytes} says so before they are framed.
 *
 * What it does not do: decode text, interpret commands, or own a socket. Nothing here
 * does I/O.
 *
 * Buffers: `line` and `bytes` in the items it returns are `subarray` views, either of
 * a chunk passed to `push` or of the reader's own buffer. They stay valid until the
 * next call to `push` or `takeBuffered`; copy them to keep them longer. The reader
 * never writes into a chunk it was given.
 */
import { CR, LF } from "./bytes.js"
import { LocalProtocolError, RemoteProtocolError, WIRE_HINTS } from "./errors.js"

/** What the reader does with a line that ends in LF without CR. */
export type BareLfPolicy = "reject" | "accept"

export interface LineReaderOptions {
  /**
   * The longest line accepted, in bytes, counting its CRLF. Default
   * {@link DEFAULT_MAX_LINE_LENGTH}. Protocols set their own: SMTP commands 512 and
   * text lines 1000 (RFC 5321 §4.5.3.1.4, §4.5.3.1.6), POP3 255 (RFC 2449 §4).
   */
  readonly maxLineLength?: number
  /**
   * `"reject"` (default): a line ended by a bare LF is consumed and reported as a
   * `BARE_LF` error item. `"accept"`: such a line is returned like any other, with
   * `terminator: "lf"` — for reading peers that are known to send bare LFs.
   */
  readonly bareLf?: BareLfPolicy
}

/**
 * 8,192 bytes: the command-line length RFC 7162 §4 asks IMAP servers to accept, and
 * comfortably above SMTP's 512/1000 and POP3's 255, so a reader with the default never
 * cuts a legal line of any of the three protocols.
 */
export const DEFAULT_MAX_LINE_LENGTH = 8192

/** A complete line, without its line terminator. */
export interface LineItem {
  readonly type: "line"
  readonly line: Uint8Array
  /** How the line ended: `"crlf"`, or `"lf"` when bare LFs are accepted. */
  readonly terminator: "crlf" | "lf"
}

/** A piece of the raw byte run requested with {@link LineReader.readBytes}. */
export interface BytesItem {
  readonly type: "bytes"
  readonly bytes: Uint8Array
  /** Raw bytes still to come after this piece; 0 on the last one. */
  readonly remaining: number
}

/**
 * The peer sent a line that breaks a rule (`LINE_TOO_LONG`, `BARE_LF`). The reader has
 * already skipped, or will skip without buffering, the rest of that line, and goes on
 * with the next one.
 */
export interface ErrorItem {
  readonly type: "error"
  readonly error: RemoteProtocolError
}

export type LineReaderItem = LineItem | BytesItem | ErrorItem

const EMPTY = new Uint8Array(0)

export class LineReader {
  readonly maxLineLength: number
  readonly bareLf: BareLfPolicy

  /** Unread bytes are `buffer[start, end)`. */
  private buffer: Uint8Array = EMPTY
  private start = 0
  private end = 0
  /** Whether `buffer` is ours to overwrite (not a caller's chunk). */
  private owned = false
  /** No LF lies in `buffer[start, scanned)`; saves rescanning a long partial line. */
  private scanned = 0
  /** Raw bytes still to hand out before line mode resumes. */
  private rawRemaining = 0
  /** Skipping the rest of an over-long line. */
  private discarding = false

  constructor(options: LineReaderOptions = {}) {
    const max = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH
    if (!Number.isInteger(max) || max < 3) {
      throw new LocalProtocolError("INVALID_ARGUMENT", "maxLineLength must be an integer >= 3")
    }
    this.maxLineLength = max
    this.bareLf = options.bareLf ?? "reject"
  }

  /** Bytes received and not yet handed out. */
  get bufferedLength(): number {
    return this.end - this.start
  }

  /** Whether the reader is handing out raw bytes (after {@link readBytes}). */
  get isReadingBytes(): boolean {
    return this.rawRemaining > 0
  }

  /** Adds received bytes. Views handed out earlier become invalid. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return
    const pending = this.end - this.start
    if (pending === 0) {
      this.buffer = chunk
      this.start = 0
      this.end = chunk.length
      this.scanned = 0
      this.owned = false
      return
    }
    const needed = pending + chunk.length
    if (this.owned && this.buffer.length >= needed) {
      this.buffer.copyWithin(0, this.start, this.end)
    } else {
      const next = new Uint8Array(Math.max(needed, pending * 2, 256))
      next.set(this.buffer.subarray(this.start, this.end))
      this.buffer = next
      this.owned = true
    }
    this.buffer.set(chunk, pending)
    this.scanned -= this.start
    this.start = 0
    this.end = needed
  }

  /**
   * The next line, raw piece or error, or `null` when more input is needed.
   * Call it until it returns `null` after each {@link push}.
   */
  next(): LineReaderItem | null {
    if (this.rawRemaining > 0) return this.nextBytes()
    for (;;) {
      if (this.start === this.end) return null
      const lf = this.buffer.indexOf(LF, Math.max(this.scanned, this.start))
      if (this.discarding) {
        if (lf === -1 || lf >= this.end) {
          this.start = this.end
          return null
        }
        this.discarding = false
        this.start = lf + 1
        continue
      }
      if (lf === -1 || lf >= this.end) return this.partialLine()
      return this.completeLine(lf)
    }
  }

  /**
   * Makes the next `count` bytes raw: {@link next} hands them out as `bytes` items,
   * in as many pieces as they arrive in, then returns to reading lines.
   */
  readBytes(count: number): void {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new LocalProtocolError("INVALID_ARGUMENT", `cannot read ${count} bytes`)
    }
    if (this.rawRemaining > 0) {
      throw new LocalProtocolError("INVALID_STATE", "a raw read is already in progress")
    }
    this.rawRemaining = count
    this.discarding = false
  }

  /**
   * Removes and returns every buffered byte, whatever the mode, and resets the reader to
   * line mode. For handing the rest of the input to another decoder (SMTP DATA), or
   * for discarding what arrived before a TLS handshake (RFC 3207 §6).
   */
  takeBuffered(): Uint8Array {
    const out = this.buffer.subarray(this.start, this.end)
    this.buffer = EMPTY
    this.start = 0
    this.end = 0
    this.scanned = 0
    this.owned = false
    this.rawRemaining = 0
    this.discarding = false
    return out
  }

  private nextBytes(): BytesItem | null {
    const available = this.end - this.start
    if (available === 0) return null
    const take = Math.min(available, this.rawRemaining)
    const bytes = this.buffer.subarray(this.start, this.start + take)
    this.start += take
    this.rawRemaining -= take
    return { type: "bytes", bytes, remaining: this.rawRemaining }
  }

  private partialLine(): ErrorItem | null {
    // Even if the next byte were the LF, the line would be longer than allowed.
    if (this.end - this.start + 1 > this.maxLineLength) {
      this.start = this.end
      this.discarding = true
      return this.tooLong()
    }
    this.scanned = this.end
    return null
  }

  private completeLine(lf: number): LineItem | ErrorItem {
    const lineStart = this.start
    this.start = lf + 1
    if (lf + 1 - lineStart > this.maxLineLength) return this.tooLong()
    if (lf > lineStart && this.buffer[lf - 1] === CR) {
      return { type: "line", line: this.buffer.subarray(lineStart, lf - 1), terminator: "crlf" }
    }
    if (this.bareLf === "reject") {
      return {
        type: "error",
        error: new RemoteProtocolError("BARE_LF", "line ended with a bare LF", {
          hint: WIRE_HINTS.BARE_LF,
        }),
      }
    }
    return { type: "line", line: this.buffer.subarray(lineStart, lf), terminator: "lf" }
  }

  private tooLong(): ErrorItem {
    return {
      type: "error",
      error: new RemoteProtocolError(
        "LINE_TOO_LONG",
        `line longer than ${this.maxLineLength} bytes`,
        { hint: WIRE_HINTS.LINE_TOO_LONG },
      ),
    }
  }
}
