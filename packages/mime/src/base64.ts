/**
 * Base64 content-transfer-encoding (RFC 2045 §6.8): a streaming decoder that accepts
 * chunk boundaries anywhere and a streaming encoder that writes 76-character lines.
 *
 * The decoder is lenient the way mail readers are: characters outside the alphabet
 * (line breaks, spaces, stray punctuation from broken gateways) are skipped, missing
 * padding is accepted, and data after `=` padding continues a new quantum (some
 * mailers concatenate separately-encoded blocks). Each irregularity is reported once
 * per decoder as a defect. It does not validate that a part's content is base64.
 *
 * Returned arrays are new and owned by the caller; input arrays are never modified.
 */
import { decodeLatin1 } from "@mailwire/wire"
import type { DefectSink } from "./defects.js"

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

/** Value of each byte in the alphabet; 64 for `=`, 65 for whitespace, 66 for the rest. */
const DECODE = new Uint8Array(256).fill(66)
for (let i = 0; i < 64; i++) DECODE[ALPHABET.charCodeAt(i)] = i
DECODE[0x3d] = 64
for (const ws of [0x09, 0x0a, 0x0d, 0x20]) DECODE[ws] = 65
// The URL-safe alphabet (RFC 4648 §5) turns up in mail produced by web services.
DECODE[0x2d] = 62
DECODE[0x5f] = 63

/**
 * Two alphabet characters at once: `PAIRS[(x << 8) | y]` is their 12 bits, or -1 when
 * either is not in the alphabet. Halves the look-ups of the decoder's hot loop.
 */
const PAIRS = new Int16Array(65536).fill(-1)
for (let x = 0; x < 256; x++) {
  const hi = DECODE[x]!
  if (hi >= 64) continue
  for (let y = 0; y < 256; y++) {
    const lo = DECODE[y]!
    if (lo < 64) PAIRS[(x << 8) | y] = (hi << 6) | lo
  }
}

const ENCODE = new Uint8Array(64)
for (let i = 0; i < 64; i++) ENCODE[i] = ALPHABET.charCodeAt(i)

/** Line length of encoded output, the maximum RFC 2045 §6.8 allows. */
export const BASE64_LINE_LENGTH = 76

/** A streaming base64 decoder; feed it chunks split anywhere. */
export class Base64Decoder {
  private quantum = 0
  private bits = 0
  private reportedBad = false
  private readonly onDefect: DefectSink | undefined

  constructor(onDefect?: DefectSink) {
    this.onDefect = onDefect
  }

  /** Decodes `chunk`, holding back an incomplete quantum for the next call. */
  update(chunk: Uint8Array): Uint8Array {
    const out = new Uint8Array(Base64Decoder.maxOutput(chunk.length))
    return out.subarray(0, this.updateInto(chunk, out, 0))
  }

  /** The most bytes {@link updateInto} can write for an input of `length` bytes. */
  static maxOutput(length: number): number {
    return ((length + 4) >> 2) * 3 + 3
  }

  /**
   * Decodes `chunk` into `out` from `at` (room for {@link maxOutput} bytes is needed);
   * returns the offset after the last byte written. Lets a caller reuse one buffer.
   */
  updateInto(chunk: Uint8Array, out: Uint8Array, at: number): number {
    let o = at
    let q = this.quantum
    let n = this.bits
    const len = chunk.length
    let i = 0
    // Fast path: whole quanta of four alphabet characters.
    while (i < len) {
      if (n === 0) {
        while (i + 4 <= len) {
          const high = PAIRS[(chunk[i]! << 8) | chunk[i + 1]!]!
          const low = PAIRS[(chunk[i + 2]! << 8) | chunk[i + 3]!]!
          if ((high | low) < 0) break
          const v = (high << 12) | low
          out[o++] = v >> 16
          out[o++] = (v >> 8) & 0xff
          out[o++] = v & 0xff
          i += 4
        }
        if (i >= len) break
      }
      const value = DECODE[chunk[i++]!]!
      if (value < 64) {
        q = (q << 6) | value
        n++
        if (n === 4) {
          out[o++] = q >> 16
          out[o++] = (q >> 8) & 0xff
          out[o++] = q & 0xff
          q = 0
          n = 0
        }
      } else if (value === 64) {
        o = this.flushPartial(out, o, q, n)
        q = 0
        n = 0
      } else if (value === 66 && !this.reportedBad) {
        this.reportedBad = true
        this.onDefect?.({
          code: "INVALID_BASE64",
          message: "base64 content contains characters outside the alphabet; they were skipped",
        })
      }
    }
    this.quantum = q
    this.bits = n
    return o
  }

  /** Flushes what is left: a final quantum without its padding still yields its bytes. */
  end(): Uint8Array {
    const out = new Uint8Array(3)
    if (this.bits !== 0 && this.bits !== 1) {
      this.onDefect?.({
        code: "BASE64_PADDING",
        message: "base64 content ends without its padding",
      })
    }
    const o = this.flushPartial(out, 0, this.quantum, this.bits)
    this.quantum = 0
    this.bits = 0
    return out.subarray(0, o)
  }

  private flushPartial(out: Uint8Array, o: number, q: number, n: number): number {
    if (n === 2) {
      out[o++] = (q >> 4) & 0xff
    } else if (n === 3) {
      out[o++] = (q >> 10) & 0xff
      out[o++] = (q >> 2) & 0xff
    }
    return o
  }
}

/** Decodes a whole base64 text at once (lenient, as {@link Base64Decoder}). */
export function decodeBase64(input: Uint8Array | string, onDefect?: DefectSink): Uint8Array {
  const bytes = typeof input === "string" ? asciiBytes(input) : input
  const decoder = new Base64Decoder(onDefect)
  const body = decoder.update(bytes)
  const tail = decoder.end()
  if (tail.length === 0) return body
  const out = new Uint8Array(body.length + tail.length)
  out.set(body)
  out.set(tail, body.length)
  return out
}

/**
 * A streaming base64 encoder writing CRLF-terminated lines of at most `lineLength`
 * characters (76 by default); `lineLength: 0` writes one unbroken run (for RFC 2047).
 */
export class Base64Encoder {
  private carry = new Uint8Array(3)
  private carried = 0
  private column = 0
  private readonly lineLength: number

  constructor(lineLength = BASE64_LINE_LENGTH) {
    this.lineLength = lineLength - (lineLength % 4)
  }

  /** Encodes `chunk`, keeping up to two bytes back until the next call or {@link end}. */
  update(chunk: Uint8Array): Uint8Array {
    const total = this.carried + chunk.length
    const whole = total - (total % 3)
    const chars = (whole / 3) * 4
    const breaks = this.lineLength > 0 ? Math.ceil((chars + this.column) / this.lineLength) : 0
    const out = new Uint8Array(chars + breaks * 2)
    let o = 0
    let i = 0
    const take = (k: number): number =>
      k < this.carried ? this.carry[k]! : chunk[k - this.carried]!
    let k = 0
    if (this.carried > 0 && whole > 0) {
      o = this.emit(out, o, take(0), take(1), take(2))
      k = 3
    }
    i = k - this.carried
    const end = whole - this.carried
    const lineLength = this.lineLength
    while (i < end) {
      const v = (chunk[i]! << 16) | (chunk[i + 1]! << 8) | chunk[i + 2]!
      out[o++] = ENCODE[v >> 18]!
      out[o++] = ENCODE[(v >> 12) & 63]!
      out[o++] = ENCODE[(v >> 6) & 63]!
      out[o++] = ENCODE[v & 63]!
      i += 3
      if (lineLength > 0) {
        this.column += 4
        if (this.column >= lineLength) {
          out[o++] = 0x0d
          out[o++] = 0x0a
          this.column = 0
        }
      }
    }
    const rest = total - whole
    const restStart = chunk.length - rest
    if (whole === 0) {
      for (let r = 0; r < chunk.length; r++) this.carry[this.carried + r] = chunk[r]!
    } else {
      for (let r = 0; r < rest; r++) this.carry[r] = chunk[restStart + r]!
    }
    this.carried = rest
    return out.subarray(0, o)
  }

  /** Writes the final quantum with its padding, and a line break if a line is open. */
  end(): Uint8Array {
    const out = new Uint8Array(8)
    let o = 0
    if (this.carried > 0) {
      const a = this.carry[0]!
      const b = this.carried > 1 ? this.carry[1]! : 0
      const v = (a << 16) | (b << 8)
      out[o++] = ENCODE[v >> 18]!
      out[o++] = ENCODE[(v >> 12) & 63]!
      out[o++] = this.carried > 1 ? ENCODE[(v >> 6) & 63]! : 0x3d
      out[o++] = 0x3d
      this.column += 4
    }
    if (this.lineLength > 0 && this.column > 0) {
      out[o++] = 0x0d
      out[o++] = 0x0a
    }
    this.carried = 0
    this.column = 0
    return out.subarray(0, o)
  }

  private emit(out: Uint8Array, o: number, a: number, b: number, c: number): number {
    const v = (a << 16) | (b << 8) | c
    out[o++] = ENCODE[v >> 18]!
    out[o++] = ENCODE[(v >> 12) & 63]!
    out[o++] = ENCODE[(v >> 6) & 63]!
    out[o++] = ENCODE[v & 63]!
    if (this.lineLength > 0) {
      this.column += 4
      if (this.column >= this.lineLength) {
        out[o++] = 0x0d
        out[o++] = 0x0a
        this.column = 0
      }
    }
    return o
  }
}

/** Encodes `bytes` as base64; `lineLength: 0` gives one unbroken run without CRLF. */
export function encodeBase64(bytes: Uint8Array, lineLength = BASE64_LINE_LENGTH): string {
  const encoder = new Base64Encoder(lineLength)
  const body = encoder.update(bytes)
  const tail = encoder.end()
  return decodeLatin1(body) + decodeLatin1(tail)
}

function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff
  return out
}
