/**
 * The POP3 grammar (RFC 1939 §3, §9; RFC 2449 §3–§4, §8), as small functions named after
 * what they read: command lines for the server, status lines, scan and unique-id
 * listings, message numbers and the APOP timestamp for the client.
 *
 * Lines come in as text without their CRLF; nothing here frames bytes (that is
 * `LineReader`) or unstuffs bodies (that is `DotDecoder`). Every function returns
 * `null` for input that does not match; none throws.
 */
import type { Pop3ResponseCode, ScanListing, UniqueIdListing } from "../types.js"

/**
 * 8,192 bytes, CRLF included, for both machines. RFC 2449 §4 caps commands at 255 octets, but RFC 5034 §4
 * lifts the cap for `AUTH` lines, and an OAuth bearer token in an XOAUTH2 or OAUTHBEARER
 * initial response runs to 2–4 KB in base64; 8 KiB holds those and still bounds memory. The
 * client reads server lines (SASL challenges among them) with the same limit.
 */
export const DEFAULT_POP3_MAX_LINE_LENGTH = 8192

/** A command line split into its keyword (upper-cased) and arguments (RFC 1939 §3). */
export interface CommandLine {
  readonly keyword: string
  readonly args: readonly string[]
  /** Everything after the keyword and one space, for `PASS` whose argument may hold spaces. */
  readonly rest: string
}

/** A status line: `+OK` or `-ERR`, an optional `[code]` (RFC 2449 §8), and text. */
export interface StatusLine {
  readonly ok: boolean
  readonly code: Pop3ResponseCode | null
  readonly text: string
}

/** The shortest and longest keyword: keyword = 3*4VCHAR (RFC 2449 §3). */
const KEYWORD_MIN_LENGTH = 3
const KEYWORD_MAX_LENGTH = 4

/**
 * command = keyword *(SP param) CRLF (RFC 2449 §3). Runs of spaces between arguments and
 * trailing spaces are accepted: telnet users and some older clients send them. Read with
 * `indexOf` and `slice` rather than a regular expression and `split`, since every
 * command of a session, each RETR among them, comes through here.
 */
export function commandLine(line: string): CommandLine | null {
  const space = line.indexOf(" ")
  const word = space === -1 ? line : line.slice(0, space)
  if (!isKeyword(word)) return null
  const rest = space === -1 ? "" : line.slice(space + 1)
  return { keyword: word.toUpperCase(), args: params(rest), rest }
}

/** keyword = 3*4VCHAR (RFC 2449 §3); letters and digits cover every command (`UTF8` has a digit). */
function isKeyword(word: string): boolean {
  if (word.length < KEYWORD_MIN_LENGTH || word.length > KEYWORD_MAX_LENGTH) return false
  for (let i = 0; i < word.length; i++) {
    if (!isLetterOrDigit(word.charCodeAt(i))) return false
  }
  return true
}

/** ALPHA / DIGIT (RFC 5234 B.1). */
function isLetterOrDigit(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a)
  )
}

/** The space-separated params after the keyword, skipping empty ones (runs of spaces). */
function params(rest: string): string[] {
  const args: string[] = []
  let from = 0
  while (from < rest.length) {
    const space = rest.indexOf(" ", from)
    const end = space === -1 ? rest.length : space
    if (end > from) args.push(rest.slice(from, end))
    from = end + 1
  }
  return args
}

/** resp-code = "[" resp-level *("/" resp-level) "]" (RFC 2449 §8). */
const RESP_CODE = /^\[([A-Za-z0-9-]+(?:\/[A-Za-z0-9-]+)*)\] ?/

/**
 * status = "+OK" / "-ERR", then SP and text (RFC 1939 §3, RFC 2449 §8). A status with no
 * text and no space is accepted (qpopper and some appliances send a bare `+OK`); the
 * indicator is matched case-insensitively for servers that send `+ok`.
 */
export function statusLine(line: string): StatusLine | null {
  let ok: boolean
  let text: string
  const upper = line.slice(0, 4).toUpperCase()
  if (upper.startsWith("+OK")) {
    ok = true
    text = line.slice(3)
  } else if (upper === "-ERR") {
    ok = false
    text = line.slice(4)
  } else {
    return null
  }
  if (text.length > 0 && text[0] !== " ") return null
  text = text.slice(1)
  const match = RESP_CODE.exec(text)
  if (match === null) return { ok, code: null, text }
  return { ok, code: match[1]!.toUpperCase(), text: text.slice(match[0].length) }
}

/**
 * The most digits a message number or count may have: nine, so every value fits in a
 * 32-bit integer and a client cannot make the server read a long run of digits.
 */
const MAX_NUMBER_DIGITS = 9
/** The character code of `0`. */
const DIGIT_ZERO = 0x30

/** A message number: 1*DIGIT, at least 1 (RFC 1939 §3); nine digits at most. */
export function messageNumber(arg: string | undefined): number | null {
  const value = count(arg)
  return value !== null && value >= 1 ? value : null
}

/**
 * A non-negative count such as `TOP`'s line count (RFC 1939 §7): 1*9DIGIT. Read digit
 * by digit rather than with a regular expression: RETR's number is parsed on every
 * command, and the loop costs a fraction of a regex test plus `Number`.
 */
export function count(arg: string | undefined): number | null {
  if (arg === undefined || arg.length === 0 || arg.length > MAX_NUMBER_DIGITS) return null
  let value = 0
  for (let i = 0; i < arg.length; i++) {
    const digit = arg.charCodeAt(i) - DIGIT_ZERO
    if (digit < 0 || digit > 9) return null
    value = value * 10 + digit
  }
  return value
}

/**
 * scan listing = msg SP size, "no requirement on what follows" (RFC 1939 §5); extra
 * text after the size is ignored.
 */
export function scanListing(text: string): ScanListing | null {
  const [number, size] = text.trim().split(/ +/)
  const n = messageNumber(number)
  const octets = count(size)
  return n === null || octets === null ? null : { number: n, size: octets }
}

/** unique-id = 1*70 of 0x21–0x7E (RFC 1939 §7). */
const UNIQUE_ID = /^[\x21-\x7e]{1,70}$/

/** Whether `uid` is a valid unique-id (RFC 1939 §7). */
export function isUniqueId(uid: string): boolean {
  return UNIQUE_ID.test(uid)
}

/**
 * unique-id listing = msg SP unique-id (RFC 1939 §7). Ids longer than 70 characters are
 * accepted: the limit protects servers, and a client that refuses them would lose mail.
 */
export function uniqueIdListing(text: string): UniqueIdListing | null {
  const [number, uid] = text.trim().split(/ +/)
  const n = messageNumber(number)
  if (n === null || uid === undefined || !/^[\x21-\x7e]+$/.test(uid)) return null
  return { number: n, uid }
}

/** STAT's answer: count SP size, then anything (RFC 1939 §5). */
export function dropListing(text: string): { count: number; size: number } | null {
  const [messages, size] = text.trim().split(/ +/)
  const c = count(messages)
  const octets = count(size)
  return c === null || octets === null ? null : { count: c, size: octets }
}

/**
 * The APOP timestamp in a greeting: a msg-id, `<` … `@` … `>` (RFC 1939 §7), or `null`
 * when the server does not offer APOP.
 */
export function greetingTimestamp(text: string): string | null {
  return /<[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+>/.exec(text)?.[0] ?? null
}
