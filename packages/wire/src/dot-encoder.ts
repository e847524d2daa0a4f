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

  /** The stuffed form of the next piece of the body. */
  encode(chunk: Uint8Array): Uint8Array {
    if (this.ended) throw new LocalProtocolError("INVALID_STATE", "encode() after end()")
    const out: Uint8Array[] = []
    const length = chunk.length
    let pos = 0
    if (this.pendingCr && length > 0) {
      this.pendingCr = false
      if (chunk[0] === LF) {
        out.push(CRLF)
        pos = 1
        this.atLineStart = true
      } else {
        this.bareCr(out)
      }
    }
    let nextCr = -2
    let nextLf = -2
    while (pos < length) {
      if (this.atLineStart && chunk[pos] === DOT) out.push(DOT_BYTE)
      this.atLineStart = false
      if (nextCr !== -1 && nextCr < pos) nextCr = chunk.indexOf(CR, pos)
      if (nextLf !== -1 && nextLf < pos) nextLf = chunk.indexOf(LF, pos)
      const cr = nextCr === -1 ? length : nextCr
      const lf = nextLf === -1 ? length : nextLf
      if (cr === length && lf === length) {
        out.push(chunk.subarray(pos))
        break
      }
      if (lf < cr) {
        // A bare LF: no CR right before it, or the CR would have been found first.
        out.push(chunk.subarray(pos, lf))
        pos = lf + 1
        this.bareLf(out)
      } else if (cr + 1 < length) {
        if (chunk[cr + 1] === LF) {
          out.push(chunk.subarray(pos, cr + 2))
          pos = cr + 2
          this.atLineStart = true
        } else {
          out.push(chunk.subarray(pos, cr))
          pos = cr + 1
          this.bareCr(out)
        }
      } else {
        out.push(chunk.subarray(pos, cr))
        pos = length
        this.pendingCr = true
      }
    }
    // The common case, a chunk with no dot to stuff, goes out as the caller's own bytes.
    if (out.length === 1 && out[0]!.buffer === chunk.buffer) return out[0]!
    return concatBytes(out)
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

/** The whole body stuffed and terminated in one call. */
export function dotStuff(body: Uint8Array, options?: DotEncoderOptions): Uint8Array {
  const encoder = new DotEncoder(options)
  return concatBytes([encoder.encode(body), encoder.end()])
}
