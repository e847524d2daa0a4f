/**
 * The IMAP encoder: a chainable writer of commands and responses, with methods named
 * after the ABNF rules of RFC 9051 §9. It chooses the form of each string (atom, quoted
 * or literal), rejects CR, LF and NUL wherever a literal cannot carry them, and knows
 * when a synchronizing literal must wait for the server's `+` (RFC 9051 §4.3): the
 * output is a list of {@link EncodedPart}s, and a part marked `waitsForContinuation`
 * must not be followed by the next one before a continuation request arrives.
 *
 * What it does not do: decide whether a command may be sent now (the client machine
 * does), or write to a socket. It throws `LocalProtocolError` at the first value that
 * cannot be encoded. Bytes it hands out are new arrays owned by the caller; literal
 * bytes given to it are copied into them.
 */
import { concatBytes } from "@mailwire/wire"
import { invalidArgument } from "../errors.js"
import type {
  CalendarDate,
  DateTime,
  ImapValue,
  SeqNumber,
  SequenceSet,
  StreamedLiteral,
} from "../types.js"
import { isAstringAtom, isAtom, isListMailboxAtom, isQuotable, isTag } from "./grammar.js"

/**
 * How a client sends literals: `"sync"` waits for `+` after each `{n}` (RFC 9051 §4.3);
 * `"plus"` sends `{n+}` without waiting (LITERAL+, RFC 7888 §3); `"minus"` does so only
 * for literals up to 4,096 bytes (LITERAL-, RFC 7888 §4).
 */
export type LiteralMode = "sync" | "plus" | "minus"

/** Options of an {@link Encoder}. */
export interface EncoderOptions {
  /** `"client"` (default) encodes commands; `"server"` responses, whose literals never wait. */
  readonly side?: "client" | "server"
  /** Default `"sync"`. Ignored on the server side. */
  readonly literalMode?: LiteralMode
  /**
   * Whether strings may carry UTF-8 in quoted form: IMAP4rev2 or `UTF8=ACCEPT` enabled
   * (RFC 9051 §5.1, RFC 6855 §3). Default `false`: non-ASCII strings go as literals.
   */
  readonly utf8?: boolean
}

/** A piece of encoded output (RFC 9051 §4.3). */
export interface EncodedPart {
  readonly bytes: Uint8Array
  /**
   * The sender must wait for a continuation request (`+`) before sending what follows this
   * part (the streamed literal, if any, then the next part).
   */
  readonly waitsForContinuation: boolean
  /**
   * A literal whose bytes the caller sends itself, right after this part (and after `+`
   * when the part waits): exactly `size` bytes, from its own stream. `null` for none.
   */
  readonly streamedLiteral: StreamedLiteral | null
}

/** LITERAL- allows non-synchronizing literals only up to this size (RFC 7888 §4). */
export const LITERAL_MINUS_MAX = 4096

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const utf8 = new TextEncoder()

/** Writes IMAP values; every method returns `this`. */
export class Encoder {
  readonly side: "client" | "server"
  readonly literalMode: LiteralMode
  readonly utf8: boolean
  private pending = ""
  private chunks: Uint8Array[] = []
  private parts: EncodedPart[] = []

  constructor(options: EncoderOptions = {}) {
    this.side = options.side ?? "client"
    this.literalMode = options.literalMode ?? "sync"
    this.utf8 = options.utf8 ?? false
  }

  /**
   * Writes grammar the caller built (`BODY.PEEK[`, `)`) as it is; only CR, LF and NUL are
   * refused, so no caller can end a line early.
   */
  raw(text: string): this {
    this.pending += checkText(text)
    return this
  }

  /** `SP`. */
  sp(): this {
    this.pending += " "
    return this
  }

  /** An `atom`; throws if `text` is not one. */
  atom(text: string): this {
    if (!isAtom(text)) throw invalidArgument(`not an atom: ${JSON.stringify(text)}`)
    this.pending += text
    return this
  }

  /** A `tag`. */
  tag(text: string): this {
    if (!isTag(text)) throw invalidArgument(`not a tag: ${JSON.stringify(text)}`)
    this.pending += text
    return this
  }

  /** A `number` (non-negative safe integer). */
  number(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw invalidArgument(`not a number: ${value}`)
    this.pending += String(value)
    return this
  }

  /** A `number64` / `mod-sequence-value`. */
  number64(value: bigint): this {
    if (value < 0n || value > 0x7fffffffffffffffn) throw invalidArgument(`not a number64: ${value}`)
    this.pending += value.toString()
    return this
  }

  /** `quoted`; throws if `text` holds CR, LF, NUL (or non-ASCII without UTF-8). */
  quoted(text: string): this {
    if (!isQuotable(text, this.utf8)) throw invalidArgument("text cannot be quoted")
    this.pending += `"${text.replace(/["\\]/g, "\\$&")}"`
    return this
  }

  /**
   * A `literal` (or `literal8` when `binary`), whose marker follows {@link literalMode}.
   * A synchronizing client literal ends the current part: see {@link EncodedPart}.
   */
  literal(bytes: Uint8Array, binary = false): this {
    if (!this.marker(bytes.length, binary)) this.cut(true, null)
    this.flush()
    this.chunks.push(bytes)
    return this
  }

  /**
   * A literal whose bytes the caller streams itself: writes the marker and ends the part,
   * which then names the literal (see {@link EncodedPart.streamedLiteral}).
   */
  streamedLiteral(literal: StreamedLiteral, binary = false): this {
    if (!Number.isSafeInteger(literal.size) || literal.size < 0) {
      throw invalidArgument(`invalid literal size ${literal.size}`)
    }
    this.cut(!this.marker(literal.size, binary), literal)
    return this
  }

  /** Writes a literal marker; returns whether it is non-synchronizing. */
  private marker(size: number, binary: boolean): boolean {
    const nonSync =
      this.side === "server" ||
      this.literalMode === "plus" ||
      (this.literalMode === "minus" && size <= LITERAL_MINUS_MAX)
    const plus = this.side === "client" && nonSync ? "+" : ""
    this.pending += `${binary ? "~" : ""}{${size}${plus}}\r\n`
    return nonSync
  }

  /** `string`: quoted when it can be, a literal otherwise. */
  string(text: string): this {
    if (text.length < 1024 && isQuotable(text, this.utf8)) return this.quoted(text)
    return this.literal(utf8.encode(text))
  }

  /** `astring`: an atom when it can be, else a {@link string}. */
  astring(text: string): this {
    if (isAstringAtom(text) && text.toUpperCase() !== "NIL") {
      this.pending += text
      return this
    }
    return this.string(text)
  }

  /** `nstring`: `NIL` for `null`. */
  nstring(text: string | null): this {
    return text === null ? this.raw("NIL") : this.string(text)
  }

  /** `list-mailbox`: a pattern with `%` and `*` as an atom when possible. */
  listMailbox(text: string): this {
    if (isListMailboxAtom(text)) return this.raw(text)
    return this.string(text)
  }

  /** `flag`: `\Name`, `\*` or a keyword atom. */
  flag(flag: string): this {
    if (flag === "\\*") return this.raw(flag)
    return flag.startsWith("\\") ? this.raw("\\").atom(flag.slice(1)) : this.atom(flag)
  }

  /** `"(" [item *(SP item)] ")"`. */
  list<T>(items: readonly T[], item: (value: T) => void): this {
    this.pending += "("
    items.forEach((value, i) => {
      if (i > 0) this.pending += " "
      item(value)
    })
    this.pending += ")"
    return this
  }

  /** `sequence-set` or `$`. */
  sequenceSet(set: SequenceSet): this {
    if (set === "$") return this.raw("$")
    if (set.length === 0) throw invalidArgument("empty sequence set")
    set.forEach((range, i) => {
      if (i > 0) this.pending += ","
      this.seqNumber(range.start)
      if (range.end !== range.start) this.raw(":").seqNumber(range.end)
    })
    return this
  }

  /** `seq-number`. */
  seqNumber(value: SeqNumber): this {
    if (value !== "*" && (!Number.isSafeInteger(value) || value < 1)) {
      throw invalidArgument(`not a sequence number: ${value}`)
    }
    this.pending += String(value)
    return this
  }

  /** `date-time`, in the zone it carries. */
  dateTime(value: DateTime): this {
    const offset = value.offsetMinutes
    const local = new Date(value.date.getTime() + offset * 60_000)
    if (Number.isNaN(local.getTime()) || Math.abs(offset) >= 100 * 60) {
      throw invalidArgument("invalid date-time")
    }
    const abs = Math.abs(offset)
    const zone = `${offset < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
    const day = String(local.getUTCDate()).padStart(2, " ")
    const date = `${day}-${MONTHS[local.getUTCMonth()]}-${String(local.getUTCFullYear()).padStart(4, "0")}`
    const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`
    this.pending += `"${date} ${time} ${zone}"`
    return this
  }

  /** `date` (`date-text`, unquoted). */
  date(value: CalendarDate): this {
    const month = MONTHS[value.month - 1]
    if (
      month === undefined ||
      value.day < 1 ||
      value.day > 31 ||
      value.year < 0 ||
      value.year > 9999
    ) {
      throw invalidArgument("invalid date")
    }
    this.pending += `${value.day}-${month}-${String(value.year).padStart(4, "0")}`
    return this
  }

  /** A value of the generic grammar ({@link ImapValue}). */
  value(value: ImapValue): this {
    if (value === null) return this.raw("NIL")
    if (typeof value === "string") return this.string(value)
    if (Array.isArray(value)) return this.list(value as readonly ImapValue[], (v) => this.value(v))
    return this.raw(checkText((value as { atom: string }).atom))
  }

  /** Free text up to the end of the line (`text`); rejects CR, LF and NUL. */
  text(text: string): this {
    this.pending += checkText(text)
    return this
  }

  /** Ends the line with CRLF. */
  crlf(): this {
    this.pending += "\r\n"
    return this
  }

  /** The output so far, as parts; the encoder is reset. */
  finish(): EncodedPart[] {
    this.cut(false, null)
    const parts = this.parts
    this.parts = []
    return parts
  }

  /**
   * The output so far as one array, for callers that do not need the parts. Throws if it
   * holds a streamed literal, whose bytes only the caller has.
   */
  bytes(): Uint8Array {
    const parts = this.finish()
    if (parts.some((part) => part.streamedLiteral !== null)) {
      throw invalidArgument("the output holds a streamed literal; use finish() and send the parts")
    }
    if (parts.length === 1) return parts[0]!.bytes
    return concatBytes(parts.map((part) => part.bytes))
  }

  private flush(): void {
    if (this.pending.length > 0) this.chunks.push(utf8.encode(this.pending))
    this.pending = ""
  }

  private cut(waits: boolean, literal: StreamedLiteral | null): void {
    this.flush()
    if (this.chunks.length === 0 && !waits && literal === null) return
    const bytes = this.chunks.length === 1 ? this.chunks[0]! : concatBytes(this.chunks)
    this.parts.push({ bytes, waitsForContinuation: waits, streamedLiteral: literal })
    this.chunks = []
  }
}

function pad(value: number): string {
  return String(value).padStart(2, "0")
}

function checkText(text: string): string {
  if (/[\r\n\0]/.test(text)) throw invalidArgument("CR, LF or NUL in text")
  return text
}
