/**
 * `MimeParser`: a streaming, push-based MIME parser (RFC 2045 §3, RFC 2046 §5.1,
 * RFC 2046 §5.2.1, RFC 6532 §3.7). Push chunks split anywhere; get back events — a
 * part starts (with its headers and path), a chunk of its body (decoded, or raw on
 * request), a part ends, the message ends.
 *
 * It handles nested multiparts, `message/rfc822` and `message/global`, preamble and
 * epilogue, a missing final boundary, lines that look like a boundary but are not, LF-only
 * input and parts with no header block at all. Every problem is a defect on the part
 * where it was found; nothing throws on bad input.
 *
 * Memory is bounded whatever the input: the parser keeps at most one header block
 * (`maxHeaderBytes`) or one possible boundary line, plus the tree of parts
 * (`maxParts`, `maxDepth`). Past a limit the rest is body, with a defect.
 *
 * What it does not do: charset decoding, choosing text or attachments (see
 * `parseMessage`), and anything with I/O.
 *
 * Bytes handed out: a `body` event's `bytes` is a view — into the chunk just pushed,
 * the parser's line buffer, or its decode buffer (reused at every push, so decoding
 * makes no garbage per chunk). It stays valid until the next `push()` or `end()`; copy
 * it to keep it.
 */
import { createBodyDecoder } from "./body-decoder.js"
import {
  type ActiveBoundary,
  BOUNDARY_SLACK,
  delimiterBytes,
  type Frame,
  headersFrame,
  matchBoundary,
} from "./frame.js"
import { isFieldLine, parseHeaderBlock } from "./headers.js"
import {
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_MAX_PARTS,
  type MimeEvent,
  type MimeParserOptions,
} from "./parser-events.js"
import { createPart, type MimePart } from "./part.js"

/**
 * Largest decode buffer kept between pushes: enough for the 64 KiB chunks streams and
 * sockets deliver; a larger push gets a one-off buffer instead of pinning its size.
 */
const DECODE_BUFFER_BYTES = 1 << 20

const LF = 0x0a
const CR = 0x0d
const DASH = 0x2d
const CRLF_BYTES = Uint8Array.of(CR, LF)
const LF_BYTES = Uint8Array.of(LF)

/**
 * A streaming MIME parser.
 *
 * @example
 * ```ts
 * const parser = new MimeParser()
 * for (const event of parser.push(chunk)) if (event.type === "partStart") console.log(event.part.contentType.mimeType)
 * parser.end()
 * ```
 */
export class MimeParser {
  private readonly maxDepth: number
  private readonly maxParts: number
  private readonly maxHeaderBytes: number
  private readonly isRaw: boolean

  private readonly stack: Frame[] = []
  private active: ActiveBoundary[] = []
  private longestDelimiter = 0
  private events: MimeEvent[] = []
  private leftover: Uint8Array | null = null
  /** The array `leftover` lives at the start of, with room to append the next chunk. */
  private leftoverStore: Uint8Array | null = null
  /** In a header block, bytes of `leftover` already known to hold no LF. */
  private scanFrom = 0
  /** Absolute offset of `leftover[0]` (or of the next chunk when there is none). */
  private base = 0
  private isAtLineStart = true
  /** Length of the line break just before the line start (in the buffer, or held). */
  private breakLength = 0
  /** A line break from the last push held back: it is body unless a boundary follows. */
  private heldBreak: Uint8Array | null = null
  private isLineBeforeBreakEmpty = false
  private lineStart = 0
  private lines = 0
  private lastByte = -1
  private parts = 1
  private areBoundariesOff = false
  private isEnded = false
  private root: MimePart | null = null
  /** Where decoded body bytes are written; reused from the start at every push. */
  private decoded = new Uint8Array(0)
  private decodedUsed = 0

  constructor(options: MimeParserOptions = {}) {
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH
    this.maxParts = options.maxParts ?? DEFAULT_MAX_PARTS
    this.maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES
    this.isRaw = options.bodies === "raw"
    this.stack.push(headersFrame([], 0, 0, false))
  }

  /** Parses `chunk` and returns every event it completes (`[]` = need more). */
  push(chunk: Uint8Array): MimeEvent[] {
    if (this.isEnded || chunk.length === 0) return []
    this.lastByte = chunk[chunk.length - 1]!
    this.decodedUsed = 0
    let buf = chunk
    const leftover = this.leftover
    if (leftover !== null) {
      // Append in place when there is room, so a long partial line fed in small chunks
      // costs linear time, not a copy of everything so far at every push.
      const need = leftover.length + chunk.length
      let store = this.leftoverStore
      if (store === null || store.buffer !== leftover.buffer || store.length < need) {
        store = new Uint8Array(Math.max(need, 2 * leftover.length, 256))
        store.set(leftover)
      }
      store.set(chunk, leftover.length)
      this.leftoverStore = store
      buf = store.subarray(0, need)
      this.leftover = null
    }
    this.run(buf, false)
    const out = this.events
    this.events = []
    return out
  }

  /** Ends the input: closes every open part (with defects where that was premature). */
  end(): MimeEvent[] {
    if (this.isEnded) return []
    this.decodedUsed = 0
    const buf = this.leftover ?? new Uint8Array(0)
    this.leftover = null
    this.run(buf, true)
    const endOffset = this.base
    while (this.stack.length > 0) {
      const frame = this.stack[this.stack.length - 1]!
      if (frame.mode === "headers") {
        this.finishHeaders(frame, endOffset)
        continue
      }
      if (frame.mode === "multipart" && !frame.isClosed && !this.areBoundariesOff) {
        frame.part!.defects.push({
          code: "MISSING_FINAL_BOUNDARY",
          message: "the multipart ends without its closing boundary",
        })
      }
      this.closeTop(endOffset, this.lastByte === LF, false)
    }
    this.isEnded = true
    this.events.push({ type: "end", root: this.root! })
    const out = this.events
    this.events = []
    return out
  }

  private run(buf: Uint8Array, isFinal: boolean): void {
    let p = 0
    const len = buf.length
    for (;;) {
      const frame = this.stack[this.stack.length - 1]
      if (frame === undefined) return
      const next =
        frame.mode === "headers"
          ? this.readHeaders(frame, buf, p, isFinal)
          : this.readBody(frame, buf, p, isFinal)
      if (next < 0) {
        // Need more: keep the unread tail (a partial line, at most) for the next push.
        const keepFrom = -next - 1
        if (keepFrom === 0 && buf.buffer === this.leftoverStore?.buffer) this.leftover = buf
        else if (keepFrom < len) this.leftover = buf.slice(keepFrom)
        this.base += keepFrom
        return
      }
      p = next
      if (isFinal && p >= len && this.stack[this.stack.length - 1]?.mode !== "headers") {
        this.base += len
        this.breakLength = 0
        return
      }
    }
  }

  /** Reads header lines; returns the position after them, or `-(keepFrom + 1)` for need-more. */
  private readHeaders(frame: Frame, buf: Uint8Array, p: number, isFinal: boolean): number {
    const len = buf.length
    this.breakLength = 0
    let from = Math.max(p, this.scanFrom)
    this.scanFrom = 0
    for (;;) {
      if (p >= len && !isFinal) return -(p + 1)
      let nl = buf.indexOf(LF, from)
      if (nl === -1) {
        if (!isFinal) {
          if (frame.headerBytes + (len - p) > this.maxHeaderBytes)
            return this.headerOverflow(frame, p)
          this.scanFrom = len - p
          return -(p + 1)
        }
        if (p >= len) {
          this.finishHeaders(frame, this.base + len)
          return len
        }
        nl = len
      }
      const lineEnd = nl > p && buf[nl - 1] === CR ? nl - 1 : nl
      const next = nl === len ? len : nl + 1
      if (lineEnd === p) {
        if (nl < len) this.lines++
        this.finishHeaders(frame, this.base + next)
        return next
      }
      if (buf[p] === DASH && buf[p + 1] === DASH) {
        const match = matchBoundary(this.active, buf, p, lineEnd)
        if (match !== null) {
          this.finishHeaders(frame, this.base + p)
          this.isAtLineStart = true
          this.breakLength = 0
          return this.takeBoundary(match, p, nl, len)
        }
      }
      const first = buf[p]!
      const isContinuation = first === 0x20 || first === 0x09
      const line = buf.subarray(p, lineEnd)
      if ((isContinuation && frame.headerBytes > 0) || isFieldLine(line)) {
        if (frame.headerBytes + (next - p) > this.maxHeaderBytes)
          return this.headerOverflow(frame, p)
        frame.headerChunks.push(buf.slice(p, next))
        frame.headerBytes += next - p
        if (nl < len) this.lines++
        p = next
        from = p
        continue
      }
      // Not a header line: the header block is missing or ends without its blank line.
      frame.defects.push({
        code: "MISSING_HEADER_SEPARATOR",
        message:
          frame.headerBytes === 0
            ? "the part has no header block; its first line starts the body"
            : "the header block ends without a blank line; the body starts at a non-header line",
      })
      this.finishHeaders(frame, this.base + p)
      return p
    }
  }

  private headerOverflow(frame: Frame, p: number): number {
    frame.defects.push({
      code: "HEADER_TOO_LARGE",
      message: `the header block exceeds ${this.maxHeaderBytes} bytes; the rest is body`,
    })
    this.finishHeaders(frame, this.base + p)
    return p
  }

  private finishHeaders(frame: Frame, bodyStart: number): void {
    let size = 0
    for (const c of frame.headerChunks) size += c.length
    const block = new Uint8Array(size)
    let at = 0
    for (const c of frame.headerChunks) {
      block.set(c, at)
      at += c.length
    }
    frame.headerChunks = []
    const defects = frame.defects
    const fields = parseHeaderBlock(block, (d) => defects.push(d))
    const part = createPart(
      frame.path,
      fields,
      frame.headerStart,
      bodyStart,
      frame.inDigest,
      defects,
    )
    frame.part = part
    frame.bodyLinesStart = this.lines
    this.isAtLineStart = true
    this.breakLength = 0
    this.isLineBeforeBreakEmpty = false
    this.lineStart = bodyStart
    if (this.root === null) this.root = part
    else this.stack[this.stack.length - 2]?.part?.children.push(part)
    this.events.push({ type: "partStart", part })
    const { type } = part.contentType
    const isContainerEncoding = ["7bit", "8bit", "binary"].includes(part.transferEncoding)
    const boundary = part.contentType.parameters.boundary
    if (
      type === "multipart" ||
      (type === "message" && isEnclosedMessage(part.contentType.subtype))
    ) {
      if (frame.depth >= this.maxDepth) {
        defects.push({
          code: "TOO_DEEP",
          message: `nesting deeper than ${this.maxDepth}; kept as a leaf`,
        })
      } else if (type === "multipart" && (boundary === undefined || boundary === "")) {
        defects.push({
          code: "MISSING_BOUNDARY",
          message: "multipart without a boundary; kept as a leaf",
        })
      } else if (type === "multipart") {
        frame.mode = "multipart"
        frame.delimiter = delimiterBytes(boundary ?? "")
        this.refreshBoundaries()
        return
      } else if (isContainerEncoding && !this.areBoundariesOff) {
        if (this.countPart()) {
          frame.mode = "message"
          this.stack.push(headersFrame([...frame.path, 0], frame.depth + 1, bodyStart, false))
          return
        }
      }
    }
    frame.mode = "leaf"
    frame.decoder = this.isRaw ? null : createBodyDecoder(part)
  }

  /** Counts a new part; past `maxParts`, turns boundary recognition off for good. */
  private countPart(): boolean {
    if (this.parts >= this.maxParts) {
      if (!this.areBoundariesOff) {
        this.root?.defects.push({
          code: "TOO_MANY_PARTS",
          message: `more than ${this.maxParts} parts; the rest is body`,
        })
      }
      this.areBoundariesOff = true
      this.refreshBoundaries()
      return false
    }
    this.parts++
    return true
  }

  private refreshBoundaries(): void {
    this.active = []
    this.longestDelimiter = 0
    if (this.areBoundariesOff) return
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const f = this.stack[i]!
      if (f.mode === "multipart" && !f.isClosed && f.delimiter !== null) {
        this.active.push({ frame: i, delimiter: f.delimiter })
        this.longestDelimiter = Math.max(this.longestDelimiter, f.delimiter.length)
      }
    }
  }

  /** Acts on a boundary line at `p` whose LF is at `nl` (or `len` at the end of input). */
  private takeBoundary(
    match: { frame: number; isClose: boolean },
    p: number,
    nl: number,
    len: number,
  ): number {
    const bodyEnd = this.base + p - this.breakLength
    const endsWithLf = this.isLineBeforeBreakEmpty
    while (this.stack.length - 1 > match.frame)
      this.closeTop(bodyEnd, endsWithLf, this.breakLength > 0)
    const owner = this.stack[match.frame]!
    const next = nl >= len ? len : nl + 1
    if (nl < len) this.lines++
    this.breakLength = 0
    this.isAtLineStart = true
    this.isLineBeforeBreakEmpty = false
    this.lineStart = this.base + next
    if (match.isClose) {
      owner.isClosed = true
      this.refreshBoundaries()
      return next
    }
    if (!this.countPart()) return next
    const childPath = [...owner.path, owner.childCount++]
    const inDigest = owner.part!.contentType.subtype === "digest"
    this.stack.push(headersFrame(childPath, owner.depth + 1, this.base + next, inDigest))
    this.refreshBoundaries()
    return next
  }

  /** Closes the innermost open part at `bodyEnd`. */
  private closeTop(bodyEnd: number, endsWithLf: boolean, hadBreak: boolean): void {
    const frame = this.stack.pop()!
    const part = frame.part!
    if (frame.decoder !== null) {
      const tail = frame.decoder.end()
      if (tail.length > 0) this.events.push({ type: "body", part, bytes: tail })
    }
    part.bodyEnd = Math.max(bodyEnd, part.bodyStart)
    let lfs = this.lines - frame.bodyLinesStart - (hadBreak ? 1 : 0)
    if (lfs < 0) lfs = 0
    const isEmpty = part.bodyEnd === part.bodyStart
    part.bodyLines = lfs + (!isEmpty && !endsWithLf ? 1 : 0)
    this.events.push({ type: "partEnd", part })
    if (frame.mode === "multipart") this.refreshBoundaries()
  }

  private emitBody(frame: Frame, buf: Uint8Array, start: number, end: number): void {
    if (end <= start || frame.mode !== "leaf") return
    const part = frame.part!
    const raw = buf.subarray(start, end)
    const decoder = frame.decoder
    if (decoder === null) {
      this.events.push({ type: "body", part, bytes: raw })
      return
    }
    // Decoded bytes go into a buffer reused from push to push: no garbage per chunk.
    const need = decoder.maxOutput(raw.length)
    if (this.decodedUsed + need > this.decoded.length) {
      const size = Math.max(need, Math.min(2 * this.decoded.length, DECODE_BUFFER_BYTES), 4096)
      this.decoded = new Uint8Array(size)
      this.decodedUsed = 0
    }
    const at = this.decodedUsed
    this.decodedUsed = decoder.updateInto(raw, this.decoded, at)
    if (this.decodedUsed > at) {
      this.events.push({ type: "body", part, bytes: this.decoded.subarray(at, this.decodedUsed) })
    }
    if (this.decoded.length > DECODE_BUFFER_BYTES) {
      this.decoded = new Uint8Array(0)
      this.decodedUsed = 0
    }
  }

  /**
   * Holds the line break before `p` back, outside the buffer, until the next line shows
   * whether it belongs to a boundary; returns need-more.
   */
  private holdBreak(frame: Frame, buf: Uint8Array, runStart: number, p: number): number {
    const breakStart = p - this.breakLength
    if (breakStart >= 0) {
      this.emitBody(frame, buf, runStart, breakStart)
      this.heldBreak = this.breakLength === 2 ? CRLF_BYTES : LF_BYTES
    }
    return -(p + 1)
  }

  /** Scans body lines for boundaries; returns the position after a boundary, or need-more. */
  private readBody(frame: Frame, buf: Uint8Array, p: number, isFinal: boolean): number {
    const len = buf.length
    // A negative start means the line break before `p` was held back from the last push.
    let runStart = p - this.breakLength
    const active = this.active
    for (;;) {
      if (this.isAtLineStart) {
        const avail = len - p
        if (active.length > 0) {
          if (avail < 2 && !isFinal) return this.holdBreak(frame, buf, runStart, p)
          if (avail >= 2 && buf[p] === DASH && buf[p + 1] === DASH) {
            const limit = this.longestDelimiter + BOUNDARY_SLACK
            let nl = buf.indexOf(LF, p)
            if (nl === -1 && avail <= limit && !isFinal)
              return this.holdBreak(frame, buf, runStart, p)
            if (nl === -1 && isFinal) nl = len
            if (nl !== -1 && nl - p <= limit) {
              const lineEnd = nl > p && buf[nl - 1] === CR ? nl - 1 : nl
              const match = matchBoundary(this.active, buf, p, lineEnd)
              if (match !== null) {
                if (runStart >= 0) this.emitBody(frame, buf, runStart, p - this.breakLength)
                this.heldBreak = null
                return this.takeBoundary(match, p, nl, len)
              }
            }
          }
        }
        if (runStart < 0) {
          this.emitHeld(frame)
          runStart = 0
        }
        this.isAtLineStart = false
        this.breakLength = 0
      }
      let nl = buf.indexOf(LF, p)
      // Fast path: lines that cannot start a boundary only need counting.
      while (nl !== -1 && nl + 1 < len && (buf[nl + 1] !== DASH || active.length === 0)) {
        this.lines++
        this.lineStart = this.base + nl + 1
        nl = buf.indexOf(LF, nl + 1)
      }
      if (nl === -1) {
        let end = len
        if (!isFinal && buf[len - 1] === CR) end = len - 1
        this.emitBody(frame, buf, runStart, end)
        this.breakLength = 0
        if (isFinal) return len
        return -(end + 1)
      }
      this.lines++
      const breakStart = nl > 0 && buf[nl - 1] === CR ? nl - 1 : nl
      this.isLineBeforeBreakEmpty = this.base + breakStart === this.lineStart
      p = nl + 1
      this.lineStart = this.base + p
      this.breakLength = p - breakStart
      this.isAtLineStart = true
      if (p >= len) {
        if (isFinal) {
          this.emitBody(frame, buf, runStart, len)
          this.breakLength = 0
          return len
        }
        return this.holdBreak(frame, buf, runStart, p)
      }
    }
  }

  private emitHeld(frame: Frame): void {
    const held = this.heldBreak
    this.heldBreak = null
    if (held !== null) this.emitBody(frame, held, 0, held.length)
  }
}

function isEnclosedMessage(subtype: string): boolean {
  return subtype === "rfc822" || subtype === "global"
}
