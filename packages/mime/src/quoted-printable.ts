/**
 * Quoted-printable content-transfer-encoding (RFC 2045 §6.7): a streaming decoder that
 * accepts chunk boundaries anywhere, and an encoder that keeps lines at 76 characters
 * or fewer with soft line breaks.
 *
 * The decoder is lenient as mail readers are: lowercase hex (Outlook Express, some PHP
 * mailers) is decoded, an `=` not followed by two hex digits is kept literally, `=` at
 * the very end of the input is dropped, and trailing whitespace before a line break is
 * kept (RFC 2045 says to remove it, but Thunderbird and postal-mime keep it and senders
 * rely on it). Each irregularity is reported once per decoder as a defect. Line breaks
 * are passed through as they came (CRLF or LF).
 *
 * Returned arrays are new and owned by the caller; input arrays are never modified.
 */
import type { DefectSink } from "./defects.js"

/** Maximum encoded line length including a soft-break `=` (RFC 2045 §6.7 rule 5). */
export const QP_LINE_LENGTH = 76

const HEX_VALUE = new Int8Array(256).fill(-1)
for (let i = 0; i < 10; i++) HEX_VALUE[0x30 + i] = i
for (let i = 0; i < 6; i++) {
  HEX_VALUE[0x41 + i] = 10 + i
  HEX_VALUE[0x61 + i] = 10 + i
}
const HEX_DIGITS = "0123456789ABCDEF"

/** A streaming quoted-printable decoder. */
export class QuotedPrintableDecoder {
  /** Bytes after an `=` that could not yet be interpreted (at most 2 + whitespace). */
  private pending: number[] = []
  private reported = false
  private readonly onDefect: DefectSink | undefined

  constructor(onDefect?: DefectSink) {
    this.onDefect = onDefect
  }

  /** Decodes `chunk`, holding back an incomplete `=` escape for the next call. */
  update(chunk: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.maxOutput(chunk.length))
    return out.subarray(0, this.updateInto(chunk, out, 0))
  }

  /** The most bytes {@link updateInto} can write for an input of `length` bytes. */
  maxOutput(length: number): number {
    return length + this.pending.length
  }

  /**
   * Decodes `chunk` into `out` from `at` (room for {@link maxOutput} bytes is needed);
   * returns the offset after the last byte written. Lets a caller reuse one buffer.
   */
  updateInto(chunk: Uint8Array, out: Uint8Array, at: number): number {
    let input = chunk
    if (this.pending.length > 0) {
      input = new Uint8Array(this.pending.length + chunk.length)
      input.set(this.pending)
      input.set(chunk, this.pending.length)
      this.pending = []
    }
    let o = at
    const len = input.length
    let i = 0
    while (i < len) {
      const b = input[i]!
      if (b !== 0x3d) {
        out[o++] = b
        i++
        continue
      }
      if (i + 2 < len) {
        const x = input[i + 1]!
        const y = input[i + 2]!
        const hi = HEX_VALUE[x]!
        const lo = HEX_VALUE[y]!
        if ((hi | lo) >= 0) {
          if (x >= 0x61 || y >= 0x61) this.defect()
          out[o++] = (hi << 4) | lo
          i += 3
          continue
        }
      }
      const r = this.escape(input, i, out, o)
      if (r === null) {
        for (let k = i; k < len; k++) this.pending.push(input[k]!)
        break
      }
      i = r[0]
      o = r[1]
    }
    return o
  }

  /** Flushes a trailing escape: a lone `=` at the end of the input is dropped. */
  end(): Uint8Array {
    const rest = this.pending
    this.pending = []
    if (rest.length <= 1) return new Uint8Array(0)
    this.defect()
    // `=X` or `=` plus whitespace at the end: keep what follows the `=`, trimmed.
    let end = rest.length
    while (end > 1 && (rest[end - 1] === 0x20 || rest[end - 1] === 0x09)) end--
    return Uint8Array.from(rest.slice(end === 1 ? 1 : 0, end))
  }

  /** Interprets the `=` at `i`; returns the next input and output positions, or null for "need more". */
  private escape(
    input: Uint8Array,
    i: number,
    out: Uint8Array,
    o: number,
  ): [number, number] | null {
    const len = input.length
    if (i + 1 >= len) return null
    const a = input[i + 1]!
    if (a === 0x0a) return [i + 2, o]
    if (a === 0x0d) {
      if (i + 2 >= len) return null
      return [input[i + 2] === 0x0a ? i + 3 : i + 2, o]
    }
    if (a === 0x20 || a === 0x09) {
      // A soft break with transport padding: `=` then spaces then a line break.
      let k = i + 1
      while (k < len && (input[k] === 0x20 || input[k] === 0x09)) k++
      if (k >= len) return k - i > 64 ? this.literal(out, o, i) : null
      if (input[k] === 0x0a) return [k + 1, o]
      if (input[k] === 0x0d) {
        if (k + 1 >= len) return null
        return [input[k + 1] === 0x0a ? k + 2 : k + 1, o]
      }
      return this.literal(out, o, i)
    }
    if (i + 2 >= len) return HEX_VALUE[a]! >= 0 ? null : this.literal(out, o, i)
    const hi = HEX_VALUE[a]!
    const lo = HEX_VALUE[input[i + 2]!]!
    if (hi < 0 || lo < 0) return this.literal(out, o, i)
    if ((a >= 0x61 || input[i + 2]! >= 0x61) && !this.reported) this.defect()
    out[o] = (hi << 4) | lo
    return [i + 3, o + 1]
  }

  private literal(out: Uint8Array, o: number, i: number): [number, number] {
    this.defect()
    out[o] = 0x3d
    return [i + 1, o + 1]
  }

  private defect(): void {
    if (this.reported) return
    this.reported = true
    this.onDefect?.({
      code: "INVALID_QUOTED_PRINTABLE",
      message: "quoted-printable content has malformed escapes; they were decoded leniently",
    })
  }
}

/** Decodes a whole quoted-printable text at once (lenient, as {@link QuotedPrintableDecoder}). */
export function decodeQuotedPrintable(input: Uint8Array, onDefect?: DefectSink): Uint8Array {
  const decoder = new QuotedPrintableDecoder(onDefect)
  const body = decoder.update(input)
  const tail = decoder.end()
  if (tail.length === 0) return body
  const out = new Uint8Array(body.length + tail.length)
  out.set(body)
  out.set(tail, body.length)
  return out
}

/**
 * Encodes `bytes` as quoted-printable with CRLF line breaks. Line breaks in the input
 * (CRLF, or a bare LF) stay hard line breaks; everything else that is not printable
 * ASCII, `=`, and whitespace before a line break is escaped. Lines are at most
 * {@link QP_LINE_LENGTH} characters.
 */
export function encodeQuotedPrintable(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length * 3 + Math.ceil((bytes.length * 3) / 73) * 3 + 2)
  let o = 0
  let column = 0
  const len = bytes.length
  for (let i = 0; i < len; i++) {
    const b = bytes[i]!
    if (b === 0x0a || (b === 0x0d && bytes[i + 1] === 0x0a)) {
      if (b === 0x0d) i++
      out[o++] = 0x0d
      out[o++] = 0x0a
      column = 0
      continue
    }
    const next = bytes[i + 1]
    const atLineEnd =
      next === undefined || next === 0x0a || (next === 0x0d && bytes[i + 2] === 0x0a)
    const plain =
      (b >= 0x21 && b <= 0x7e && b !== 0x3d) || ((b === 0x20 || b === 0x09) && !atLineEnd)
    // A leading "." or "From " is escaped so no transport can alter it (RFC 2049 §3).
    const guard = column === 0 && (b === 0x2e || (b === 0x46 && startsWithFrom(bytes, i)))
    const width = plain && !guard ? 1 : 3
    const room = atLineEnd ? QP_LINE_LENGTH : QP_LINE_LENGTH - 1
    if (column + width > room) {
      out[o++] = 0x3d
      out[o++] = 0x0d
      out[o++] = 0x0a
      column = 0
    }
    if (width === 1) {
      out[o++] = b
    } else {
      out[o++] = 0x3d
      out[o++] = HEX_DIGITS.charCodeAt(b >> 4)
      out[o++] = HEX_DIGITS.charCodeAt(b & 15)
    }
    column += width
  }
  return out.slice(0, o)
}

function startsWithFrom(bytes: Uint8Array, i: number): boolean {
  return (
    bytes[i + 1] === 0x72 && bytes[i + 2] === 0x6f && bytes[i + 3] === 0x6d && bytes[i + 4] === 0x20
  )
}
