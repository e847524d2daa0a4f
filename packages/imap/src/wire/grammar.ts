/**
 * IMAP character classes (RFC 9051 §9, formal syntax), as byte tables.
 *
 * What it does: answers "may this byte appear in an atom / astring / tag / quoted
 * string?" in constant time, for the decoder and the encoder. What it does not do:
 * parse anything. No bytes are handed out.
 */

/**
 * ```abnf
 * atom-specials   = "(" / ")" / "{" / SP / CTL / list-wildcards /
 *                   quoted-specials / resp-specials
 * list-wildcards  = "%" / "*"
 * quoted-specials = DQUOTE / "\"
 * resp-specials   = "]"
 * ATOM-CHAR       = <any CHAR except atom-specials>
 * ```
 */
const ATOM = new Uint8Array(256)
/** `ASTRING-CHAR = ATOM-CHAR / resp-specials` */
const ASTRING = new Uint8Array(256)
/** `tag = 1*<any ASTRING-CHAR except "+">` */
const TAG = new Uint8Array(256)
/** `list-char = ATOM-CHAR / list-wildcards / resp-specials` (RFC 9051 §9, LIST patterns) */
const LIST_CHAR = new Uint8Array(256)

for (let c = 0x21; c < 0x7f; c++) {
  const special = c === 0x28 || c === 0x29 || c === 0x7b || c === 0x25 || c === 0x2a
  const quotedSpecial = c === 0x22 || c === 0x5c
  if (!special && !quotedSpecial && c !== 0x5d) ATOM[c] = 1
  if (ATOM[c] === 1 || c === 0x5d) ASTRING[c] = 1
  if (ASTRING[c] === 1 && c !== 0x2b) TAG[c] = 1
  if (ASTRING[c] === 1 || c === 0x25 || c === 0x2a) LIST_CHAR[c] = 1
}

/** Whether `c` is an `ATOM-CHAR`. */
export function isAtomChar(c: number): boolean {
  return ATOM[c] === 1
}

/** Whether `c` is an `ASTRING-CHAR`. */
export function isAstringChar(c: number): boolean {
  return ASTRING[c] === 1
}

/** Whether `c` may appear in a `tag`. */
export function isTagChar(c: number): boolean {
  return TAG[c] === 1
}

/** Whether `c` is a `list-char` (LIST mailbox patterns). */
export function isListChar(c: number): boolean {
  return LIST_CHAR[c] === 1
}

/** Whether `c` is a `DIGIT`. */
export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

/** Whether `text` is a non-empty run of `ATOM-CHAR`s, i.e. can be sent as an `atom`. */
export function isAtom(text: string): boolean {
  return everyChar(text, ATOM)
}

/** Whether `text` can be sent as the atom form of an `astring`. */
export function isAstringAtom(text: string): boolean {
  return everyChar(text, ASTRING)
}

/** Whether `text` is a valid `tag`. */
export function isTag(text: string): boolean {
  return everyChar(text, TAG)
}

/** Whether `text` can be sent as the atom form of a `list-mailbox`. */
export function isListMailboxAtom(text: string): boolean {
  return everyChar(text, LIST_CHAR)
}

function everyChar(text: string, table: Uint8Array): boolean {
  if (text.length === 0) return false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c > 0xff || table[c] !== 1) return false
  }
  return true
}

/**
 * Whether `text` can be a `quoted` string: `QUOTED-CHAR` excludes CR, LF and NUL, and
 * 8-bit characters are allowed only as UTF-8 (`utf8-quoted`, RFC 9051 §9, RFC 6855 §3).
 */
export function isQuotable(text: string, allowUtf8: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x0d || c === 0x0a || c === 0) return false
    if (c > 0x7f && !allowUtf8) return false
  }
  return true
}
