/**
 * The parser's stack frame for one open part, and the boundaries that can end it
 * (RFC 2046 §5.1.1). Internal to `MimeParser`: plain data and the boundary-line
 * matcher, nothing that reads a stream.
 */
import type { BodyDecoder } from "./body-decoder.js"
import type { MimeDefect } from "./defects.js"
import type { MimePart } from "./part.js"

/**
 * Longest line still checked for being a boundary, beyond the boundary itself: room for
 * `--`, transport padding (RFC 2046 §5.1.1 allows trailing whitespace) and CRLF.
 */
export const BOUNDARY_SLACK = 256

/** One open part: where it is, what it is, and what is still being collected. */
export interface Frame {
  mode: "headers" | "leaf" | "multipart" | "message"
  readonly path: readonly number[]
  readonly depth: number
  readonly headerStart: number
  readonly inDigest: boolean
  part: MimePart | null
  /** `--boundary` as bytes, for a multipart. */
  delimiter: Uint8Array | null
  isClosed: boolean
  childCount: number
  decoder: BodyDecoder | null
  headerChunks: Uint8Array[]
  headerBytes: number
  bodyLinesStart: number
  defects: MimeDefect[]
}

export interface ActiveBoundary {
  readonly frame: number
  readonly delimiter: Uint8Array
}

/** A frame for a part whose header block starts at `start`. */
export function headersFrame(
  path: readonly number[],
  depth: number,
  start: number,
  inDigest: boolean,
): Frame {
  return {
    mode: "headers",
    path,
    depth,
    headerStart: start,
    inDigest,
    part: null,
    delimiter: null,
    isClosed: false,
    childCount: 0,
    decoder: null,
    headerChunks: [],
    headerBytes: 0,
    bodyLinesStart: 0,
    defects: [],
  }
}

/** `--boundary` as bytes (RFC 2046 §5.1.1 dash-boundary). */
export function delimiterBytes(boundary: string): Uint8Array {
  const text = `--${boundary}`
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff
  return out
}

/** Which active boundary the line `[p, lineEnd)` is, and whether it closes (RFC 2046 §5.1.1). */
export function matchBoundary(
  active: readonly ActiveBoundary[],
  buf: Uint8Array,
  p: number,
  lineEnd: number,
): { frame: number; isClose: boolean } | null {
  for (const { frame, delimiter } of active) {
    const dl = delimiter.length
    if (lineEnd - p < dl) continue
    let k = 2
    while (k < dl && buf[p + k] === delimiter[k]) k++
    if (k < dl) continue
    let q = p + dl
    let isClose = false
    if (q + 2 <= lineEnd && buf[q] === 0x2d && buf[q + 1] === 0x2d) {
      isClose = true
      q += 2
    }
    while (q < lineEnd && (buf[q] === 0x20 || buf[q] === 0x09)) q++
    if (q === lineEnd) return { frame, isClose }
  }
  return null
}
