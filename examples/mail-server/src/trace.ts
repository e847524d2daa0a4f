/**
 * The trace field a server adds to each message it accepts (RFC 5321 §4.4): a
 * `Received:` line saying from whom (the EHLO name and the client's IP address), by whom,
 * with which protocol (RFC 3848: `ESMTP`, `ESMTPS` under TLS, `ESMTPA` / `ESMTPSA` after
 * AUTH), the queue id, the recipient when there is only one, and the date.
 *
 * What it does not do: add `Return-Path:` (that is for final delivery agents that know
 * the mailbox, RFC 5321 §4.4) or change anything else in the message.
 */
import { foldHeader, formatDate } from "@mailwire/rfc5322"
import { encodeUtf8 } from "@mailwire/wire"

/** What the `Received:` line says about one SMTP session and message. */
export interface TraceInfo {
  /** The name the client gave with EHLO/HELO, or `null`. */
  readonly clientHostname: string | null
  readonly remoteAddress: string
  readonly isSecure: boolean
  readonly isAuthenticated: boolean
  /** Our name. */
  readonly hostname: string
  /** The id the message has in our logs and queue. */
  readonly id: string
  readonly recipients: readonly string[]
  readonly date: Date
}

/** Keeps printable ASCII only: a name from the network must not break the header. */
function printable(text: string): string {
  return text.replace(/[^\x21-\x7e]/g, "?")
}

/** The address as RFC 5321 §4.1.3 writes it in a trace field: `[IPv6:…]` or `[1.2.3.4]`. */
export function addressLiteral(address: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]
  if (v4 !== undefined) return `[${v4}]`
  return address.includes(":") ? `[IPv6:${printable(address)}]` : `[${printable(address)}]`
}

/** The RFC 3848 `with` keyword for a session. */
export function withProtocol(info: Pick<TraceInfo, "isSecure" | "isAuthenticated">): string {
  return `ESMTP${info.isSecure ? "S" : ""}${info.isAuthenticated ? "A" : ""}`
}

/** The `Received:` field, folded, with its CRLF, as bytes to put before the message. */
export function receivedHeader(info: TraceInfo): Uint8Array {
  const from = printable(info.clientHostname ?? "unknown")
  const only = info.recipients.length === 1 ? ` for <${printable(info.recipients[0]!)}>` : ""
  const value =
    `from ${from} (${addressLiteral(info.remoteAddress)}) by ${info.hostname} (mailwire)` +
    ` with ${withProtocol(info)} id ${info.id}${only}; ${formatDate(info.date)}`
  return encodeUtf8(`${foldHeader("Received", value)}\r\n`)
}
