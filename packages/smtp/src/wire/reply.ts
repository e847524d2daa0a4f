/**
 * SMTP replies (RFC 5321 §4.2): a reader from bytes to {@link SmtpReply} values, with
 * multi-line replies (§4.2.1) and enhanced status codes (RFC 3463, carried per RFC 2034
 * §3), and an encoder back to bytes.
 *
 * What it does not do: match replies to commands (the client machine does). The reader
 * returns fresh strings; bytes handed to `push` may be reused by the caller afterwards.
 */
import { decodeUtf8, encodeUtf8, LineReader } from "@mailwire/wire"
import { localError, remoteError } from "../errors.js"
import type { SmtpReply, SmtpReplyInput } from "../types.js"
import { hasLineBreakOrNul } from "./grammar.js"

/**
 * 4,096 bytes: eight times the 512 of RFC 5321 §4.5.3.1.5, room for servers with long
 * reply texts while bounding what one line can make the client buffer.
 */
export const DEFAULT_MAX_REPLY_LINE_LENGTH = 4096

/**
 * 256 lines: an EHLO reply has one line per extension (about twenty in practice) and
 * HELP texts run to a few dozen; more than this is a server that never ends its reply.
 */
export const DEFAULT_MAX_REPLY_LINES = 256

/** Limits of a {@link ReplyReader}. */
export interface ReplyReaderOptions {
  /** Longest reply line in bytes, CRLF included. Default {@link DEFAULT_MAX_REPLY_LINE_LENGTH}. */
  readonly maxLineLength?: number
  /** Most lines in one reply. Default {@link DEFAULT_MAX_REPLY_LINES}. */
  readonly maxLines?: number
}

const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?: |$)/

/**
 * Reads replies from a byte stream. Lines ending in a bare LF are accepted: Python's
 * smtplib and nodemailer accept them too, and some embedded servers send them.
 */
export class ReplyReader {
  private readonly reader: LineReader
  private readonly maxLines: number
  private lines: string[] = []
  private code = 0

  constructor(options: ReplyReaderOptions = {}) {
    this.reader = new LineReader({
      maxLineLength: options.maxLineLength ?? DEFAULT_MAX_REPLY_LINE_LENGTH,
      bareLf: "accept",
    })
    this.maxLines = options.maxLines ?? DEFAULT_MAX_REPLY_LINES
  }

  /** Adds received bytes; read the replies with {@link next}. */
  push(chunk: Uint8Array): void {
    this.reader.push(chunk)
  }

  /**
   * The next complete reply, or `null` when more bytes are needed. Throws a
   * `RemoteProtocolError` for a line that is not a reply line, a continuation line whose
   * code differs, a line too long, or too many lines.
   */
  next(): SmtpReply | null {
    for (let item = this.reader.next(); item !== null; item = this.reader.next()) {
      if (item.type === "error") throw item.error
      if (item.type !== "line") continue
      const reply = this.line(decodeUtf8(item.line))
      if (reply !== null) return reply
    }
    return null
  }

  /** Removes and returns the bytes not read yet (RFC 3207 §6: discarded after STARTTLS). */
  takeBuffered(): Uint8Array {
    this.lines = []
    return this.reader.takeBuffered().slice()
  }

  private line(text: string): SmtpReply | null {
    const match = /^([2-5][0-5][0-9])(?:([ -])(.*))?$/s.exec(text)
    if (match === null)
      throw remoteError("INVALID_REPLY", `not a reply line: ${JSON.stringify(text.slice(0, 80))}`)
    const code = Number(match[1])
    if (this.lines.length > 0 && code !== this.code) {
      throw remoteError("INVALID_REPLY", `reply line with code ${code} inside a ${this.code} reply`)
    }
    if (this.lines.length >= this.maxLines) {
      throw remoteError("INVALID_REPLY", `reply longer than ${this.maxLines} lines`)
    }
    this.code = code
    this.lines.push(match[3] ?? "")
    if (match[2] === "-") return null
    const lines = this.lines
    this.lines = []
    return splitEnhancedCode(code, lines)
  }
}

/** Takes the enhanced status code off every line when the first line has one (RFC 2034 §4). */
function splitEnhancedCode(code: number, lines: string[]): SmtpReply {
  const match = ENHANCED.exec(lines[0]!)
  if (match === null || Number(match[1]) !== Math.floor(code / 100)) {
    return { code, enhancedCode: null, lines }
  }
  const enhancedCode = `${match[1]}.${Number(match[2])}.${Number(match[3])}`
  const stripped = lines.map((line) => {
    const own = ENHANCED.exec(line)
    return own === null ? line : line.slice(own[0].length)
  })
  return { code, enhancedCode, lines: stripped }
}

/** Reads every reply in `bytes`, which must end at a reply boundary. */
export function parseReplies(bytes: Uint8Array, options?: ReplyReaderOptions): SmtpReply[] {
  const reader = new ReplyReader(options)
  reader.push(bytes)
  const out: SmtpReply[] = []
  for (let reply = reader.next(); reply !== null; reply = reader.next()) out.push(reply)
  if (reader.takeBuffered().length > 0) throw remoteError("INVALID_REPLY", "incomplete reply")
  return out
}

/**
 * The wire text of a reply, CRLF included (RFC 5321 §4.2.1): `code-` on every line but the
 * last, and the enhanced code after the code on every line when `withEnhancedCode` is
 * true (RFC 2034 §3). Throws `LocalProtocolError` for a code outside 200–559, an enhanced
 * code whose class differs, or text with CR, LF or NUL.
 */
export function formatReplyText(reply: SmtpReplyInput, withEnhancedCode = true): string {
  const { code, enhancedCode } = reply
  if (!isReplyCode(code)) {
    throw localError("INVALID_ARGUMENT", `invalid reply code ${String(code)}`)
  }
  if (enhancedCode !== undefined) {
    const match = /^([245])\.\d{1,3}\.\d{1,3}$/.exec(enhancedCode)
    if (match === null || Number(match[1]) !== Math.floor(code / 100)) {
      throw localError(
        "INVALID_ARGUMENT",
        `invalid enhanced code ${JSON.stringify(enhancedCode)} for ${code}`,
      )
    }
  }
  const text = reply.text ?? ""
  const lines = typeof text === "string" ? [text] : text.length === 0 ? [""] : [...text]
  const prefix = withEnhancedCode && enhancedCode !== undefined ? `${enhancedCode} ` : ""
  let out = ""
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!
    if (hasLineBreakOrNul(line))
      throw localError("INVALID_ARGUMENT", "reply text may not contain CR, LF or NUL")
    const separator = index === lines.length - 1 ? " " : "-"
    out += `${code}${separator}${prefix}${line}`.trimEnd()
    out += "\r\n"
  }
  return out
}

/** `Reply-code = %x32-35 %x30-35 %x30-39` (RFC 5321 §4.2): 200–559, tens digit 0–5. */
function isReplyCode(code: number): boolean {
  return Number.isInteger(code) && code >= 200 && code <= 559 && Math.floor(code / 10) % 10 <= 5
}

/** {@link formatReplyText} as UTF-8 bytes. */
export function formatReply(reply: SmtpReplyInput, withEnhancedCode = true): Uint8Array {
  return encodeUtf8(formatReplyText(reply, withEnhancedCode))
}
