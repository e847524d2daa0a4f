/**
 * One-call encoding of a whole command (client side) or response (server side), on top
 * of the chainable {@link Encoder}. Throws `LocalProtocolError` for a value that cannot
 * be encoded (CR/LF in text, an invalid atom, a streamed literal placeholder…).
 */
import { type Command, writeCommand } from "./commands/command.js"
import { type EncodedPart, Encoder, type LiteralMode } from "./encoder.js"
import { type Response, writeResponse } from "./responses/response.js"

/** Options of {@link encodeCommand}. */
export interface CommandEncodeOptions {
  /** How literals are sent; default `"sync"` (see {@link LiteralMode}). */
  readonly literalMode?: LiteralMode
  /** Whether UTF-8 may be sent in quoted strings (IMAP4rev2, UTF8=ACCEPT). Default `false`. */
  readonly utf8?: boolean
}

/**
 * Encodes a command. Send the parts in order; after a part whose `waitsForContinuation`
 * is true, wait for the server's `+` before sending the next (RFC 9051 §4.3).
 *
 * @example
 * ```ts
 * const parts = encodeCommand({ tag: "A1", name: "LOGIN", username: "joe", password: "p w" })
 * // one part: A1 LOGIN joe "p w"\r\n
 * ```
 */
export function encodeCommand(command: Command, options: CommandEncodeOptions = {}): EncodedPart[] {
  const encoder = new Encoder({
    side: "client",
    literalMode: options.literalMode ?? "sync",
    utf8: options.utf8 ?? false,
  })
  return writeCommand(encoder, command).finish()
}

/** Options of {@link encodeResponse}. */
export interface ResponseEncodeOptions {
  /** Whether UTF-8 may be sent in quoted strings (IMAP4rev2, UTF8=ACCEPT). Default `false`. */
  readonly utf8?: boolean
}

/**
 * Encodes a response as parts, for a response with streamed literals (a FETCH body sent
 * from a store without loading it): after each part that names a `streamedLiteral`,
 * send exactly that many bytes of it, then the next part.
 */
export function encodeResponseParts(
  response: Response,
  options: ResponseEncodeOptions = {},
): EncodedPart[] {
  const encoder = new Encoder({ side: "server", utf8: options.utf8 ?? false })
  return writeResponse(encoder, response).finish()
}

/**
 * Encodes a response as bytes, CRLF included. Literals are non-synchronizing by nature
 * on the server side. Throws for streamed literals: use {@link encodeResponseParts}.
 *
 * @example
 * ```ts
 * encodeResponse({ type: "exists", number: 23 }) // "* 23 EXISTS\r\n"
 * ```
 */
export function encodeResponse(
  response: Response,
  options: ResponseEncodeOptions = {},
): Uint8Array {
  const encoder = new Encoder({ side: "server", utf8: options.utf8 ?? false })
  return writeResponse(encoder, response).bytes()
}

/**
 * Encodes a line sent after a continuation request: IDLE's `DONE` (RFC 2177 §3), SASL
 * data in base64 or `*` to cancel (RFC 9051 §6.2.2). Throws `LocalProtocolError` for CR,
 * LF or NUL in `text`.
 *
 * @example
 * ```ts
 * encodeContinuationLine("DONE") // "DONE\r\n"
 * ```
 */
export function encodeContinuationLine(text: string): Uint8Array {
  return new Encoder().text(text).crlf().bytes()
}
