/**
 * The client side's reader: bytes from the server in, {@link Response} events out, with
 * message bodies streamed as `literal-start` / `literal-chunk` events before the
 * `response` event of the FETCH they belong to (RFC 9051 §7).
 *
 * What it does not do: track commands or state (the client machine does). Nothing here
 * does I/O. Buffers: see `framer.ts`; `response` values own their data.
 *
 * @example
 * ```ts
 * const decoder = new ResponseDecoder()
 * for (const event of decoder.receive(bytes)) {
 *   if (event.type === "response") console.log(event.response)
 * }
 * ```
 */
import type { Decoder } from "./decoder.js"
import {
  DEFAULT_MAX_RESPONSE_LINE_LENGTH,
  type DecodeErrorEvent,
  Framer,
  type FramerLimits,
  type LiteralChunkEvent,
  type LiteralStartEvent,
  type Marker,
} from "./framer.js"
import { parseResponse, type Response } from "./responses/response.js"

/** A complete server response. */
export interface ResponseEvent {
  readonly type: "response"
  readonly response: Response
}

/** What {@link ResponseDecoder.receive} returns. */
export type ResponseDecoderEvent =
  | ResponseEvent
  | LiteralStartEvent
  | LiteralChunkEvent
  | DecodeErrorEvent

/** Options of a {@link ResponseDecoder}: its limits (line length default {@link DEFAULT_MAX_RESPONSE_LINE_LENGTH}). */
export type ResponseDecoderOptions = FramerLimits

const BODY_ITEM = /^(?:(?:BODY|BINARY)(?:\.PEEK)?\[[^\]]*\]|RFC822(?:\.HEADER|\.TEXT)?)(?:<\d+>)?$/i

/** Reads server responses (RFC 9051 §7) from a byte stream. */
export class ResponseDecoder extends Framer<ResponseDecoderEvent> {
  private fetchSeq: number | null = null

  constructor(options: ResponseDecoderOptions = {}) {
    super(options, DEFAULT_MAX_RESPONSE_LINE_LENGTH)
    // Exchange's broken quoted strings (see `broken-quotes.ts`); never on the command side.
    this.decoder.lenientQuotes = true
    this.scan.lenientQuotes = true
    this.joinsBrokenQuotedLines = true
  }

  protected shouldStream(isFirstSegment: boolean): boolean {
    if (isFirstSegment) this.fetchSeq = fetchSeqOf(this.segments[0]!)
    return this.fetchSeq !== null && this.scan.depth === 1 && BODY_ITEM.test(this.scan.lastToken)
  }

  protected mustAskForLiteral(): boolean {
    return false
  }

  protected literalRequest(): ResponseDecoderEvent {
    throw new Error("unreachable: responses never wait for a continuation")
  }

  protected literalStart(index: number, marker: Marker): ResponseDecoderEvent {
    return {
      type: "literal-start",
      index,
      size: marker.size,
      isBinary: marker.isBinary,
      seq: this.fetchSeq,
      item: this.scan.lastToken.toUpperCase(),
      tag: null,
    }
  }

  protected rawLine(): ResponseDecoderEvent {
    throw new Error("unreachable: responses have no continuation lines")
  }

  protected parsed(decoder: Decoder): ResponseDecoderEvent {
    return { type: "response", response: parseResponse(decoder) }
  }
}

/** The message number of `* n FETCH …`, or `null` for any other response. */
function fetchSeqOf(line: Uint8Array): number | null {
  if (line[0] !== 0x2a || line[1] !== 0x20) return null
  let i = 2
  let n = 0
  while (i < line.length && line[i]! >= 0x30 && line[i]! <= 0x39) n = n * 10 + line[i++]! - 0x30
  if (i === 2 || line[i] !== 0x20) return null
  const word = String.fromCharCode(...line.subarray(i + 1, i + 7)).toUpperCase()
  return word === "FETCH " ? n : null
}
