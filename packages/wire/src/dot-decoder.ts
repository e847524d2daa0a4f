/**
 * Streaming dot-unstuffing for SMTP DATA (RFC 5321 §4.5.2) and POP3 multi-line
 * responses (RFC 1939 §3): stuffed bytes in, body pieces out, and an `end` event at
 * the terminating `.` line.
 *
 * Only `<CRLF>.<CRLF>` ends the body. `<LF>.<LF>`, `<LF>.<CRLF>`, `<CR>.<CR>`,
 * `<CRLF>.<LF>` and every other mix of bare CR and LF are body content — the rule that
 * defeats SMTP smuggling (CVE-2023-51766, CVE-2023-51764, CVE-2023-51765). The start of
 * the stream counts as a line start, because the CRLF that ended the `DATA` command (or
 * the `+OK` line) is the first half of the terminator.
 *
 * Bare CR and LF in the body follow {@link DotDecoderOptions.bareLineEndings}:
 * - `"normalize"` (default): each becomes CRLF in the body, like Postfix's
 *   `smtpd_forbid_bare_newline = normalize`. The body that comes out then has only
 *   CRLF line ends, so no later hop can read it two ways. A line after a bare line end
 *   is not unstuffed and can never end the body.
 * - `"reject"`: framing goes on to the real end, no more body is handed out after the
 *   first bare CR or LF, and the `end` event carries a `BARE_LF`/`BARE_CR` error whose
 *   hint is `550 5.6.2`.
 * - `"accept"`: they pass through unchanged.
 *
 * Buffers: `data` pieces are views of the pushed chunk or small fresh arrays; `rest` is
 * a view of the last chunk. Copy them if you keep them past the next `push`.
 */
import { CR, DOT, LF } from "./bytes.js"
import type { BareLineEndingPolicy } from "./dot-encoder.js"
import { LocalProtocolError, RemoteProtocolError, WIRE_HINTS } from "./errors.js"

export interface DotDecoderOptions {
  readonly bareLineEndings?: BareLineEndingPolicy
}

/** A piece of the unstuffed body. */
export interface DotDataEvent {
  readonly type: "data"
  readonly bytes: Uint8Array
}

/** The terminating `.` line was read. */
export interface DotEndEvent {
  readonly type: "end"
  /** Bytes that followed the terminator in the same chunk (pipelined commands). */
  readonly rest: Uint8Array
  /** Set under the `"reject"` policy when the body had a bare CR or LF. */
  readonly error: RemoteProtocolError | null
}

export type DotDecoderEvent = DotDataEvent | DotEndEvent

type State =
  | "lineStart" // after CRLF (or at the start): a `.` here is stuffing or the terminator
  | "text" // inside a line
  | "cr" // inside a line, after a CR whose partner is not known yet
  | "dot" // a `.` at line start was read and held back
  | "dotCr" // `.` then CR at line start: the terminator if LF follows

const CRLF = Uint8Array.of(CR, LF)
const LF_ONLY = Uint8Array.of(LF)
const CR_ONLY = Uint8Array.of(CR)

export class DotDecoder {
  readonly bareLineEndings: BareLineEndingPolicy
  private state: State = "lineStart"
  private ended = false
  private error: RemoteProtocolError | null = null
  private length = 0

  constructor(options: DotDecoderOptions = {}) {
    this.bareLineEndings = options.bareLineEndings ?? "normalize"
  }

  /** Body bytes handed out so far (after unstuffing and normalizing). */
  get bodyLength(): number {
    return this.length
  }

  /** Whether the terminator has been read. */
  get isEnded(): boolean {
    return this.ended
  }

  push(chunk: Uint8Array): DotDecoderEvent[] {
    if (this.ended) throw new LocalProtocolError("INVALID_STATE", "push() after the end")
    const events: DotDecoderEvent[] = []
    const length = chunk.length
    let pos = 0
    // chunk[run, pos) is body to hand out as it stands.
    let run = 0
    // The first CR and LF at or after `pos`, `length` for none, -1 before the first search;
    // searched again only once `pos` has passed them, so each line costs one search for
    // each. The searches are written out here rather than in a helper: one call level less
    // lets V8 inline the whole of `Buffer#indexOf` into this loop (measured on Node 20).
    let nextCr = -1
    let nextLf = -1
    while (pos < length) {
      switch (this.state) {
        case "text":
          if (nextCr < pos) {
            nextCr = chunk.indexOf(CR, pos)
            if (nextCr === -1) nextCr = length
          }
          if (nextLf < pos) {
            nextLf = chunk.indexOf(LF, pos)
            if (nextLf === -1) nextLf = length
          }
          if (nextLf === nextCr + 1 && nextLf < length) {
            // A CRLF: the next line starts after it, usually with no `.`, so go on here.
            pos = nextLf + 1
            if (pos === length || chunk[pos] === DOT) this.state = "lineStart"
          } else if (nextLf < nextCr) {
            this.emitRun(events, chunk, run, nextLf)
            pos = this.bareLineEnding(events, nextLf + 1, LF_ONLY)
            run = pos
          } else if (nextCr === length) {
            pos = length
          } else {
            // A CR at the end of the chunk, or a bare CR: decide once the next byte is known.
            this.emitRun(events, chunk, run, nextCr)
            pos = nextCr + 1
            run = pos
            this.state = "cr"
          }
          break
        case "lineStart":
          if (chunk[pos] === DOT) {
            this.emitRun(events, chunk, run, pos)
            pos++
            run = pos
            this.state = "dot"
          } else {
            this.state = "text"
          }
          break
        case "dot":
          if (chunk[pos] === CR) {
            pos++
            this.state = "dotCr"
          } else {
            // The held-back dot was stuffing (or, for `.x`, is dropped as RFC 5321 §4.5.2 says).
            run = pos
            this.state = "text"
          }
          break
        case "dotCr":
          if (chunk[pos] === LF) {
            this.ended = true
            events.push({ type: "end", rest: chunk.subarray(pos + 1), error: this.error })
            return events
          }
          // `.` CR x: the dot goes, the CR is a bare CR.
          pos = this.bareLineEnding(events, pos, CR_ONLY)
          run = pos
          break
        case "cr":
          if (chunk[pos] === LF) {
            // Only a CR that ended the previous chunk waits here for its LF.
            this.emit(events, CRLF)
            pos++
            run = pos
            this.state = "lineStart"
          } else {
            this.emitRun(events, chunk, run, pos)
            pos = this.bareLineEnding(events, pos, CR_ONLY)
            run = pos
          }
          break
      }
    }
    if (this.state !== "cr" && this.state !== "dot" && this.state !== "dotCr")
      this.emitRun(events, chunk, run, length)
    return events
  }

  /**
   * Handles a bare CR or LF (given as `ending`) that ended at `resume`; the text goes on
   * there. Returns the position to go on from.
   */
  private bareLineEnding(events: DotDecoderEvent[], resume: number, ending: Uint8Array): number {
    this.state = "text"
    if (this.bareLineEndings === "normalize") {
      this.emit(events, CRLF)
    } else if (this.bareLineEndings === "accept") {
      this.emit(events, ending)
    } else if (this.error === null) {
      const code = ending === LF_ONLY ? "BARE_LF" : "BARE_CR"
      this.error = new RemoteProtocolError(code, `bare ${code.slice(5)} in message data`, {
        hint: WIRE_HINTS.BARE_CR,
      })
    }
    return resume
  }

  /** Hands out `chunk[run, until)`, the body bytes that need no change, if any. */
  private emitRun(events: DotDecoderEvent[], chunk: Uint8Array, run: number, until: number): void {
    if (until > run) this.emit(events, chunk.subarray(run, until))
  }

  private emit(events: DotDecoderEvent[], bytes: Uint8Array): void {
    if (this.error !== null) return
    this.length += bytes.length
    // Shared constants are copied so that a caller who writes into a piece cannot change them.
    const piece = bytes === CRLF || bytes === LF_ONLY || bytes === CR_ONLY ? bytes.slice() : bytes
    events.push({ type: "data", bytes: piece })
  }
}
