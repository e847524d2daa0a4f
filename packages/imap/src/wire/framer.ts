/**
 * IMAP framing (RFC 9051 §2.2, §4.3): turns received bytes into complete commands or
 * responses — line segments joined by literals — and streams the literals that carry
 * message bodies instead of keeping them.
 *
 * A literal is *streamed* (handed out as `literal-chunk` events, never buffered whole)
 * when it is the contents of a FETCH `BODY[…]`, `BINARY[…]` or `RFC822*` item, or the
 * message of an APPEND (also inside `UTF8 (…)`, RFC 6855 §4). Every other literal (a
 * mailbox name, an ENVELOPE subject) is kept, up to a limit, and parsed with the rest.
 *
 * What it does not do: parse values (the {@link Decoder} does, once a message is
 * complete) or write anything. Buffers: `literal-chunk` bytes are views into received
 * chunks, valid until the next call to `receive`; everything else is copied.
 */
import { concatBytes, LineReader, type RemoteProtocolError } from "@mailwire/wire"
import { limitError, syntaxError } from "../errors.js"
import { endsInQuote, startsResponse } from "./broken-quotes.js"
import { Decoder, type LiteralSlot } from "./decoder.js"
import { findMarker, type Marker, Scan, text } from "./literal-marker.js"

/** Limits of a decoder; each has a named default below. */
export interface FramerLimits {
  /** Longest line, CRLF included, in bytes; the lines of one message count together. */
  readonly maxLineLength?: number
  /** Largest literal of any kind, streamed or kept, in bytes. */
  readonly maxLiteralSize?: number
  /** Most bytes of literals kept in memory (not message bodies) in one message. */
  readonly maxInlineLiteralSize?: number
  /** Deepest nesting of parenthesised lists. */
  readonly maxDepth?: number
  /** Most values (list elements, numbers, capabilities) in one command or response. */
  readonly maxItems?: number
  /**
   * `"reject"` (default) reports a line ended by a bare LF as an error; `"accept"` reads
   * it as a line, for peers known to send them.
   */
  readonly bareLf?: "reject" | "accept"
}

/**
 * 64 KiB, Dovecot's `imap_max_line_length` default: far above the 8,192 octets RFC 7162
 * §4 asks servers to accept for a command line, and enough for long UID sets. Used for
 * command lines.
 */
export const DEFAULT_MAX_COMMAND_LINE_LENGTH = 65_536

/**
 * 8 MiB: a `SEARCH` or `ESEARCH ALL` result over a mailbox of a million messages is about
 * 7 MB on one line, and responses cannot be split. Used for response lines.
 */
export const DEFAULT_MAX_RESPONSE_LINE_LENGTH = 8 * 1024 * 1024

/**
 * 256 MiB: above the largest messages providers accept (Exchange Online allows 150 MB),
 * so no real message is refused, while an absurd length from a broken peer is. Streamed
 * literals are never buffered, so this bounds time, not memory.
 */
export const DEFAULT_MAX_LITERAL_SIZE = 256 * 1024 * 1024

/**
 * 1 MiB, for all kept literals of one message together: they are strings such as
 * subjects, addresses and mailbox names; a megabyte is far above any real set of them and
 * keeps a hostile peer from filling memory.
 */
export const DEFAULT_MAX_INLINE_LITERAL_SIZE = 1024 * 1024

/**
 * 100 levels: each level of MIME nesting adds one or two list levels to a BODYSTRUCTURE,
 * so this allows some 50 nested parts, far beyond real mail, while keeping the recursive
 * descent well inside every JavaScript engine's stack.
 */
export const DEFAULT_MAX_DEPTH = 100

/**
 * 2,000,000 values: a SEARCH result for a mailbox of a million messages, twice over. The
 * line-length limit already bounds it; this bounds values that arrive in literals.
 */
export const DEFAULT_MAX_ITEMS = 2_000_000

/** The start of a streamed literal (the body of a FETCH item or an APPEND message). */
export interface LiteralStartEvent {
  readonly type: "literal-start"
  /** Counts streamed literals within one command or response, from 0. */
  readonly index: number
  readonly size: number
  /** A `literal8` (`~{n}`, RFC 3516). */
  readonly isBinary: boolean
  /** The message number of the FETCH response, for responses. */
  readonly seq: number | null
  /** The FETCH item, e.g. `BODY[HEADER]<0>`, or `APPEND` for a command. */
  readonly item: string
  /** The command's tag, for commands. */
  readonly tag: string | null
}

/** A piece of a streamed literal; `bytes` is valid until the next `receive`. */
export interface LiteralChunkEvent {
  readonly type: "literal-chunk"
  readonly bytes: Uint8Array
  /** Bytes of this literal still to come; 0 on the last piece. */
  readonly remaining: number
}

/**
 * The peer broke the grammar or a limit. After a non-fatal error the decoder goes on with
 * the next command or response; after a fatal one it ignores all further input.
 */
export interface DecodeErrorEvent {
  readonly type: "error"
  readonly error: RemoteProtocolError
  /** The tag of the command or response, when it could be read. */
  readonly tag: string | null
  readonly isFatal: boolean
}

const SP = 0x20
const EMPTY = new Uint8Array(0)
const CRLF = Uint8Array.of(0x0d, 0x0a)

type Mode = "line" | "inline" | "streamed" | "skip" | "paused" | "failed"

/** Shared framing for the command and response decoders. */
export abstract class Framer<Event> {
  protected readonly reader: LineReader
  protected readonly decoder: Decoder
  protected readonly maxLiteralSize: number
  protected readonly maxInlineLiteralSize: number
  protected readonly scan = new Scan()
  protected segments: Uint8Array[] = []
  private literals: LiteralSlot[] = []
  private inline: Uint8Array | null = null
  private inlineFilled = 0
  private streamedCount = 0
  /** Bytes of the message's lines so far, CRLFs included. */
  private messageBytes = 0
  /** Bytes of the message's kept (not streamed) literals so far. */
  private inlineBytes = 0
  private failure: RemoteProtocolError | null = null
  protected mode: Mode = "line"
  /** The largest `{n+}` literal accepted (LITERAL-, RFC 7888 §4); no limit by default. */
  protected maxNonSyncLiteralSize = Number.POSITIVE_INFINITY
  private pendingMarker: Marker | null = null
  private pendingStream = false
  /** The next line is not a message but a continuation line (AUTHENTICATE, IDLE's DONE). */
  protected rawLineNext = false
  /**
   * Responses only: a message whose last line ends inside a quoted string and does not
   * parse waits for the next line, joined with CR LF (Exchange, see `broken-quotes.ts`).
   */
  protected joinsBrokenQuotedLines = false
  /** The held last line's pieces and the error to report if the join fails. */
  private held: { parts: Uint8Array[]; error: RemoteProtocolError } | null = null

  constructor(limits: FramerLimits, defaultLineLength: number) {
    this.reader = new LineReader({
      maxLineLength: limits.maxLineLength ?? defaultLineLength,
      bareLf: limits.bareLf ?? "reject",
    })
    this.maxLiteralSize = limits.maxLiteralSize ?? DEFAULT_MAX_LITERAL_SIZE
    this.maxInlineLiteralSize = limits.maxInlineLiteralSize ?? DEFAULT_MAX_INLINE_LITERAL_SIZE
    this.decoder = new Decoder({
      maxDepth: limits.maxDepth ?? DEFAULT_MAX_DEPTH,
      maxItems: limits.maxItems ?? DEFAULT_MAX_ITEMS,
    })
  }

  /** Takes received bytes; returns every event now complete (`[]`: need more). */
  receive(chunk: Uint8Array): Event[] {
    const events: Event[] = []
    if (this.mode === "failed") return events
    this.reader.push(chunk)
    this.drain(events)
    return events
  }

  /**
   * The peer closed the connection. A command or response left incomplete is reported
   * as a fatal error.
   */
  receiveEnd(): Event[] {
    if (this.mode === "failed") return []
    const incomplete = this.isInMessage || this.held !== null || this.reader.bufferedLength > 0
    this.mode = "failed"
    if (!incomplete) return []
    return [this.errorEvent(syntaxError("connection closed in the middle of a message"), true)]
  }

  /** Whether a message has begun and is not complete yet. */
  get isInMessage(): boolean {
    return this.segments.length > 0 || this.held !== null || this.mode !== "line"
  }

  protected drain(events: Event[]): void {
    while (this.mode !== "paused" && this.mode !== "failed") {
      const item = this.reader.next()
      if (item === null) return
      if (item.type === "error") {
        const fatal = item.error.code === "LINE_TOO_LONG"
        const error = fatal
          ? limitError("LINE_TOO_LONG", item.error.message, true)
          : syntaxError(item.error.message)
        events.push(this.errorEvent(error, fatal))
        if (fatal) this.mode = "failed"
        this.resetMessage()
        continue
      }
      if (item.type === "bytes") {
        this.literalBytes(item.bytes, item.remaining, events)
        continue
      }
      this.line(item.line, events)
    }
  }

  private line(raw: Uint8Array, events: Event[]): void {
    if (this.rawLineNext && this.segments.length === 0 && this.held === null) {
      this.rawLineNext = false
      events.push(this.rawLine(raw))
      return
    }
    const line = this.held === null ? raw : this.join(raw, events)
    if (line === null) return
    const marker = findMarker(line)
    const first = this.segments.length === 0
    this.messageBytes += line.length + 2
    if (this.failure === null && this.messageBytes > this.reader.maxLineLength) {
      // The lines of one message count together, so literals cannot stretch the limit.
      this.failure = limitError(
        "LINE_TOO_LONG",
        `message lines over ${this.reader.maxLineLength} bytes`,
        false,
      )
    }
    // After a failure only the first segment is kept (for its tag): nothing else is read.
    if (marker === null) {
      if (first || this.failure === null) this.segments.push(line)
      this.complete(events)
      return
    }
    if (first || this.failure === null) this.segments.push(line.slice())
    if (this.failure !== null) {
      this.startLiteral(marker, "skip")
      return
    }
    if (!marker.isSynchronizing && marker.size > this.maxNonSyncLiteralSize) {
      // RFC 7888 §5: a LITERAL- server rejects a larger non-synchronizing literal with
      // BAD [TOOBIG]; its bytes are already on the way, so the connection ends.
      const error = limitError(
        "LITERAL_TOO_LARGE",
        `non-synchronizing literal of ${marker.size} bytes`,
        true,
      )
      events.push(this.errorEvent(error, true))
      this.mode = "failed"
      return
    }
    if (marker.size > this.maxLiteralSize) {
      this.failLiteral(
        marker,
        limitError("LITERAL_TOO_LARGE", `literal of ${marker.size} bytes`, false),
        events,
      )
      return
    }
    this.scan.run(line, marker.start)
    const stream = this.shouldStream(first)
    if (!stream) this.inlineBytes += marker.size
    if (!stream && this.inlineBytes > this.maxInlineLiteralSize) {
      this.failLiteral(
        marker,
        limitError(
          "LITERAL_TOO_LARGE",
          `literals over ${this.maxInlineLiteralSize} bytes kept`,
          false,
        ),
        events,
      )
      return
    }
    if (marker.isSynchronizing && this.mustAskForLiteral()) {
      this.pendingMarker = marker
      this.pendingStream = stream
      this.mode = "paused"
      events.push(this.literalRequest(marker))
      return
    }
    this.beginLiteral(marker, stream, events)
  }

  /**
   * Adds `raw` to a held line broken inside a quoted string. Returns the joined line once
   * the quote is closed, `null` while it is still open; a line that starts a new response
   * ends the hold with the held error and is returned as it is. Each byte is scanned once
   * and copied once, so the join stays linear in the input.
   */
  private join(raw: Uint8Array, events: Event[]): Uint8Array | null {
    const held = this.held!
    if (startsResponse(raw)) {
      events.push(this.errorEvent(held.error, false))
      this.resetMessage()
      return raw
    }
    held.parts.push(CRLF, raw.slice())
    this.messageBytes += raw.length + 2
    if (this.messageBytes > this.reader.maxLineLength) {
      const error = limitError(
        "LINE_TOO_LONG",
        `message lines over ${this.reader.maxLineLength} bytes`,
        false,
      )
      events.push(this.errorEvent(error, false))
      this.resetMessage()
      return null
    }
    if (endsInQuote(raw, 0, true)) return null
    const joined = concatBytes(held.parts)
    this.held = null
    // The joined line is counted again as one line below.
    this.messageBytes -= joined.length + 2
    return joined
  }

  /**
   * Ends a pause at a synchronizing literal: `accept` reads the literal (the server sends
   * `+`), otherwise the command ends there (the server answers it with NO or BAD).
   */
  protected resume(accept: boolean): Event[] {
    const marker = this.pendingMarker
    const events: Event[] = []
    if (this.mode !== "paused" || marker === null) return events
    this.pendingMarker = null
    this.mode = "line"
    if (accept) this.beginLiteral(marker, this.pendingStream, events)
    else this.resetMessage()
    this.drain(events)
    return events
  }

  /** Starts reading a literal's bytes once it may be sent. */
  protected beginLiteral(marker: Marker, stream: boolean, events: Event[]): void {
    if (stream) {
      const index = this.streamedCount++
      this.literals.push({ kind: "streamed", size: marker.size, index })
      events.push(this.literalStart(index, marker))
      this.startLiteral(marker, "streamed")
      if (marker.size === 0) events.push(this.chunkEvent(new Uint8Array(0), 0))
    } else {
      this.inline = new Uint8Array(marker.size)
      this.inlineFilled = 0
      this.startLiteral(marker, "inline")
    }
  }

  private failLiteral(marker: Marker, error: RemoteProtocolError, events: Event[]): void {
    this.failure = error
    if (marker.isSynchronizing && this.mustAskForLiteral()) {
      // The client waits for "+" that never comes: the command ends here (RFC 9051 §4.3).
      events.push(this.errorEvent(error, false))
      this.resetMessage()
      return
    }
    this.startLiteral(marker, "skip")
  }

  private startLiteral(marker: Marker, mode: Mode): void {
    this.mode = mode
    if (mode !== "streamed") this.literals.push(this.inline ?? EMPTY)
    if (marker.size === 0) {
      this.mode = "line"
      if (mode === "inline") this.inline = null
      return
    }
    this.reader.readBytes(marker.size)
  }

  private literalBytes(bytes: Uint8Array, remaining: number, events: Event[]): void {
    if (this.mode === "streamed") events.push(this.chunkEvent(bytes, remaining))
    else if (this.mode === "inline" && this.inline !== null) {
      this.inline.set(bytes, this.inlineFilled)
      this.inlineFilled += bytes.length
    }
    if (remaining === 0) {
      this.mode = "line"
      this.inline = null
    }
  }

  private complete(events: Event[]): void {
    const failure = this.failure
    if (failure !== null) {
      events.push(this.errorEvent(failure, false))
      this.resetMessage()
      return
    }
    try {
      events.push(this.parsed(this.decoder.reset(this.segments, this.literals)))
    } catch (error) {
      if (!(error instanceof Error) || !("hint" in error)) throw error
      if (this.holdBrokenQuote(error as RemoteProtocolError)) return
      events.push(this.errorEvent(error as RemoteProtocolError, false))
    }
    this.resetMessage()
  }

  /** Holds a message that failed because its last line broke inside a quoted string. */
  private holdBrokenQuote(error: RemoteProtocolError): boolean {
    const last = this.segments[this.segments.length - 1]
    if (!this.joinsBrokenQuotedLines || error.code !== "SYNTAX" || last === undefined) return false
    if (!endsInQuote(last, 0, false)) return false
    this.segments.pop()
    this.held = { parts: [last.slice()], error }
    return true
  }

  protected resetMessage(): void {
    this.messageBytes = 0
    this.inlineBytes = 0
    this.segments = []
    this.literals = []
    this.inline = null
    this.streamedCount = 0
    this.failure = null
    this.held = null
    this.scan.reset()
    if (this.mode !== "failed" && this.mode !== "paused") this.mode = "line"
  }

  /** The tag of the message being read, if its first segment starts with one. */
  protected currentTag(): string | null {
    const first = this.segments[0]
    if (first === undefined) return null
    let end = 0
    while (end < first.length && first[end] !== SP) end++
    const tag = text(first, 0, Math.min(end, 64))
    return tag.length > 0 && tag !== "*" && tag !== "+" ? tag : null
  }

  protected errorEvent(error: RemoteProtocolError, isFatal: boolean): Event {
    return { type: "error", error, tag: this.currentTag(), isFatal } as Event
  }

  private chunkEvent(bytes: Uint8Array, remaining: number): Event {
    return { type: "literal-chunk", bytes, remaining } as Event
  }

  /** Whether the literal just announced (after `scan.run`) is streamed. */
  protected abstract shouldStream(isFirstSegment: boolean): boolean
  /** Whether a synchronizing literal needs the application's consent (server side). */
  protected abstract mustAskForLiteral(): boolean
  protected abstract literalRequest(marker: Marker): Event
  protected abstract literalStart(index: number, marker: Marker): Event
  protected abstract parsed(decoder: Decoder): Event
  protected abstract rawLine(line: Uint8Array): Event
}

export type { Marker }
