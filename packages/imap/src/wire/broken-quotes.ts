/**
 * Quoted strings as Microsoft Exchange and a few other servers really send them, for the
 * response side only (RFC 9051 §4.3 `quoted`, §9 `QUOTED-CHAR`). Two breakages are read
 * instead of refused:
 *
 * - An unescaped `"` inside a quoted string: Exchange and other servers copy header text
 *   into ENVELOPE and BODYSTRUCTURE strings without escaping it (`"HTML""`,
 *   jstedfast/MailKit#485; `""""` as a description, emersion/go-imap#659; a Message-ID
 *   with quotes in it, jakartaee/mail-api#669). A `"` then ends the string only when what
 *   follows can follow a string: SP, `(`, `)`, `]` or the end of the line.
 * - CR LF inside a quoted string: Exchange copies a folded header line into a quoted
 *   string with its line break (emersion/go-imap#452; jakartaee/mail-api#255 shows the
 *   same folded subject). A response whose last line ends inside a quoted string and does
 *   not parse is joined with the next line, unless that line starts a new response.
 *
 * What it does not do: change the command side, where a server must stay strict (a
 * client that sends CR LF in a quoted string gets `BAD`). Reads bytes; keeps nothing.
 */

const SP = 0x20
const DQUOTE = 0x22
const BACKSLASH = 0x5c

/**
 * Whether a `"` followed by `next` (a char code, or `NaN`/`undefined` at the end of the
 * line) ends a quoted string under the lenient reading.
 */
export function isQuoteEnd(next: number | undefined): boolean {
  return (
    next === undefined ||
    Number.isNaN(next) ||
    next === SP ||
    next === 0x28 ||
    next === 0x29 ||
    next === 0x5d
  )
}

/**
 * Whether `line[from…]` ends inside a quoted string, starting inside one if `inQuote`.
 * Reads quotes the lenient way (see {@link isQuoteEnd}); one pass, no allocation.
 */
export function endsInQuote(line: Uint8Array, from: number, inQuote: boolean): boolean {
  let quoted = inQuote
  for (let i = from; i < line.length; i++) {
    const c = line[i]!
    if (quoted) {
      if (c === BACKSLASH) i++
      else if (c === DQUOTE && isQuoteEnd(line[i + 1])) quoted = false
    } else if (c === DQUOTE) quoted = true
  }
  return quoted
}

const RESPONSE_START = /^(?:[*+](?: |$)|[!#-'*,-Z^-z|~]+ (?:OK|NO|BAD|BYE|PREAUTH)(?: |$))/i

/**
 * Whether `line` starts a response (`* `, `+ `, or a tag and a status), so that it cannot
 * be the rest of a quoted string broken by CR LF: header folding puts white space first.
 */
export function startsResponse(line: Uint8Array): boolean {
  let head = ""
  for (let i = 0; i < line.length && i < 72; i++) head += String.fromCharCode(line[i]!)
  return RESPONSE_START.test(head)
}
