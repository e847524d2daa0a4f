/**
 * ESMTP parameters of MAIL and RCPT (RFC 5321 §4.1.2 `Mail-parameters`, `Rcpt-parameters`):
 * `keyword[=value]` pairs, read into typed fields for the extensions this package speaks
 * and kept as text for the others.
 *
 * - MAIL: `SIZE` (RFC 1870), `BODY` (RFC 6152, RFC 3030), `SMTPUTF8` (RFC 6531), `RET` and
 *   `ENVID` (RFC 3461, xtext), `REQUIRETLS` (RFC 8689), `AUTH` (RFC 4954 §5, xtext).
 * - RCPT: `NOTIFY` and `ORCPT` (RFC 3461; xtext, or utf-8-addr-xtext per RFC 6533).
 *
 * What it does not do: decide whether a parameter is allowed — that depends on what the
 * server announced, and the server machine checks it.
 */
import { localError, remoteError } from "../errors.js"
import {
  decodeUtf8AddrXtext,
  decodeXtext,
  encodeUtf8AddrXtext,
  encodeXtext,
  hasLineBreakOrNul,
  isEsmtpKeyword,
  isEsmtpValue,
} from "./grammar.js"

/** `BODY` values: RFC 6152 §2 (`7BIT`, `8BITMIME`) and RFC 3030 §3 (`BINARYMIME`). */
export type BodyType = "7BIT" | "8BITMIME" | "BINARYMIME"

/** `NOTIFY` values (RFC 3461 §4.1); `NEVER` stands alone. */
export type DsnNotify = "NEVER" | "SUCCESS" | "FAILURE" | "DELAY"

/** Parameters of MAIL FROM (RFC 5321 §4.1.1.2 and the extensions named on each field). */
export interface MailParameters {
  /** RFC 1870 §3: the declared message size in bytes. */
  readonly size?: number
  /** RFC 6152 §2, RFC 3030 §3. */
  readonly body?: BodyType
  /** RFC 6531 §3.4: the message needs SMTPUTF8. */
  readonly smtpUtf8?: boolean
  /** RFC 3461 §4.3: return the full message or only headers in a DSN. */
  readonly ret?: "FULL" | "HDRS"
  /** RFC 3461 §4.4: envelope identifier, decoded from xtext. */
  readonly envid?: string
  /** RFC 8689 §4.1: the message must be relayed over TLS only. */
  readonly requireTls?: boolean
  /** RFC 4954 §5: the authenticated submitter, decoded from xtext; `"<>"` for none. */
  readonly auth?: string
  /** Any other parameter: upper-cased keyword → value (`null` without `=`). */
  readonly other?: Readonly<Record<string, string | null>>
}

/** The original recipient (RFC 3461 §4.2): address type and decoded address. */
export interface OriginalRecipient {
  /** `rfc822` or `utf-8` (RFC 6533 §3), as sent. */
  readonly addrType: string
  readonly address: string
}

/** Parameters of RCPT TO (RFC 5321 §4.1.1.3 and the extensions named on each field). */
export interface RcptParameters {
  /** RFC 3461 §4.1. */
  readonly notify?: readonly DsnNotify[]
  /** RFC 3461 §4.2. */
  readonly orcpt?: OriginalRecipient
  /** Any other parameter: upper-cased keyword → value (`null` without `=`). */
  readonly other?: Readonly<Record<string, string | null>>
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** Splits ` KEY=VALUE KEY2` into pairs; a repeated keyword is a syntax error. */
function pairs(text: string): Map<string, string | null> {
  const out = new Map<string, string | null>()
  for (const word of text.split(" ")) {
    if (word === "") continue
    const eq = word.indexOf("=")
    const keyword = (eq === -1 ? word : word.slice(0, eq)).toUpperCase()
    const value = eq === -1 ? null : word.slice(eq + 1)
    if (!isEsmtpKeyword(keyword) || (value !== null && !isEsmtpValue(value))) {
      throw remoteError("SYNTAX", `invalid parameter ${JSON.stringify(word)}`)
    }
    if (out.has(keyword)) throw remoteError("SYNTAX", `parameter ${keyword} given twice`)
    out.set(keyword, value)
  }
  return out
}

function flag(keyword: string, value: string | null): true {
  if (value !== null) throw remoteError("SYNTAX", `${keyword} takes no value`)
  return true
}

function needValue(keyword: string, value: string | null): string {
  if (value === null) throw remoteError("SYNTAX", `${keyword} needs a value`)
  return value
}

function xtext(keyword: string, value: string | null): string {
  const decoded = decodeXtext(needValue(keyword, value))
  if (decoded === null) throw remoteError("SYNTAX", `${keyword} is not valid xtext`)
  return decoded
}

/** Reads the parameters after the path of MAIL FROM. Throws `RemoteProtocolError` (501). */
export function parseMailParameters(text: string): MailParameters {
  if (text === "") return {}
  const out: Mutable<MailParameters> = {}
  const other: Record<string, string | null> = {}
  for (const [keyword, value] of pairs(text)) {
    switch (keyword) {
      case "SIZE": {
        const size = needValue(keyword, value)
        if (!/^\d{1,15}$/.test(size)) throw remoteError("SYNTAX", "SIZE must be a number")
        out.size = Number(size)
        break
      }
      case "BODY": {
        const body = needValue(keyword, value).toUpperCase()
        if (body !== "7BIT" && body !== "8BITMIME" && body !== "BINARYMIME") {
          throw remoteError("SYNTAX", `unknown BODY ${body}`)
        }
        out.body = body
        break
      }
      case "SMTPUTF8":
        out.smtpUtf8 = flag(keyword, value)
        break
      case "REQUIRETLS":
        out.requireTls = flag(keyword, value)
        break
      case "RET": {
        const ret = needValue(keyword, value).toUpperCase()
        if (ret !== "FULL" && ret !== "HDRS")
          throw remoteError("SYNTAX", "RET must be FULL or HDRS")
        out.ret = ret
        break
      }
      case "ENVID":
        out.envid = xtext(keyword, value)
        break
      case "AUTH":
        out.auth = xtext(keyword, value)
        break
      default:
        other[keyword] = value
    }
  }
  if (Object.keys(other).length > 0) out.other = other
  return out
}

/** Reads the parameters after the path of RCPT TO. Throws `RemoteProtocolError` (501). */
export function parseRcptParameters(text: string): RcptParameters {
  if (text === "") return {}
  const out: Mutable<RcptParameters> = {}
  const other: Record<string, string | null> = {}
  for (const [keyword, value] of pairs(text)) {
    if (keyword === "NOTIFY") {
      const list = needValue(keyword, value).toUpperCase().split(",")
      const valid = list.every((v) => v === "SUCCESS" || v === "FAILURE" || v === "DELAY")
      if (!(list.length === 1 && list[0] === "NEVER") && !valid) {
        throw remoteError("SYNTAX", "NOTIFY must be NEVER or a list of SUCCESS, FAILURE, DELAY")
      }
      out.notify = list as DsnNotify[]
    } else if (keyword === "ORCPT") {
      const raw = needValue(keyword, value)
      const semi = raw.indexOf(";")
      const addrType = raw.slice(0, semi)
      if (semi <= 0) throw remoteError("SYNTAX", "ORCPT must be addr-type;address")
      const encoded = raw.slice(semi + 1)
      const address =
        addrType.toLowerCase() === "utf-8" ? decodeUtf8AddrXtext(encoded) : decodeXtext(encoded)
      if (address === null || address === "") {
        throw remoteError("SYNTAX", "ORCPT address is not valid xtext")
      }
      out.orcpt = { addrType, address }
    } else {
      other[keyword] = value
    }
  }
  if (Object.keys(other).length > 0) out.other = other
  return out
}

function otherParameters(other: Readonly<Record<string, string | null>> | undefined): string[] {
  const out: string[] = []
  for (const [keyword, value] of Object.entries(other ?? {})) {
    if (!isEsmtpKeyword(keyword) || (value !== null && !isEsmtpValue(value))) {
      throw localError("INVALID_ARGUMENT", `invalid ESMTP parameter ${JSON.stringify(keyword)}`)
    }
    out.push(value === null ? keyword : `${keyword}=${value}`)
  }
  return out
}

/**
 * The wire form of MAIL parameters, each preceded by a space. Throws a
 * `LocalProtocolError` for a value that is not what its RFC allows (a SIZE that is not a
 * whole number, CR/LF/NUL anywhere), so nothing can be smuggled into the command line.
 */
export function formatMailParameters(parameters: MailParameters): string {
  const out: string[] = []
  const { size, body, smtpUtf8, ret, envid, requireTls, auth } = parameters
  if (size !== undefined) {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw localError("INVALID_ARGUMENT", `SIZE must be a whole number, got ${String(size)}`)
    }
    out.push(`SIZE=${size}`)
  }
  if (body !== undefined) {
    if (body !== "7BIT" && body !== "8BITMIME" && body !== "BINARYMIME") {
      throw localError("INVALID_ARGUMENT", `invalid BODY ${JSON.stringify(body)}`)
    }
    out.push(`BODY=${body}`)
  }
  if (smtpUtf8 === true) out.push("SMTPUTF8")
  if (requireTls === true) out.push("REQUIRETLS")
  if (ret !== undefined) {
    if (ret !== "FULL" && ret !== "HDRS")
      throw localError("INVALID_ARGUMENT", "RET must be FULL or HDRS")
    out.push(`RET=${ret}`)
  }
  if (envid !== undefined) out.push(`ENVID=${encodeXtext(envid)}`)
  if (auth !== undefined) out.push(`AUTH=${encodeXtext(auth)}`)
  out.push(...otherParameters(parameters.other))
  return out.map((p) => ` ${p}`).join("")
}

/** The wire form of RCPT parameters, each preceded by a space. Throws `LocalProtocolError`. */
export function formatRcptParameters(parameters: RcptParameters): string {
  const out: string[] = []
  const { notify, orcpt } = parameters
  if (notify !== undefined) {
    const never = notify.length === 1 && notify[0] === "NEVER"
    const valid = notify.every((v) => v === "SUCCESS" || v === "FAILURE" || v === "DELAY")
    if (notify.length === 0 || (!never && !valid)) {
      throw localError(
        "INVALID_ARGUMENT",
        "NOTIFY must be NEVER or a list of SUCCESS, FAILURE, DELAY",
      )
    }
    out.push(`NOTIFY=${notify.join(",")}`)
  }
  if (orcpt !== undefined) {
    if (!/^[A-Za-z0-9-]+$/.test(orcpt.addrType) || hasLineBreakOrNul(orcpt.address)) {
      throw localError("INVALID_ARGUMENT", "invalid ORCPT")
    }
    const utf8 = orcpt.addrType.toLowerCase() === "utf-8"
    const encoded = utf8 ? encodeUtf8AddrXtext(orcpt.address) : encodeXtext(orcpt.address)
    out.push(`ORCPT=${orcpt.addrType};${encoded}`)
  }
  out.push(...otherParameters(parameters.other))
  return out.map((p) => ` ${p}`).join("")
}
