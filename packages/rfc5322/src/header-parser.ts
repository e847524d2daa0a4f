/**
 * An incremental header-block parser (RFC 5322 §2.2, §2.1, §4.5; RFC 6532 §3.2): push
 * chunks of any size, get back every field that is complete so far, in order, with its
 * raw bytes and its byte offset in the block. The blank line that ends the block is
 * found across chunk boundaries, and the bytes after it (the start of the body) are
 * handed back.
 *
 * Line ends may be CRLF or a bare LF: files on disk, `sendmail -t` pipes and most
 * mailbox formats store messages with LF only, so a reader of real mail must take both.
 * A line without a colon is recorded as a defect and skipped, never thrown; a block
 * over `maxHeaderBytes` keeps its first fields and drops the rest, without buffering it.
 *
 * What it does not do: decode encoded-words (that is `@mailwire/mime`), interpret
 * values, or read the body.
 *
 * Buffers: the parser never writes into a chunk it was given and keeps no view of it.
 * Each field's `raw` and the `rest` of a completing `push` are owned by the caller: the
 * fields of one `push` are views of one fresh copy that the parser never touches again.
 */
import { type Defect, defect } from "./defect.js"
import { type HeaderField, readField } from "./header-field.js"

/**
 * 1 MiB: Exim's `header_maxsize` default for a whole header block. Real blocks are a
 * few KiB; long `Received` chains and DKIM/ARC sets reach tens of KiB, far below this.
 */
export const DEFAULT_MAX_HEADER_BYTES = 1024 * 1024

/** Options of {@link HeaderParser} and `parseHeaders` (RFC 5322 §2.1, §2.2). */
export interface HeaderParserOptions {
  /**
   * The largest header block kept, in bytes (the blank line not counted). Fields that
   * end past it are dropped with one `HEADER_TOO_LARGE` defect; the parser still finds
   * the end of the block. Default {@link DEFAULT_MAX_HEADER_BYTES}.
   */
  maxHeaderBytes?: number
}

/** What {@link HeaderParser.push} returns: fields (RFC 5322 §2.2) and the body start (§2.1). */
export interface HeaderPushResult {
  /** Fields completed by this chunk, in order. */
  fields: HeaderField[]
  /** Whether the blank line that ends the block has been read. */
  complete: boolean
  /** After completion, the bytes that followed the blank line (the start of the body). */
  rest: Uint8Array
}

const SP = 0x20
const HTAB = 0x09
const CR = 0x0d
const LF = 0x0a
const EMPTY = new Uint8Array(0)

/**
 * Splits a header block into fields as bytes arrive (RFC 5322 §2.2).
 *
 * @example
 * ```ts
 * const parser = new HeaderParser()
 * const text = new TextEncoder()
 * parser.push(text.encode("Subject: hello\r\n wor"))      // no field complete yet
 * const { fields, complete, rest } = parser.push(text.encode("ld\r\n\r\nbody"))
 * // fields[0].value === "hello world", complete === true, rest holds "body"
 * ```
 */
export class HeaderParser {
  /** Block-level problems: lines without a colon, the size limit. Fields carry their own. */
  readonly defects: Defect[] = []
  readonly #maxHeaderBytes: number
  #buffer: Uint8Array = new Uint8Array(256)
  #length = 0
  /** Start of the current (incomplete) logical line in the buffer. */
  #start = 0
  /** Where to resume looking for LF. */
  #scan = 0
  /** Bytes of the block dropped from the front of the buffer so far. */
  #consumed = 0
  #isComplete = false
  /** Past the size limit: lines are skipped, only the blank line is looked for. */
  #isOverflowing = false
  #isAtLineStart = true
  /** Recorded after the fields read in the same push, so defects stay in input order. */
  #overflowDefect: Defect | null = null

  constructor(options: HeaderParserOptions = {}) {
    const max = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES
    if (!Number.isSafeInteger(max) || max < 0) {
      throw new RangeError("maxHeaderBytes must be a non-negative integer")
    }
    this.#maxHeaderBytes = max
  }

  /** Whether the blank line ending the block has been read. */
  get complete(): boolean {
    return this.#isComplete
  }

  /** The number of bytes of the block read so far, the blank line included once complete. */
  get offset(): number {
    return this.#consumed + this.#start
  }

  /**
   * Adds the next chunk. Returns the fields it completed and, once the blank line has
   * been read, `complete: true` and the bytes after it. Pushing after completion gives
   * the chunk back as `rest`.
   */
  push(chunk: Uint8Array): HeaderPushResult {
    if (this.#isComplete) return { fields: [], complete: true, rest: chunk }
    this.#append(chunk)
    const spans: number[] = []
    const end = this.#isOverflowing ? this.#skip() : this.#scanFields(spans)
    const fields = this.#read(spans)
    if (this.#overflowDefect !== null) {
      this.defects.push(this.#overflowDefect)
      this.#overflowDefect = null
    }
    if (end === -1) {
      this.#compact()
      return { fields, complete: false, rest: EMPTY }
    }
    this.#isComplete = true
    const rest = this.#buffer.slice(end, this.#length)
    this.#consumed += end
    this.#buffer = EMPTY
    this.#length = this.#start = this.#scan = 0
    return { fields, complete: true, rest }
  }

  /**
   * Ends the input without a blank line (a message with no body, §3.5): the last
   * field, which may lack a line end, is returned.
   */
  end(): { fields: HeaderField[] } {
    if (this.#isComplete) return { fields: [] }
    this.#isComplete = true
    const spans: number[] = []
    if (!this.#isOverflowing && this.#start < this.#length) this.#emit(spans, this.#length)
    const fields = this.#read(spans)
    this.#buffer = EMPTY
    this.#length = this.#start = this.#scan = 0
    return { fields }
  }

  #append(chunk: Uint8Array): void {
    const needed = this.#length + chunk.length
    if (needed > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(needed, this.#buffer.length * 2))
      grown.set(this.#buffer.subarray(0, this.#length))
      this.#buffer = grown
    }
    this.#buffer.set(chunk, this.#length)
    this.#length = needed
  }

  /** Moves the unread bytes to the front once at least half the buffer is spent. */
  #compact(): void {
    if (this.#start === 0 || this.#start < this.#buffer.length / 2) return
    this.#buffer.copyWithin(0, this.#start, this.#length)
    this.#consumed += this.#start
    this.#length -= this.#start
    this.#scan -= this.#start
    this.#start = 0
  }

  /**
   * Finds every complete field and adds its `[start, end)` in the buffer to `spans`;
   * returns the index just past the blank line, or -1 when more input is needed.
   */
  #scanFields(spans: number[]): number {
    const buffer = this.#buffer
    const filled = buffer.subarray(0, this.#length)
    for (;;) {
      const start = this.#start
      if (start >= this.#length) return -1
      const blank = this.#blankLineEnd(start)
      if (blank === -2) return -1
      if (blank >= 0) return blank
      const lf = filled.indexOf(LF, this.#scan)
      if (lf === -1 || lf + 1 >= this.#length) {
        this.#scan = lf === -1 ? this.#length : lf
        if (this.#overLimit(this.#length)) return this.#skip()
        return -1
      }
      const next = buffer[lf + 1]
      if (next === SP || next === HTAB) {
        this.#scan = lf + 1
        continue
      }
      if (this.#overLimit(lf + 1)) return this.#skip()
      this.#emit(spans, lf + 1)
    }
  }

  /** End of the blank line at `at`; -1 if the line is not blank; -2 if unknown yet. */
  #blankLineEnd(at: number): number {
    const byte = this.#buffer[at]
    if (byte === LF) return at + 1
    if (byte !== CR) return -1
    if (at + 1 >= this.#length) return -2
    return this.#buffer[at + 1] === LF ? at + 2 : -1
  }

  #overLimit(end: number): boolean {
    if (this.#consumed + end <= this.#maxHeaderBytes) return false
    this.#isOverflowing = true
    this.#isAtLineStart = true
    this.#overflowDefect = defect(
      "HEADER_TOO_LARGE",
      `the header block is larger than ${this.#maxHeaderBytes} bytes; the rest was skipped`,
      this.offset,
    )
    return true
  }

  /** Skips whole lines past the limit; same return value as {@link #scanFields}. */
  #skip(): number {
    const buffer = this.#buffer
    const filled = buffer.subarray(0, this.#length)
    while (this.#start < this.#length) {
      if (this.#isAtLineStart) {
        const blank = this.#blankLineEnd(this.#start)
        if (blank === -2) return -1
        if (blank >= 0) return blank
      }
      const lf = filled.indexOf(LF, this.#start)
      if (lf === -1) {
        this.#isAtLineStart = false
        this.#start = this.#length
        break
      }
      this.#start = lf + 1
      this.#isAtLineStart = true
    }
    this.#scan = this.#start
    return -1
  }

  /** Records the logical line from the current start to `end` and moves past it. */
  #emit(spans: number[], end: number): void {
    spans.push(this.#start, end)
    this.#start = this.#scan = end
  }

  /**
   * Reads the recorded lines into fields. Their bytes are copied once into a single new
   * array, and each `raw` is a view of it: one allocation per push instead of one per
   * field, which keeps a block of 100,000 tiny fields as cheap as one large one.
   */
  #read(spans: number[]): HeaderField[] {
    const fields: HeaderField[] = []
    if (spans.length === 0) return fields
    const first = spans[0]!
    const copy = this.#buffer.slice(first, spans[spans.length - 1]!)
    const base = this.#consumed + first
    for (let i = 0; i < spans.length; i += 2) {
      const raw = copy.subarray(spans[i]! - first, spans[i + 1]! - first)
      const offset = base + spans[i]! - first
      if (offset === 0 && (raw[0] === SP || raw[0] === HTAB)) {
        this.defects.push(
          defect("ORPHAN_CONTINUATION", "the block starts with a continuation line", offset),
        )
        continue
      }
      const read = readField(raw, offset)
      if (read.type === "field") fields.push(read.field)
      else this.defects.push(read.defect)
    }
    return fields
  }
}
