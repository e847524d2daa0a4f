/**
 * SMTP replies (RFC 5321 §4.2): a reader from bytes to {@link SmtpReply} values, with
 * multi-line replies (§4.2.1) and enhanced status codes (RFC 3463, carried per RFC 2034
 * §3), and an encoder back to bytes.
 *
 * What it does not do: match replies to commands (the client machine does). The reader
 * returns fresh strings; bytes handed to `push` may be reused by the caller afterwards.
 */
import { DOT, decodeUtf8, encodeUtf8, LineReader } from "@mailwire/wire"
import { localError, remoteError } from "../errors.js"
import type { SmtpReply, SmtpReplyInput } from "../types.js"
import { HYPHEN, hasLineBreakOrNul, SPACE } from "./grammar.js"

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

/** Bytes of the reply grammar (RFC 5321 §4.2, RFC 3463 §2), read without decoding a line. */
const DIGIT_0 = 0x30
const DIGIT_9 = 0x39
/** Where the text of a reply line starts: after the code and its separator (`250 `). */
const TEXT_START = 4
/** `subject` and `detail` of an enhanced code have one to three digits (RFC 3463 §2). */
const MAX_ENHANCED_PART_DIGITS = 3
/**
 * The UTF-8 byte order mark. Decoding a line's text on its own would drop one at its
 * start (TextDecoder strips a leading BOM); inside the whole line it is text, so it is kept.
 */
const BOM = [0xef, 0xbb, 0xbf] as const

/**
 * Reads replies from a byte stream. Lines ending in a bare LF are accepted: Python's
 * smtplib and nodemailer accept them too, and some embedded servers send them.
 *
 * Every line is checked on its bytes (code, separator, enhanced code) and its text is
 * decoded once, from after the parts a reply strips, so no line is decoded, matched by a
 * regular expression and sliced again: this runs for every reply of every message sent.
 */
export class ReplyReader {
  private readonly reader: LineReader
  private readonly maxLines: number
  private lines: string[] = []
  private code = 0
  /** The reply being read has an enhanced code on its first line: strip it from every line. */
  private hasEnhancedCode = false
  private enhancedCode: string | null = null

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
      const reply = this.line(item.line)
      if (reply !== null) return reply
    }
    return null
  }

  /** Removes and returns the bytes not read yet (RFC 3207 §6: discarded after STARTTLS). */
  takeBuffered(): Uint8Array {
    this.lines = []
    return this.reader.takeBuffered().slice()
  }

  /** One line: `Reply-code [ SP / "-" textstring ]` (RFC 5321 §4.2); the reply when it is the last. */
  private line(received: Uint8Array): SmtpReply | null {
    // A line led by a byte order mark reads without it, as it did when every line was
    // decoded whole first (the decoder drops a leading BOM).
    const bytes = startsWithBom(received, 0) ? received.subarray(BOM.length) : received
    const code = replyCode(bytes)
    if (code === null) {
      const text = decodeUtf8(bytes)
      throw remoteError("INVALID_REPLY", `not a reply line: ${JSON.stringify(text.slice(0, 80))}`)
    }
    const isFirst = this.lines.length === 0
    if (!isFirst && code !== this.code) {
      throw remoteError("INVALID_REPLY", `reply line with code ${code} inside a ${this.code} reply`)
    }
    if (this.lines.length >= this.maxLines) {
      throw remoteError("INVALID_REPLY", `reply longer than ${this.maxLines} lines`)
    }
    this.code = code
    // Only the first line decides whether the reply has enhanced codes; later lines are
    // measured only when it does.
    const prefix = isFirst || this.hasEnhancedCode ? enhancedCodeLength(bytes) : 0
    if (isFirst) {
      // RFC 2034 §4: the first line decides; its class must be the reply's first digit.
      this.hasEnhancedCode = prefix > 0 && bytes[TEXT_START] === bytes[0]
      this.enhancedCode = this.hasEnhancedCode ? enhancedCodeText(bytes, prefix) : null
    }
    const text = lineText(bytes, TEXT_START + (this.hasEnhancedCode ? prefix : 0))
    const isLast = !(bytes.length > 3 && bytes[3] === HYPHEN)
    // Nearly every reply to a message is one line: its array is made whole, with no
    // room reserved for more lines as `push` onto an empty array would.
    if (isFirst && isLast) return { code, enhancedCode: this.enhancedCode, lines: [text] }
    this.lines.push(text)
    if (!isLast) return null
    const lines = this.lines
    this.lines = []
    return { code, enhancedCode: this.enhancedCode, lines }
  }
}

/**
 * `Reply-code = %x32-35 %x30-35 %x30-39` followed by the end of the line, a space or a
 * hyphen (RFC 5321 §4.2); `null` when the line does not start so.
 */
function replyCode(bytes: Uint8Array): number | null {
  if (bytes.length < 3) return null
  const hundreds = bytes[0]! - DIGIT_0
  const tens = bytes[1]! - DIGIT_0
  const units = bytes[2]! - DIGIT_0
  if (hundreds < 2 || hundreds > 5 || tens < 0 || tens > 5 || units < 0 || units > 9) return null
  if (bytes.length > 3 && bytes[3] !== SPACE && bytes[3] !== HYPHEN) return null
  return hundreds * 100 + tens * 10 + units
}

/**
 * How many bytes of the line's text an enhanced status code takes, its trailing space
 * included: `class "." subject "." detail` with class 2, 4 or 5 and one to three digits
 * in each other part, then a space or the end of the line (RFC 3463 §2, RFC 2034 §4).
 * 0 when the text does not start with one.
 */
function enhancedCodeLength(bytes: Uint8Array): number {
  const start = TEXT_START
  const cls = bytes[start]
  if (cls !== 0x32 && cls !== 0x34 && cls !== 0x35) return 0
  if (bytes[start + 1] !== DOT) return 0
  const subjectEnd = digitsEnd(bytes, start + 2)
  if (subjectEnd === -1 || bytes[subjectEnd] !== DOT) return 0
  const detailEnd = digitsEnd(bytes, subjectEnd + 1)
  if (detailEnd === -1) return 0
  if (detailEnd === bytes.length) return detailEnd - start
  return bytes[detailEnd] === SPACE ? detailEnd + 1 - start : 0
}

/** The end of one to three ASCII digits starting at `from`, or -1 when there are none. */
function digitsEnd(bytes: Uint8Array, from: number): number {
  let at = from
  while (at < bytes.length && at - from < MAX_ENHANCED_PART_DIGITS && isDigit(bytes[at]!)) at++
  return at === from ? -1 : at
}

function isDigit(byte: number): boolean {
  return byte >= DIGIT_0 && byte <= DIGIT_9
}

/** One more than the largest subject or detail (three digits, RFC 3463 §2). */
const ENHANCED_PART_LIMIT = 1000
/**
 * Enhanced codes remembered as text. A server answers every message with the same few
 * (`2.1.0`, `2.1.5`, `2.0.0`), so each is built once instead of once per reply; the
 * server chooses the codes, so how many are kept is capped.
 */
const MAX_REMEMBERED_ENHANCED_CODES = 64
const enhancedCodeTexts = new Map<number, string>()

/**
 * The enhanced code of a line that has one, `prefix` bytes long as
 * {@link enhancedCodeLength} measured it, each number without leading zeros (`2.01.000`
 * reads as `2.1.0`). Its digits are read once, into one number that keys the texts
 * already made.
 */
function enhancedCodeText(bytes: Uint8Array, prefix: number): string {
  const end = TEXT_START + prefix
  let key = 0
  let part = 0
  for (let at = TEXT_START; at < end; at++) {
    const byte = bytes[at]!
    if (byte === DOT || byte === SPACE) {
      key = key * ENHANCED_PART_LIMIT + part
      part = 0
    } else {
      part = part * 10 + byte - DIGIT_0
    }
  }
  // A code at the end of the line has no space after it to close its last part.
  if (bytes[end - 1] !== SPACE) key = key * ENHANCED_PART_LIMIT + part
  const known = enhancedCodeTexts.get(key)
  if (known !== undefined) return known
  const detail = key % ENHANCED_PART_LIMIT
  const subject = Math.floor(key / ENHANCED_PART_LIMIT) % ENHANCED_PART_LIMIT
  const cls = Math.floor(key / (ENHANCED_PART_LIMIT * ENHANCED_PART_LIMIT))
  const text = `${cls}.${subject}.${detail}`
  if (enhancedCodeTexts.size < MAX_REMEMBERED_ENHANCED_CODES) enhancedCodeTexts.set(key, text)
  return text
}

/** The line's text from byte `start` on, decoded as UTF-8 (as part of the whole line). */
function lineText(bytes: Uint8Array, start: number): string {
  if (start >= bytes.length) return ""
  // `decodeUtf8` builds a short ASCII text (`Ok`) itself and hands longer ones to the codec.
  const text = decodeUtf8(bytes.subarray(start))
  return startsWithBom(bytes, start) ? `\uFEFF${text}` : text
}

/** Whether `bytes` holds the UTF-8 byte order mark at `at`. */
function startsWithBom(bytes: Uint8Array, at: number): boolean {
  return bytes[at] === BOM[0] && bytes[at + 1] === BOM[1] && bytes[at + 2] === BOM[2]
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
    out += formatReplyLine(code, index === lines.length - 1, prefix, lines[index]!)
  }
  return out
}

/**
 * One line of a reply with its CRLF: `code`, then `-` when more lines follow or a space
 * on the last (RFC 5321 §4.2.1), `prefix` (an enhanced code and its space, or nothing)
 * and `text`, trailing spaces dropped. Throws for a text with CR, LF or NUL.
 */
export function formatReplyLine(
  code: number,
  isLast: boolean,
  prefix: string,
  text: string,
): string {
  if (hasLineBreakOrNul(text))
    throw localError("INVALID_ARGUMENT", "reply text may not contain CR, LF or NUL")
  return `${`${code}${isLast ? " " : "-"}${prefix}${text}`.trimEnd()}\r\n`
}

/** `Reply-code = %x32-35 %x30-35 %x30-39` (RFC 5321 §4.2): 200–559, tens digit 0–5. */
function isReplyCode(code: number): boolean {
  return Number.isInteger(code) && code >= 200 && code <= 559 && Math.floor(code / 10) % 10 <= 5
}

/** {@link formatReplyText} as UTF-8 bytes. */
export function formatReply(reply: SmtpReplyInput, withEnhancedCode = true): Uint8Array {
  return encodeUtf8(formatReplyText(reply, withEnhancedCode))
}
