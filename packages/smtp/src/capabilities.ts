/**
 * The ESMTP service extensions this package speaks, one constant per keyword with the RFC
 * that defines it (RFC 5321 §4.1.1.1, §2.2), and the reading of an EHLO reply into a
 * {@link SmtpCapabilities} value.
 *
 * What it does not do: decide what a server offers (see the server options) or which
 * extension a client uses (see the client options).
 */
import type { SmtpReply } from "./types.js"

/** RFC 2920: command pipelining. */
export const CAP_PIPELINING = "PIPELINING"
/** RFC 6152: 8-bit MIME transport (`BODY=8BITMIME`). */
export const CAP_8BITMIME = "8BITMIME"
/** RFC 3030: binary MIME bodies (`BODY=BINARYMIME`, BDAT only). */
export const CAP_BINARYMIME = "BINARYMIME"
/** RFC 3030: the BDAT command. */
export const CAP_CHUNKING = "CHUNKING"
/** RFC 6531: UTF-8 addresses and headers (`SMTPUTF8`). */
export const CAP_SMTPUTF8 = "SMTPUTF8"
/** RFC 1870: message size declaration (`SIZE n`). */
export const CAP_SIZE = "SIZE"
/** RFC 3207: the STARTTLS command. */
export const CAP_STARTTLS = "STARTTLS"
/** RFC 4954: the AUTH command, followed by the SASL mechanism names. */
export const CAP_AUTH = "AUTH"
/** RFC 3461: delivery status notifications (`RET`, `ENVID`, `NOTIFY`, `ORCPT`). */
export const CAP_DSN = "DSN"
/** RFC 2034: enhanced status codes (RFC 3463) in replies. */
export const CAP_ENHANCEDSTATUSCODES = "ENHANCEDSTATUSCODES"
/** RFC 8689: the `REQUIRETLS` MAIL parameter; offered only under TLS. */
export const CAP_REQUIRETLS = "REQUIRETLS"

/**
 * What a server announced in its EHLO/LHLO reply (RFC 5321 §4.1.1.1): the domain from the
 * first line, and each extension keyword (upper-cased) with its parameters.
 */
export interface SmtpCapabilities {
  /** The server's domain, the first word of the first reply line. */
  readonly domain: string
  /** Keyword (upper case) → its parameters as sent. */
  readonly extensions: ReadonlyMap<string, readonly string[]>
}

/** Capabilities of a server that answered HELO (no extensions). */
export function emptyCapabilities(domain = ""): SmtpCapabilities {
  return { domain, extensions: new Map() }
}

/**
 * Reads a positive EHLO/LHLO reply. Keywords are matched case-insensitively. The
 * `AUTH=PLAIN LOGIN` form (with `=`) is read as `AUTH PLAIN LOGIN`: Microsoft Exchange and
 * old Sendmail/Lotus servers still announce it for pre-RFC 4954 Outlook clients.
 */
export function parseEhloReply(reply: SmtpReply): SmtpCapabilities {
  const [first = "", ...rest] = reply.lines
  const domain = first.split(" ", 1)[0] ?? ""
  const extensions = new Map<string, readonly string[]>()
  for (const line of rest) {
    const words = line.trim().split(/ +/)
    let keyword = words.shift() ?? ""
    if (keyword === "") continue
    const eq = keyword.indexOf("=")
    if (eq > 0 && keyword.slice(0, eq).toUpperCase() === CAP_AUTH) {
      words.unshift(keyword.slice(eq + 1))
      keyword = CAP_AUTH
    }
    const key = keyword.toUpperCase()
    const previous = extensions.get(key) ?? []
    extensions.set(key, [...previous, ...words.filter((word) => word !== "")])
  }
  return { domain, extensions }
}

/** Whether the server announced `keyword` (any case). */
export function hasCapability(capabilities: SmtpCapabilities, keyword: string): boolean {
  // Keywords are stored upper-cased: a `CAP_*` constant finds its entry without case
  // folding, which matters because the client asks several times for every message.
  const { extensions } = capabilities
  return extensions.has(keyword) || extensions.has(keyword.toUpperCase())
}

/**
 * The SIZE limit the server announced (RFC 1870 §4): a number of bytes, `0` for "no fixed
 * limit", or `null` when SIZE was not announced or its value is not a number.
 */
export function announcedSize(capabilities: SmtpCapabilities): number | null {
  const params = capabilities.extensions.get(CAP_SIZE)
  if (params === undefined) return null
  const [value] = params
  if (value === undefined) return 0
  return /^\d{1,15}$/.test(value) ? Number(value) : null
}

/** The SASL mechanisms the server announced with AUTH (RFC 4954 §3), upper-cased. */
export function announcedAuthMechanisms(capabilities: SmtpCapabilities): string[] {
  return (capabilities.extensions.get(CAP_AUTH) ?? []).map((name) => name.toUpperCase())
}
