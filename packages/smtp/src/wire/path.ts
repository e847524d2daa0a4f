/**
 * Paths of MAIL and RCPT (RFC 5321 §4.1.2): `Reverse-path`, `Forward-path`, `Mailbox`
 * with dot-string or quoted-string local parts, the null path `<>`, UTF-8 addresses
 * (RFC 6531 §3.3), the special `<Postmaster>` (§4.1.1.3), and obsolete source routes
 * (`<@a,@b:user@c>`, §4.1.2 `A-d-l`), which are read and dropped as RFC 5321 Appendix C
 * says a receiver should.
 *
 * What it does not do: check that a domain exists or a mailbox is deliverable.
 */
import { localError, remoteError } from "../errors.js"
import type { Mailbox } from "../types.js"
import {
  hasLineBreakOrNul,
  isDomain,
  isDomainNameIn,
  isDotString,
  isDotStringIn,
} from "./grammar.js"

/** A path read from a command line and where it ended. */
export interface ParsedPath {
  /** `null` for the null reverse path `<>`. */
  readonly mailbox: Mailbox | null
  /** Index just after the closing `>`. */
  readonly end: number
}

/** What a path may be in the context it is read in. */
export interface PathOptions {
  /** `<>` is allowed (a reverse path, RFC 5321 §4.1.1.2). */
  readonly allowNull?: boolean
  /** `<Postmaster>` without a domain is allowed (RCPT, RFC 5321 §4.1.1.3). */
  readonly allowPostmaster?: boolean
}

/**
 * Reads a path starting at `text[start]`, which must be `<`. Throws a
 * `RemoteProtocolError` (hint `501 5.1.3` or `501 5.1.7`) when it is not a valid path.
 */
export function parsePath(text: string, start: number, options: PathOptions = {}): ParsedPath {
  if (text[start] !== "<") throw badPath("a path must start with <")
  let pos = start + 1
  if (text[pos] === ">") {
    if (options.allowNull !== true) throw badPath("the null path <> is not allowed here")
    return { mailbox: null, end: pos + 1 }
  }
  if (text[pos] === "@") pos = skipSourceRoute(text, pos)
  const local = localPart(text, pos)
  pos = local.end
  if (text[pos] === ">" && options.allowPostmaster === true) {
    if (local.value.toLowerCase() === "postmaster" && !local.quoted) {
      return { mailbox: { localPart: local.value, domain: "" }, end: pos + 1 }
    }
  }
  if (text[pos] !== "@") throw badPath("a mailbox needs @domain")
  const close = text.indexOf(">", pos + 1)
  if (close === -1) throw badPath("a path must end with >")
  const domain = text.slice(pos + 1, close)
  if (!isDomain(domain)) throw badPath(`invalid domain ${JSON.stringify(domain)}`)
  return { mailbox: { localPart: local.value, domain }, end: close + 1 }
}

/** `A-d-l ":"` (RFC 5321 §4.1.2): `@dom1,@dom2:`; returns the index after the colon. */
function skipSourceRoute(text: string, pos: number): number {
  const colon = text.indexOf(":", pos)
  if (colon === -1) throw badPath("a source route must end with :")
  const domains = text.slice(pos, colon).split(",")
  for (const atDomain of domains) {
    if (!atDomain.startsWith("@") || !isDomain(atDomain.slice(1))) {
      throw badPath("invalid source route")
    }
  }
  return colon + 1
}

/** `Local-part = Dot-string / Quoted-string` (RFC 5321 §4.1.2), decoded. */
function localPart(text: string, pos: number): { value: string; end: number; quoted: boolean } {
  if (text[pos] !== '"') {
    let end = pos
    while (end < text.length && !endsLocalPart(text.charCodeAt(end))) end++
    const value = text.slice(pos, end)
    if (!isDotString(value)) throw badPath(`invalid local part ${JSON.stringify(value)}`)
    return { value, end, quoted: false }
  }
  let value = ""
  for (let i = pos + 1; i < text.length; i++) {
    const char = text[i]!
    if (char === '"') {
      return { value, end: i + 1, quoted: true }
    }
    if (char === "\\") {
      const next = text[i + 1]
      if (next === undefined || !isQtextOrSpace(next)) throw badPath("invalid quoted-pair")
      value += next
      i++
    } else if (isQtextOrSpace(char) && char !== "\\") {
      value += char
    } else {
      throw badPath("invalid character in a quoted local part")
    }
  }
  throw badPath("unterminated quoted local part")
}

const AT = 0x40
const CLOSE_ANGLE = 0x3e

/** An unquoted local part runs up to its `@` (or the `>` of `<Postmaster>`). */
function endsLocalPart(code: number): boolean {
  return code === AT || code === CLOSE_ANGLE
}

/** `%d32-126` and UTF-8 (RFC 5321 §4.1.2 `quoted-pairSMTP`, RFC 6531 §3.3). */
function isQtextOrSpace(char: string): boolean {
  const code = char.codePointAt(0)!
  return (code >= 32 && code <= 126) || code >= 0x80
}

function badPath(message: string) {
  return remoteError("SYNTAX", message, "501 5.1.3 Bad address syntax")
}

/**
 * The text form of a mailbox, `local@domain`, quoting the local part when it is not a
 * dot-string (RFC 5321 §4.1.2). Throws a `LocalProtocolError` for a character no path may
 * hold (CR, LF, NUL, other controls) or an invalid domain.
 */
export function formatMailbox(mailbox: Mailbox): string {
  const { localPart: local, domain } = mailbox
  // The usual mailbox, checked in one pass each: neither rule lets CR, LF or NUL through.
  if (domain !== "" && isDotString(local) && isDomain(domain)) return `${local}@${domain}`
  if (hasLineBreakOrNul(local) || hasLineBreakOrNul(domain)) {
    throw localError("INVALID_ARGUMENT", "an address may not contain CR, LF or NUL")
  }
  let text: string
  if (isDotString(local)) {
    text = local
  } else {
    for (const char of local) {
      if (!isQtextOrSpace(char)) {
        throw localError(
          "INVALID_ARGUMENT",
          `invalid character in local part ${JSON.stringify(local)}`,
        )
      }
    }
    text = `"${local.replace(/(["\\])/g, "\\$1")}"`
  }
  if (domain === "") {
    if (local.toLowerCase() !== "postmaster") {
      throw localError("INVALID_ARGUMENT", "only Postmaster may have no domain")
    }
    return text
  }
  if (!isDomain(domain))
    throw localError("INVALID_ARGUMENT", `invalid domain ${JSON.stringify(domain)}`)
  return `${text}@${domain}`
}

/** `<local@domain>`, or `<>` for `null` (RFC 5321 §4.1.2 `Path`, `Reverse-path`). */
export function formatPath(mailbox: Mailbox | null): string {
  return mailbox === null ? "<>" : `<${formatMailbox(mailbox)}>`
}

/**
 * Whether `address` is `Dot-string "@" Domain` with a domain name (RFC 5321 §4.1.2): the
 * form nearly every address has, checked in one pass without building anything. Such an
 * address is exactly what {@link parseMailbox} reads and {@link formatMailbox} prints
 * back unchanged. `false` says only that it is not this form: a quoted local part, an
 * address literal, a source route or `Postmaster` may still be valid.
 */
export function isPlainMailbox(address: string): boolean {
  const at = address.indexOf("@")
  return at > 0 && isDotStringIn(address, 0, at) && isDomainNameIn(address, at + 1, address.length)
}

/**
 * Reads `local@domain` (no angle brackets) into a {@link Mailbox}; `null` when it is not
 * a valid RFC 5321 mailbox. Splits at the last `@`, so a quoted local part may hold `@`.
 */
export function parseMailbox(address: string): Mailbox | null {
  try {
    const { mailbox, end } = parsePath(`<${address}>`, 0, { allowPostmaster: true })
    return end === address.length + 2 ? mailbox : null
  } catch {
    return null
  }
}
