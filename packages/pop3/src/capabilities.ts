/**
 * POP3 capabilities (RFC 2449 §6): the tags a server lists in answer to `CAPA`, parsed
 * into a typed object for the client and written from one for the server.
 *
 * What it does not do: decide which capabilities a server offers in a given state (the
 * server machine does, e.g. `STLS` only before TLS and `USER` only where plaintext
 * logins are allowed) or send `CAPA` (the client machine does).
 */

/** `TOP` command (RFC 2449 §6.1). */
export const CAP_TOP = "TOP"
/** `USER`/`PASS` login (RFC 2449 §6.2). */
export const CAP_USER = "USER"
/** `AUTH` with the listed SASL mechanisms (RFC 2449 §6.3, RFC 5034 §3). */
export const CAP_SASL = "SASL"
/** Extended response codes in brackets (RFC 2449 §6.4). */
export const CAP_RESP_CODES = "RESP-CODES"
/** `[AUTH]` and `[SYS/…]` response codes on login failures (RFC 3206 §6). */
export const CAP_AUTH_RESP_CODE = "AUTH-RESP-CODE"
/** Commands may be sent without waiting for each reply (RFC 2449 §6.6). */
export const CAP_PIPELINING = "PIPELINING"
/** Retention policy in days, or `NEVER` (RFC 2449 §6.7). */
export const CAP_EXPIRE = "EXPIRE"
/** Minimum seconds between logins (RFC 2449 §6.5). */
export const CAP_LOGIN_DELAY = "LOGIN-DELAY"
/** `UIDL` command (RFC 2449 §6.8). */
export const CAP_UIDL = "UIDL"
/** Server software name, for humans (RFC 2449 §6.9). */
export const CAP_IMPLEMENTATION = "IMPLEMENTATION"
/** `STLS` command (RFC 2595 §4). */
export const CAP_STLS = "STLS"
/** `UTF8` command; with the `USER` argument, UTF-8 user names and passwords (RFC 6856 §2). */
export const CAP_UTF8 = "UTF8"

/** A duration that may differ per user: the `USER` argument of RFC 2449 §6.5 and §6.7. */
export interface Pop3Policy<T> {
  readonly value: T
  /** The server said `USER`: the value may change after login. */
  readonly perUser: boolean
}

/** What a server said it supports (RFC 2449 §6). Absent capabilities are `false`/`null`. */
export interface Pop3Capabilities {
  readonly top: boolean
  readonly user: boolean
  /** SASL mechanisms for `AUTH`, upper case, or `null` when `SASL` was not listed. */
  readonly sasl: readonly string[] | null
  readonly respCodes: boolean
  readonly authRespCode: boolean
  readonly pipelining: boolean
  /** Days messages are kept after being seen, `"NEVER"` for never deleted (RFC 2449 §6.7). */
  readonly expire: Pop3Policy<number | "NEVER"> | null
  /** Seconds a client must wait between logins (RFC 2449 §6.5). */
  readonly loginDelay: Pop3Policy<number> | null
  readonly uidl: boolean
  readonly implementation: string | null
  readonly stls: boolean
  /** `UTF8` (RFC 6856 §2); `user` when UTF-8 is allowed in `USER`/`PASS` too. */
  readonly utf8: { readonly user: boolean } | null
  /** Every line as the server sent it, including tags this library does not know. */
  readonly lines: readonly string[]
}

/** The capabilities of a server that sent none, or answered `CAPA` with `-ERR`. */
export const NO_CAPABILITIES: Pop3Capabilities = {
  top: false,
  user: false,
  sasl: null,
  respCodes: false,
  authRespCode: false,
  pipelining: false,
  expire: null,
  loginDelay: null,
  uidl: false,
  implementation: null,
  stls: false,
  utf8: null,
  lines: [],
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

function policy(args: readonly string[]): Pop3Policy<number> | null {
  const value = args[0]
  if (value === undefined || !/^\d{1,9}$/.test(value)) return null
  return { value: Number(value), perUser: args[1]?.toUpperCase() === "USER" }
}

/**
 * Parses the lines of a `CAPA` answer (RFC 2449 §5), without the `+OK` line and the
 * final `.`. Tags are case-insensitive; unknown tags and malformed arguments are
 * ignored (kept only in `lines`), since a client can always fall back to RFC 1939.
 */
export function parseCapabilities(lines: readonly string[]): Pop3Capabilities {
  const caps: Mutable<Pop3Capabilities> = { ...NO_CAPABILITIES, lines: [...lines] }
  for (const line of lines) {
    const [rawTag = "", ...args] = line.trim().split(/ +/)
    const tag = rawTag.toUpperCase()
    switch (tag) {
      case CAP_TOP:
        caps.top = true
        break
      case CAP_USER:
        caps.user = true
        break
      case CAP_SASL:
        caps.sasl = args.map((arg) => arg.toUpperCase())
        break
      case CAP_RESP_CODES:
        caps.respCodes = true
        break
      case CAP_AUTH_RESP_CODE:
        caps.authRespCode = true
        break
      case CAP_PIPELINING:
        caps.pipelining = true
        break
      case CAP_UIDL:
        caps.uidl = true
        break
      case CAP_STLS:
        caps.stls = true
        break
      case CAP_UTF8:
        caps.utf8 = { user: args.some((arg) => arg.toUpperCase() === "USER") }
        break
      case CAP_IMPLEMENTATION:
        caps.implementation = line.trim().slice(rawTag.length).trim() || null
        break
      case CAP_LOGIN_DELAY:
        caps.loginDelay = policy(args)
        break
      case CAP_EXPIRE:
        if (args[0]?.toUpperCase() === "NEVER") caps.expire = { value: "NEVER", perUser: false }
        else caps.expire = policy(args)
        break
    }
  }
  return caps
}

/**
 * The capability lines for `caps` (RFC 2449 §5), in a fixed order, without `+OK` and
 * the final `.`. `lines` is ignored: the typed fields are the source.
 */
export function formatCapabilities(caps: Pop3Capabilities): string[] {
  const out: string[] = []
  if (caps.top) out.push(CAP_TOP)
  if (caps.uidl) out.push(CAP_UIDL)
  if (caps.user) out.push(CAP_USER)
  if (caps.sasl !== null && caps.sasl.length > 0) out.push(`${CAP_SASL} ${caps.sasl.join(" ")}`)
  if (caps.respCodes) out.push(CAP_RESP_CODES)
  if (caps.authRespCode) out.push(CAP_AUTH_RESP_CODE)
  if (caps.pipelining) out.push(CAP_PIPELINING)
  if (caps.expire !== null) {
    out.push(`${CAP_EXPIRE} ${caps.expire.value}${caps.expire.perUser ? " USER" : ""}`)
  }
  if (caps.loginDelay !== null) {
    out.push(`${CAP_LOGIN_DELAY} ${caps.loginDelay.value}${caps.loginDelay.perUser ? " USER" : ""}`)
  }
  if (caps.stls) out.push(CAP_STLS)
  if (caps.utf8 !== null) out.push(caps.utf8.user ? `${CAP_UTF8} USER` : CAP_UTF8)
  if (caps.implementation !== null) out.push(`${CAP_IMPLEMENTATION} ${caps.implementation}`)
  return out
}
