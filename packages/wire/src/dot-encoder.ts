/**
 * Streaming dot-stuffing for SMTP DATA (RFC 5321 §4.5.2) and POP3 multi-line responses
 * (RFC 1939 §3): every line that begins with `.` gets one more `.`, and the body ends
 * with `<CRLF>.<CRLF>` — with a CRLF added first when the body does not end in one.
 *
 * Bare CR and bare LF are what SMTP smuggling (CVE-2023-51766 and kin) rides on: a
 * receiver that takes `<LF>.<LF>` as the end of data would see a second message. By
 * default the encoder therefore turns every bare CR or LF into CRLF, so what it writes
 * is unambiguous to every receiver.
 *
 * Buffers: the returned bytes are a fresh array or a view of the input chunk; the
 * encoder keeps no reference to either.
 */
import { CR, concatBytes, DOT, LF } from "./bytes.js"
import { LocalProtocolError, WIRE_HINTS } from "./errors.js"

/**
 * What to do with a CR or LF that is not part of a CRLF pair.
 * - `"normalize"` (default): write it as CRLF.
 * - `"reject"`: throw a `LocalProtocolError` (`BARE_CR` / `BARE_LF`).
 * - `"accept"`: pass it through; only CRLF starts a new line.
 */
export type BareLineEndingPolicy = "normalize" | "reject" | "accept"

export interface DotEncoderOptions {
  readonly bareLineEndings?: BareLineEndingPolicy
}

const CRLF = Uint8Array.of(CR, LF)
const DOT_BYTE = Uint8Array.of(DOT)
const TERMINATOR = Uint8Array.of(DOT, CR, LF)
const CRLF_TERMINATOR = Uint8Array.of(CR, LF, DOT, CR, LF)
const BARE_CR_BYTE = Uint8Array.of(CR)

export class DotEncoder {
  readonly bareLineEndings: BareLineEndingPolicy
  /** The next byte written starts a line. */
  private atLineStart = true
  /** The previous chunk ended with a CR whose partner is not known yet. */
  private pendingCr = false
  private ended = false

  constructor(options: DotEncoderOptions = {}) {
    this.bareLineEndings = options.bareLineEndings ?? "normalize"
  }

  /**
   * The stuffed form of the next piece of the body. Bytes that need no change are not
   * copied: runs between the changes (a stuffed dot, a rewritten line end) are handed out
   * as views of `chunk`, so a chunk with nothing to change comes back as itself.
   */
  encode(chunk: Uint8Array): Uint8Array {
    if (this.ended) throw new LocalProtocolError("INVALID_STATE", "encode() after end()")
    const out: Uint8Array[] = []
    const length = chunk.length
    let pos = 0
    /** Where the run of bytes that are not in `out` yet begins. */
    let from = 0
    if (this.pendingCr && length > 0) {
      this.pendingCr = false
      if (chunk[0] === LF) {
        out.push(CRLF)
        pos = 1
        from = 1
        this.atLineStart = true
      } else {
        this.bareCr(out)
      }
    }
    const scan = new LowByteScan(chunk)
    while (pos < length) {
      if (this.atLineStart && chunk[pos] === DOT) {
        pushRun(out, chunk, from, pos)
        out.push(DOT_BYTE)
        from = pos
      }
      this.atLineStart = false
      const stop = plainRunEnd(chunk, scan, pos)
      if (stop === length) {
        // The run ended the chunk; only a CRLF can have let an LF into it.
        this.atLineStart = chunk[length - 1] === LF
        break
      }
      pos = stop
      if (chunk[stop] === DOT) {
        // A dot right after a CRLF: stuffed at the top of the loop.
        this.atLineStart = true
        continue
      }
      pushRun(out, chunk, from, stop)
      pos = stop + 1
      from = pos
      if (chunk[stop] === LF) this.bareLf(out)
      else if (pos < length) this.bareCr(out)
      else this.pendingCr = true
    }
    if (from === 0 && out.length === 0) return chunk
    pushRun(out, chunk, from, length)
    // One run and nothing added: the caller's own bytes, as a view.
    if (out.length === 1 && out[0]!.buffer === chunk.buffer) return out[0]!
    return concatBytes(out)
  }

  /**
   * `encode` for a chunk the caller already knows needs no change: every CR in it is
   * followed by an LF, every LF has a CR before it, and no line in it begins with `.`
   * (including its first byte). A store that found this while reading the bytes spares
   * the encoder its own scan; the chunk comes back as itself. Right after a chunk that
   * ended with a CR the first byte could pair with it, so that case still goes through
   * `encode`. A wrong claim would send a line unstuffed: only pass what was checked.
   */
  encodeClean(chunk: Uint8Array): Uint8Array {
    if (this.ended || this.pendingCr) return this.encode(chunk)
    if (chunk.length > 0) this.atLineStart = chunk[chunk.length - 1] === LF
    return chunk
  }

  /** The bytes that close the body: a CRLF if the body did not end with one, then `.CRLF`. */
  end(): Uint8Array {
    if (this.ended) throw new LocalProtocolError("INVALID_STATE", "end() called twice")
    this.ended = true
    const out: Uint8Array[] = []
    if (this.pendingCr) {
      this.pendingCr = false
      this.bareCr(out)
    }
    out.push(this.atLineStart ? TERMINATOR : CRLF_TERMINATOR)
    return concatBytes(out)
  }

  private bareLf(out: Uint8Array[]): void {
    if (this.bareLineEndings === "reject") {
      throw new LocalProtocolError("BARE_LF", "bare LF in body", { hint: WIRE_HINTS.BARE_LF })
    }
    if (this.bareLineEndings === "normalize") {
      out.push(CRLF)
      this.atLineStart = true
    } else {
      out.push(CRLF.subarray(1))
    }
  }

  private bareCr(out: Uint8Array[]): void {
    if (this.bareLineEndings === "reject") {
      throw new LocalProtocolError("BARE_CR", "bare CR in body", { hint: WIRE_HINTS.BARE_CR })
    }
    if (this.bareLineEndings === "normalize") {
      out.push(CRLF)
      this.atLineStart = true
    } else {
      out.push(BARE_CR_BYTE)
    }
  }
}

/**
 * Where, from `pos`, the first byte is that `encode` must look at: a CR not followed by
 * an LF in the chunk (a bare CR, or one whose partner is in the next chunk), an LF not
 * after a CR, or a dot that begins a line after a CRLF. `chunk.length` if none.
 */
function plainRunEnd(chunk: Uint8Array, scan: LowByteScan, pos: number): number {
  const length = chunk.length
  let at = pos
  for (;;) {
    at = scan.next(at)
    if (at === length) return length
    const byte = chunk[at]
    if (byte === LF) return at
    if (byte !== CR) {
      at++ // another control byte, such as a TAB
      continue
    }
    if (chunk[at + 1] !== LF) return at
    if (chunk[at + 2] === DOT) return at + 2
    at += 2
  }
}

/** Bytes below this are looked at one by one: CR, LF, and the rarer controls below them. */
const LOW_BYTE_LIMIT = 0x0e
/** {@link LOW_BYTE_LIMIT} in each byte of a 32-bit word. */
const LOW_LIMIT_WORD = 0x0e0e0e0e
/** The top bit of each byte of a 32-bit word. */
const TOP_BITS_WORD = 0x80808080
/** Below this many bytes a chunk is scanned byte by byte: setting up words costs more. */
const MIN_WORD_SCAN_BYTES = 32
const NO_WORDS = new Uint32Array(0)

/**
 * Whether one of the four bytes of `word` is below {@link LOW_BYTE_LIMIT}: subtracting
 * the limit from every byte sets a byte's top bit when it borrows, and `& ~word` drops
 * bytes whose top bit was set already (0x80 and above). The test is exact for "any",
 * though a borrow can mark a higher byte too, so the caller finds which byte by bytes.
 */
function hasLowByte(word: number): boolean {
  return ((word - LOW_LIMIT_WORD) & ~word & TOP_BITS_WORD) !== 0
}

/**
 * Finds the bytes below {@link LOW_BYTE_LIMIT} in one chunk, four bytes at a time over the
 * part of it that is 4-byte aligned in memory, since mail has such a byte only about once
 * every 80 bytes (a CRLF). Byte-order free: it only asks whether a word holds one.
 */
class LowByteScan {
  /** The aligned middle of the chunk as words; empty for short chunks. */
  private readonly words: Uint32Array
  /** The chunk index of `words[0]`, and of the first byte after the last word. */
  private readonly wordsStart: number
  private readonly wordsEnd: number

  constructor(private readonly chunk: Uint8Array) {
    if (chunk.length < MIN_WORD_SCAN_BYTES) {
      this.words = NO_WORDS
      this.wordsStart = chunk.length
      this.wordsEnd = chunk.length
      return
    }
    const start = (4 - (chunk.byteOffset & 3)) & 3
    const count = (chunk.length - start) >>> 2
    this.words = new Uint32Array(chunk.buffer, chunk.byteOffset + start, count)
    this.wordsStart = start
    this.wordsEnd = start + count * 4
  }

  /** The index of the first byte at or after `from` below the limit, or the chunk's length. */
  next(from: number): number {
    const chunk = this.chunk
    const length = chunk.length
    let at = from
    while (at < length && !this.isWordStart(at)) {
      if (chunk[at]! < LOW_BYTE_LIMIT) return at
      at++
    }
    if (at === length) return length
    const words = this.words
    let word = (at - this.wordsStart) >>> 2
    while (word < words.length && !hasLowByte(words[word]!)) word++
    // The word that holds one, or the few bytes after the last word.
    for (at = this.wordsStart + word * 4; at < length; at++) {
      if (chunk[at]! < LOW_BYTE_LIMIT) return at
    }
    return length
  }

  private isWordStart(at: number): boolean {
    return at >= this.wordsStart && at < this.wordsEnd && ((at - this.wordsStart) & 3) === 0
  }
}

/** Adds `chunk[from, to)` to `out` unless it is empty. */
function pushRun(out: Uint8Array[], chunk: Uint8Array, from: number, to: number): void {
  if (to > from) out.push(chunk.subarray(from, to))
}

/** The whole body stuffed and terminated in one call. */
export function dotStuff(body: Uint8Array, options?: DotEncoderOptions): Uint8Array {
  const encoder = new DotEncoder(options)
  return concatBytes([encoder.encode(body), encoder.end()])
}
