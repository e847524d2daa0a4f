/**
 * The server side's reader: bytes from the client in, {@link Command} events out
 * (RFC 9051 §6). APPEND messages are streamed as `literal-start` / `literal-chunk`
 * events before the `command` event they belong to.
 *
 * Synchronizing literals (RFC 9051 §4.3): at `{n}` the decoder emits `literal-request`
 * and stops reading until the server calls {@link CommandDecoder.acceptLiteral} (and
 * sends `+`) or {@link CommandDecoder.rejectLiteral} (and answers the command with NO or
 * BAD; the client then sends no literal). Non-synchronizing literals (`{n+}`, LITERAL+
 * and LITERAL-, RFC 7888) need no answer. A literal over a limit is refused the same way.
 *
 * After `+` to AUTHENTICATE or IDLE, call {@link CommandDecoder.expectContinuationLine}:
 * the next line is then handed out raw (`continuation-line`: base64, `*`, or `DONE`).
 *
 * What it does not do: decide whether a command is allowed now (the server machine
 * does). Buffers: see `framer.ts`.
 *
 * @example
 * ```ts
 * const decoder = new CommandDecoder()
 * for (const event of decoder.receive(bytes)) {
 *   if (event.type === "command") console.log(event.command.tag, event.command.name)
 * }
 * ```
 */
import { decodeLatin1 } from "@mailwire/wire"
import { type Command, parseCommand } from "./commands/command.js"
import type { Decoder } from "./decoder.js"
import type { LITERAL_MINUS_MAX } from "./encoder.js"
import {
  DEFAULT_MAX_COMMAND_LINE_LENGTH,
  type DecodeErrorEvent,
  Framer,
  type FramerLimits,
  type LiteralChunkEvent,
  type LiteralStartEvent,
  type Marker,
} from "./framer.js"

/** A complete client command. */
export interface CommandEvent {
  readonly type: "command"
  readonly command: Command
}

/** The client announced a synchronizing literal and waits for `+` (RFC 9051 §4.3). */
export interface LiteralRequestEvent {
  readonly type: "literal-request"
  readonly tag: string | null
  readonly size: number
}

/** A line sent after a continuation request: SASL data, `*` to cancel, or `DONE`. */
export interface ContinuationLineEvent {
  readonly type: "continuation-line"
  /** The line without CRLF, as Latin-1 text (base64 and `DONE` are ASCII). */
  readonly text: string
}

/** What {@link CommandDecoder.receive} returns. */
export type CommandDecoderEvent =
  | CommandEvent
  | LiteralRequestEvent
  | ContinuationLineEvent
  | LiteralStartEvent
  | LiteralChunkEvent
  | DecodeErrorEvent

/** Options of a {@link CommandDecoder}: its limits (line length default {@link DEFAULT_MAX_COMMAND_LINE_LENGTH}). */
export interface CommandDecoderOptions extends FramerLimits {
  /**
   * The largest non-synchronizing literal accepted. A server that announces LITERAL-
   * rather than LITERAL+ sets {@link LITERAL_MINUS_MAX} (RFC 7888 §4); a larger one is a
   * fatal error. Default: no limit beyond `maxLiteralSize`.
   */
  readonly maxNonSyncLiteralSize?: number
}

/** Reads client commands (RFC 9051 §6) from a byte stream. */
export class CommandDecoder extends Framer<CommandDecoderEvent> {
  private isAppend = false

  constructor(options: CommandDecoderOptions = {}) {
    super(options, DEFAULT_MAX_COMMAND_LINE_LENGTH)
    this.maxNonSyncLiteralSize = options.maxNonSyncLiteralSize ?? Number.POSITIVE_INFINITY
  }

  /** Reads the literal the client announced (the caller sends `+`); returns the events that follow. */
  acceptLiteral(): CommandDecoderEvent[] {
    return this.resume(true)
  }

  /** Refuses the announced literal: the command ends unread; returns the events that follow. */
  rejectLiteral(): CommandDecoderEvent[] {
    return this.resume(false)
  }

  /** Whether the decoder waits for {@link acceptLiteral} or {@link rejectLiteral}. */
  get isWaitingForLiteralDecision(): boolean {
    return this.mode === "paused"
  }

  /** The next line is a continuation line (after `+` to AUTHENTICATE or IDLE). */
  expectContinuationLine(): void {
    this.rawLineNext = true
  }

  protected shouldStream(isFirstSegment: boolean): boolean {
    if (isFirstSegment) this.isAppend = verbOf(this.segments[0]!) === "APPEND"
    if (!this.isAppend) return false
    if (this.scan.depth === 0) return this.scan.tokens >= 4
    return this.scan.depth === 1 && this.scan.parenOwner.toUpperCase() === "UTF8"
  }

  protected mustAskForLiteral(): boolean {
    return true
  }

  protected literalRequest(marker: Marker): CommandDecoderEvent {
    return { type: "literal-request", tag: this.currentTag(), size: marker.size }
  }

  protected literalStart(index: number, marker: Marker): CommandDecoderEvent {
    return {
      type: "literal-start",
      index,
      size: marker.size,
      isBinary: marker.isBinary,
      seq: null,
      item: "APPEND",
      tag: this.currentTag(),
    }
  }

  protected rawLine(line: Uint8Array): CommandDecoderEvent {
    return { type: "continuation-line", text: decodeLatin1(line) }
  }

  protected parsed(decoder: Decoder): CommandDecoderEvent {
    return { type: "command", command: parseCommand(decoder) }
  }
}

/** The command name after the tag, upper-cased. */
function verbOf(line: Uint8Array): string {
  let i = line.indexOf(0x20)
  if (i === -1) return ""
  i++
  let end = i
  while (end < line.length && line[end] !== 0x20) end++
  return decodeLatin1(line.subarray(i, Math.min(end, i + 16))).toUpperCase()
}
