/**
 * The IMAP value decoder: reads one complete command or response, already framed into
 * line segments and literals, with methods named after the ABNF rules of RFC 9051 §9
 * (`atom`, `astring`, `nstring`, `literal`, `sequenceSet`, `dateTime`…).
 *
 * What it does not do: framing (see `framer.ts`), I/O, or knowing which command or
 * response comes next. It throws `RemoteProtocolError` (code `SYNTAX`, or a limit code)
 * at the first byte that breaks the grammar.
 *
 * Buffers: it reads the segments it is given and never keeps them; strings it returns
 * are copies, and literal bytes are handed out as given to {@link Decoder.reset}.
 */
import type { RemoteProtocolError } from "@mailwire/wire"
import { limitError, syntaxError } from "../errors.js"
import type {
  CalendarDate,
  DateTime,
  ImapValue,
  SeqNumber,
  SeqRange,
  SequenceSet,
  StreamedLiteral,
} from "../types.js"
import { isQuoteEnd } from "./broken-quotes.js"
import { parseDate, parseDateTime } from "./dates.js"
import { isAstringChar, isAtomChar, isDigit, isListChar, isTagChar } from "./grammar.js"
import { decodeSegment } from "./segment-text.js"

/** The contents of a literal: its bytes, or the note that they were streamed. */
export type LiteralSlot = Uint8Array | StreamedLiteral

/** Limits the decoder enforces while reading one command or response. */
export interface DecoderLimits {
  readonly maxDepth: number
  readonly maxItems: number
}

const SP = 0x20
const DQUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN = 0x28
const CLOSE = 0x29
const utf8 = new TextDecoder("utf-8")
const EMPTY = new Uint8Array(0)

/** Reads values from a framed command or response. One instance is reused per message. */
export class Decoder {
  private buf = ""
  private pos = 0
  /** The next backslash at or after the last quoted string's start; saves rescans. */
  private slashAt = -1
  private segments: readonly Uint8Array[] = []
  private literals: readonly LiteralSlot[] = []
  private segment = 0
  private depth = 0
  private items = 0
  /**
   * Read quoted strings the way Exchange sends them (unescaped `"` inside); set by the
   * response decoder only, never for commands.
   */
  lenientQuotes = false

  constructor(private readonly limits: DecoderLimits) {}

  /** Starts reading a message made of `segments`, each but the last ending in a literal marker. */
  reset(segments: readonly Uint8Array[], literals: readonly LiteralSlot[]): this {
    this.segments = segments
    this.literals = literals
    this.segment = 0
    this.buf = decodeSegment(segments[0] ?? EMPTY)
    this.pos = 0
    this.slashAt = -1
    this.depth = 0
    this.items = 0
    return this
  }

  /** The next byte, or -1 at the end of the current segment. */
  peek(): number {
    return this.pos < this.buf.length ? this.buf.charCodeAt(this.pos) : -1
  }

  /** Whether the whole message has been read. */
  atEnd(): boolean {
    return this.pos >= this.buf.length && this.segment >= this.segments.length - 1
  }

  /** A syntax error at the current position. */
  error(expected: string): RemoteProtocolError {
    const found = this.pos < this.buf.length ? `"${String.fromCharCode(this.peek())}"` : "end"
    return syntaxError(`expected ${expected}, found ${found} at offset ${this.pos}`)
  }

  /** `SP`. */
  sp(): void {
    if (this.buf.charCodeAt(this.pos) !== SP) throw this.error("SP")
    this.pos++
  }

  /** Consumes `c` if it is next. */
  accept(c: number): boolean {
    if (this.buf.charCodeAt(this.pos) !== c) return false
    this.pos++
    return true
  }

  /** Consumes `c` or throws. */
  expect(c: number, name: string): void {
    if (this.buf.charCodeAt(this.pos) !== c) throw this.error(name)
    this.pos++
  }

  /**
   * The end of the message. Leniency: trailing spaces before CRLF are skipped; servers end
   * `* CAPABILITY` (go-imap#571) and `* SEARCH` lines with one (imapflow's parser notes it).
   */
  end(): void {
    while (this.buf.charCodeAt(this.pos) === SP) this.pos++
    if (!this.atEnd()) throw this.error("CRLF")
  }

  /**
   * `SP` before an optional argument: consumed only when something other than spaces
   * follows, so a command ended by a trailing space (go-imap#540) is read as complete.
   */
  spBeforeMore(): boolean {
    if (this.buf.charCodeAt(this.pos) !== SP) return false
    let i = this.pos + 1
    while (this.buf.charCodeAt(i) === SP) i++
    if (i >= this.buf.length && this.segment >= this.segments.length - 1) return false
    this.pos++
    return true
  }

  /** Skips spaces; used between list items, where some servers omit or double them (go-imap#653). */
  skipSpaces(): void {
    while (this.buf.charCodeAt(this.pos) === SP) this.pos++
  }

  /** Consumes `word` (ASCII, upper case) case-insensitively if it is next and ends there. */
  acceptWord(word: string): boolean {
    const end = this.pos + word.length
    if (end > this.buf.length) return false
    for (let i = 0; i < word.length; i++) {
      const c = this.buf.charCodeAt(this.pos + i)
      if ((c >= 0x61 && c <= 0x7a ? c - 0x20 : c) !== word.charCodeAt(i)) return false
    }
    if (end < this.buf.length && isAtomChar(this.buf.charCodeAt(end))) return false
    this.pos = end
    return true
  }

  /** `atom = 1*ATOM-CHAR`. */
  atom(): string {
    const start = this.pos
    while (this.pos < this.buf.length && isAtomChar(this.buf.charCodeAt(this.pos))) this.pos++
    if (this.pos === start) throw this.error("atom")
    return this.text(start, this.pos)
  }

  /** An atom, upper-cased: command names, response names and keywords. */
  keyword(): string {
    return this.atom().toUpperCase()
  }

  /** `tag = 1*<any ASTRING-CHAR except "+">`. */
  tag(): string {
    const start = this.pos
    while (this.pos < this.buf.length && isTagChar(this.buf.charCodeAt(this.pos))) this.pos++
    if (this.pos === start) throw this.error("tag")
    return this.text(start, this.pos)
  }

  /** `number = 1*DIGIT` up to 2^53 - 1 (`number64`, RFC 9051 §9, fits `size` fields). */
  number(): number {
    const start = this.pos
    let value = 0
    while (this.pos < this.buf.length && isDigit(this.buf.charCodeAt(this.pos))) {
      value = value * 10 + this.buf.charCodeAt(this.pos) - 0x30
      this.pos++
    }
    if (this.pos === start) throw this.error("number")
    if (this.pos - start > 15 && !Number.isSafeInteger(value)) throw this.error("a smaller number")
    return value
  }

  /** `nz-number = digit-nz *DIGIT`. */
  nzNumber(): number {
    const value = this.number()
    if (value === 0) throw syntaxError("expected a non-zero number")
    return value
  }

  /** `number64` / `mod-sequence-value` (RFC 7162 §7) as a bigint, up to 2^63 - 1. */
  number64(): bigint {
    const start = this.pos
    while (this.pos < this.buf.length && isDigit(this.buf.charCodeAt(this.pos))) this.pos++
    if (this.pos === start || this.pos - start > 19) throw this.error("number64")
    const value = BigInt(this.text(start, this.pos))
    if (value > 0x7fffffffffffffffn) throw this.error("number64")
    return value
  }

  /**
   * `quoted = DQUOTE *QUOTED-CHAR DQUOTE`, with `\"` and `\\` escapes; UTF-8 allowed. With
   * {@link Decoder.lenientQuotes}, an unescaped `"` ends the string only before SP, `(`,
   * `)`, `]` or the end of the line (see `broken-quotes.ts`).
   */
  quoted(): string {
    this.expect(DQUOTE, "quoted string")
    const start = this.pos
    const close = this.buf.indexOf('"', start)
    if (close === -1) throw this.error("closing DQUOTE")
    if (this.slashAt < start) {
      this.slashAt = this.buf.indexOf("\\", start)
      if (this.slashAt === -1) this.slashAt = this.buf.length
    }
    if (
      this.slashAt > close &&
      (!this.lenientQuotes || isQuoteEnd(this.buf.charCodeAt(close + 1)))
    ) {
      this.pos = close + 1
      return this.buf.slice(start, close)
    }
    const lenient = this.quotedFrom(start, this.lenientQuotes)
    return lenient ?? (this.quotedFrom(start, false) as string)
  }

  /** A quoted string's contents from `start`; `null` if a lenient read finds no end. */
  private quotedFrom(start: number, lenient: boolean): string | null {
    let out = ""
    let i = start
    for (;;) {
      const c = this.buf.charCodeAt(i)
      if (c === DQUOTE && (!lenient || isQuoteEnd(this.buf.charCodeAt(i + 1)))) break
      if (i >= this.buf.length) {
        if (lenient) return null
        throw this.error("closing DQUOTE")
      }
      if (c === BACKSLASH) {
        const next = this.buf.charCodeAt(i + 1)
        if (next !== DQUOTE && next !== BACKSLASH) {
          this.pos = i + 1
          throw this.error("quoted-specials after \\")
        }
        i++
      }
      out += this.buf[i]
      i++
    }
    this.pos = i + 1
    return out
  }

  /** `literal = "{" number64 ["+"] "}" CRLF *CHAR8`, and `literal8` (`~{n}`, RFC 3516). */
  literalSlot(): LiteralSlot {
    this.accept(0x7e)
    this.expect(0x7b, "literal")
    this.number()
    this.accept(0x2b)
    this.expect(0x7d, "}")
    if (this.pos !== this.buf.length) throw this.error("CRLF after literal marker")
    const slot = this.literals[this.segment]
    const next = this.segments[this.segment + 1]
    if (slot === undefined || next === undefined) throw this.error("literal data")
    this.segment++
    this.buf = decodeSegment(next)
    this.pos = 0
    this.slashAt = -1
    return slot
  }

  /** A literal that must have been kept: its bytes. */
  literal(): Uint8Array {
    const slot = this.literalSlot()
    if (!(slot instanceof Uint8Array))
      throw syntaxError("a literal was streamed where a value was expected")
    return slot
  }

  /** Whether a literal (`{`, or `~{`) starts here. */
  atLiteral(): boolean {
    const c = this.peek()
    return c === 0x7b || (c === 0x7e && this.buf.charCodeAt(this.pos + 1) === 0x7b)
  }

  /** `string = quoted / literal`, decoded as UTF-8. */
  string(): string {
    if (this.peek() === DQUOTE) return this.quoted()
    if (this.atLiteral()) {
      const bytes = this.literal()
      return bytes.length === 0 ? "" : utf8.decode(bytes)
    }
    throw this.error("string")
  }

  /**
   * A `string` where servers send `NIL` although the grammar forbids it: read as `""`.
   * Exchange 2010 sends `NIL` for empty parameter values (jakartaee/mail-api#203), Mail.ru
   * for the boundary (vmime#159), maddy for the body encoding (imap-codec#640).
   */
  stringOrNil(): string {
    if (this.acceptWord("NIL")) return ""
    return this.string()
  }

  /** `nstring = string / nil`. */
  nstring(): string | null {
    if (this.acceptWord("NIL")) return null
    return this.string()
  }

  /** `astring = 1*ASTRING-CHAR / string`. */
  astring(): string {
    const c = this.peek()
    if (c === DQUOTE || this.atLiteral()) return this.string()
    const start = this.pos
    while (this.pos < this.buf.length && isAstringChar(this.buf.charCodeAt(this.pos))) this.pos++
    if (this.pos === start) throw this.error("astring")
    return this.text(start, this.pos)
  }

  /** `mailbox = "INBOX" / astring`, with INBOX in any case normalised (RFC 9051 §5.1). */
  mailbox(): string {
    const name = this.astring()
    return name.length === 5 && name.toUpperCase() === "INBOX" ? "INBOX" : name
  }

  /** `list-mailbox = 1*list-char / string` (LIST patterns). */
  listMailbox(): string {
    const c = this.peek()
    if (c === DQUOTE || this.atLiteral()) return this.string()
    const start = this.pos
    while (this.pos < this.buf.length && isListChar(this.buf.charCodeAt(this.pos))) this.pos++
    if (this.pos === start) throw this.error("list-mailbox")
    return this.text(start, this.pos)
  }

  /** `flag` / `flag-perm` / `flag-fetch`: `\`-prefixed system flag, `\*`, or keyword atom. */
  flag(): string {
    if (this.accept(BACKSLASH)) {
      if (this.accept(0x2a)) return "\\*"
      return `\\${this.atom()}`
    }
    return this.atom()
  }

  /**
   * `"(" [item *(SP item)] ")"`, calling `item` for each element. Leniency: a space before
   * `)` (imap.qq.com, jakartaee/mail-api#209), doubled spaces (imap-n.global-mail.cn,
   * go-imap#653) and a missing space between items (Outlook, go-imap#452, #657) are skipped.
   */
  list(item: () => void): void {
    this.expect(OPEN, "(")
    this.enter()
    this.skipSpaces()
    while (!this.accept(CLOSE)) {
      if (this.pos >= this.buf.length) throw this.error(")")
      this.count()
      item()
      this.skipSpaces()
    }
    this.depth--
  }

  /** A list of values read by `item`, or `NIL`. */
  nilOrList<T>(item: () => T): T[] | null {
    if (this.acceptWord("NIL")) return null
    const out: T[] = []
    this.list(() => out.push(item()))
    return out
  }

  /** A list of values read by `item`. */
  listOf<T>(item: () => T): T[] {
    const out: T[] = []
    this.list(() => out.push(item()))
    return out
  }

  /** Counts one value towards the items-per-message limit. */
  count(): void {
    if (++this.items > this.limits.maxItems) {
      throw limitError("TOO_MANY_ITEMS", `more than ${this.limits.maxItems} items`, false)
    }
  }

  /** Enters a nested list, enforcing the depth limit. */
  enter(): void {
    if (++this.depth > this.limits.maxDepth) {
      throw limitError("TOO_DEEP", `lists nested deeper than ${this.limits.maxDepth}`, false)
    }
  }

  /** Leaves a list entered with {@link enter}. */
  leave(): void {
    this.depth--
  }

  /** `sequence-set` (RFC 9051 §9), or `$` (SEARCHRES, RFC 5182 §2.1). */
  sequenceSet(): SequenceSet {
    if (this.accept(0x24)) return "$"
    const ranges: SeqRange[] = []
    do {
      this.count()
      const start = this.seqNumber()
      const end = this.accept(0x3a) ? this.seqNumber() : start
      ranges.push({ start, end })
    } while (this.accept(0x2c))
    return ranges
  }

  /** `seq-number = nz-number / "*"`. */
  seqNumber(): SeqNumber {
    if (this.accept(0x2a)) return "*"
    return this.nzNumber()
  }

  /** `date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE`. */
  dateTime(): DateTime {
    return parseDateTime(this.quoted())
  }

  /** `date = date-text / DQUOTE date-text DQUOTE`. */
  date(): CalendarDate {
    return parseDate(this.peek() === DQUOTE ? this.quoted() : this.atom())
  }

  /** The rest of the current line as text (`text = 1*TEXT-CHAR`, possibly empty). */
  rest(): string {
    const start = this.pos
    this.pos = this.buf.length
    return this.text(start, this.pos)
  }

  /** Text up to (not including) byte `stop` or `other`, or to the end of the line. */
  textUntil(stop: number, other = stop): string {
    const start = this.pos
    while (this.pos < this.buf.length) {
      const c = this.buf.charCodeAt(this.pos)
      if (c === stop || c === other) break
      this.pos++
    }
    return this.text(start, this.pos)
  }

  /** Upper-cased letters, digits, `.` and `-` (section texts, FETCH item names). */
  textUntilAny(): string {
    const start = this.pos
    while (this.pos < this.buf.length) {
      const c = this.buf.charCodeAt(this.pos)
      if (c === 0x2e || c === 0x2d || isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a)) {
        this.pos++
      } else break
    }
    if (this.pos === start) throw this.error("a name")
    return this.text(start, this.pos).toUpperCase()
  }

  /** One value of the generic data grammar (see {@link ImapValue}). */
  value(): ImapValue {
    const c = this.peek()
    if (c === OPEN) {
      const out: ImapValue[] = []
      this.list(() => out.push(this.value()))
      return out
    }
    if (c === DQUOTE || this.atLiteral()) return this.string()
    if (this.acceptWord("NIL")) return null
    const start = this.pos
    while (this.pos < this.buf.length) {
      const b = this.buf.charCodeAt(this.pos)
      if (b === 0x5b) this.skipBracket()
      else if (isAstringChar(b) || b === BACKSLASH || b === 0x25 || b === 0x2a) this.pos++
      else break
    }
    if (this.pos === start) throw this.error("value")
    return { atom: this.text(start, this.pos) }
  }

  /** Skips a `[...]` run inside an atom-like token (`BODY[HEADER.FIELDS (A B)]`). */
  skipBracket(): void {
    while (this.pos < this.buf.length && this.buf.charCodeAt(this.pos) !== 0x5d) this.pos++
    if (this.pos < this.buf.length) this.pos++
  }

  /** Characters `[start, end)` of the current segment. */
  text(start: number, end: number): string {
    return this.buf.slice(start, end)
  }
}
