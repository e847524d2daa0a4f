/**
 * EHLO, HELO (RFC 5321 §4.1.1.1) and LHLO (RFC 2033 §4.1): the `helo` decision and the
 * EHLO reply that announces the extensions, per configuration and TLS state.
 */
import { encodeUtf8 } from "@mailwire/wire"
import {
  CAP_8BITMIME,
  CAP_AUTH,
  CAP_BINARYMIME,
  CAP_CHUNKING,
  CAP_DSN,
  CAP_ENHANCEDSTATUSCODES,
  CAP_PIPELINING,
  CAP_REQUIRETLS,
  CAP_SIZE,
  CAP_SMTPUTF8,
  CAP_STARTTLS,
} from "../../capabilities.js"
import { remoteError } from "../../errors.js"
import type { SmtpReplyInput } from "../../types.js"
import type { HelloCommand } from "../../wire/command.js"
import { formatReplyLine, formatReplyText } from "../../wire/reply.js"
import type { HeloEvent } from "../events.js"
import type { ServerSession } from "../session.js"

/** Whether AUTH is offered now (DESIGN §4 invariant 3: only under TLS unless allowed). */
export function isAuthOffered(session: ServerSession): boolean {
  const { authMechanisms, allowInsecureAuth } = session.options
  return authMechanisms.length > 0 && (session.isSecure || allowInsecureAuth)
}

/** The extension lines of the EHLO/LHLO reply. */
export function extensionLines(session: ServerSession): string[] {
  const ext = session.options.extensions
  const lines: string[] = []
  if (ext.pipelining) lines.push(CAP_PIPELINING)
  const max = session.options.maxMessageSize
  lines.push(max > 0 ? `${CAP_SIZE} ${max}` : CAP_SIZE)
  if (ext.eightBitMime) lines.push(CAP_8BITMIME)
  if (ext.chunking) lines.push(CAP_CHUNKING)
  if (ext.binaryMime) lines.push(CAP_BINARYMIME)
  if (ext.smtpUtf8) lines.push(CAP_SMTPUTF8)
  if (ext.startTls && !session.isSecure) lines.push(CAP_STARTTLS)
  if (isAuthOffered(session)) lines.push(`${CAP_AUTH} ${session.options.authMechanisms.join(" ")}`)
  if (ext.dsn) lines.push(CAP_DSN)
  if (ext.enhancedStatusCodes) lines.push(CAP_ENHANCEDSTATUSCODES)
  if (ext.requireTls && session.isSecure) lines.push(CAP_REQUIRETLS)
  return lines
}

/** Reads EHLO/HELO/LHLO: LMTP takes only LHLO, SMTP never LHLO (RFC 2033 §4.1). */
export function handleHello(session: ServerSession, command: HelloCommand): void {
  const lmtp = session.options.lmtp
  if (lmtp !== (command.verb === "LHLO")) {
    session.protocolError(
      remoteError(
        "UNKNOWN_COMMAND",
        `${command.verb} is not used in ${lmtp ? "LMTP" : "SMTP"}`,
        "500 5.5.1 Command unrecognized",
      ),
    )
    return
  }
  const event: HeloEvent = { type: "helo", verb: command.verb, domain: command.domain }
  session.pending = event
  session.emit(event)
}

/**
 * The application accepted the greeting: reset any transaction and answer. A custom
 * `reply` gives the first line (RFC 5321 §4.1.1.1); the extension lines follow it.
 */
export function acceptHello(
  session: ServerSession,
  event: HeloEvent,
  reply?: SmtpReplyInput,
): void {
  session.resetTransaction(true)
  session.greeted = event.verb
  session.state = "ready"
  const { hostname } = session.options
  const custom = reply?.text
  const first = custom === undefined ? [] : typeof custom === "string" ? [custom] : [...custom]
  if (event.verb === "HELO") {
    session.reply({ code: 250, text: first.length > 0 ? first : hostname })
  } else {
    const greeting = first.length > 0 ? first : [`${hostname} greets ${event.domain}`]
    session.replyRaw(encodeUtf8(continuationLines(greeting) + formattedExtensions(session)))
  }
}

/** `lines` as the first lines of a multi-line `250` reply (`250-text`, RFC 5321 §4.2.1). */
function continuationLines(lines: readonly string[]): string {
  let out = ""
  for (const line of lines) out += formatReplyLine(250, false, "", line)
  return out
}

/**
 * The extension lines of the EHLO/LHLO reply, formatted (`250-PIPELINING` … `250 …`):
 * the same for every connection with the same options and TLS state, so made once per
 * frozen options object (once per server), and for every EHLO with any other.
 */
function formattedExtensions(session: ServerSession): string {
  const replies = session.extensionReplies
  const tlsState = session.isSecure ? "secure" : "plain"
  const known = replies?.[tlsState] ?? null
  if (known !== null) return known
  const formatted = formatReplyText({ code: 250, text: extensionLines(session) })
  if (replies !== null) replies[tlsState] = formatted
  return formatted
}
