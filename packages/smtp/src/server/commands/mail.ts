/**
 * MAIL FROM and RCPT TO (RFC 5321 §4.1.1.2, §4.1.1.3): each parameter is checked against
 * what was announced — SIZE (RFC 1870), BODY (RFC 6152, RFC 3030), SMTPUTF8 (RFC 6531),
 * DSN (RFC 3461), REQUIRETLS (RFC 8689), AUTH (RFC 4954 §5) — before the application is
 * asked with a `mailFrom` or `rcptTo` decision.
 */
import type { Mailbox, SmtpReplyInput } from "../../types.js"
import type { MailCommand, RcptCommand } from "../../wire/command.js"
import { isAscii } from "../../wire/grammar.js"
import { RECIPIENT_OK, SENDER_OK } from "../constant-replies.js"
import type { MailFromEvent, RcptToEvent } from "../events.js"
import type { ServerSession } from "../session.js"

const UNSUPPORTED = (keyword: string): SmtpReplyInput => ({
  code: 555,
  enhancedCode: "5.5.4",
  text: `${keyword} parameter not supported`,
})

const NON_ASCII: SmtpReplyInput = {
  code: 553,
  enhancedCode: "5.6.7",
  text: "Non-ASCII address requires SMTPUTF8",
}

function isAsciiMailbox(mailbox: Mailbox | null): boolean {
  return mailbox === null || (isAscii(mailbox.localPart) && isAscii(mailbox.domain))
}

/** The reply refusing a MAIL command before the application sees it, or `null`. */
function checkMail(session: ServerSession, command: MailCommand): SmtpReplyInput | null {
  const { options, greeted } = session
  const ext = options.extensions
  const p = command.parameters
  if (options.requireAuth && session.auth === null) {
    return { code: 530, enhancedCode: "5.7.0", text: "Authentication required" }
  }
  const esmtp = greeted !== "HELO"
  if (p.other !== undefined) return UNSUPPORTED(Object.keys(p.other)[0]!)
  if (p.size !== undefined && !esmtp) return UNSUPPORTED("SIZE")
  if (p.body === "8BITMIME" && !(esmtp && ext.eightBitMime)) return UNSUPPORTED("BODY=8BITMIME")
  if (p.body === "BINARYMIME" && !(esmtp && ext.binaryMime)) return UNSUPPORTED("BODY=BINARYMIME")
  if (p.body === "7BIT" && !esmtp) return UNSUPPORTED("BODY")
  if (p.smtpUtf8 === true && !(esmtp && ext.smtpUtf8)) return UNSUPPORTED("SMTPUTF8")
  if ((p.ret !== undefined || p.envid !== undefined) && !(esmtp && ext.dsn))
    return UNSUPPORTED("RET/ENVID")
  if (p.requireTls === true && !(esmtp && ext.requireTls && session.isSecure)) {
    return UNSUPPORTED("REQUIRETLS")
  }
  if (p.auth !== undefined && !esmtp) return UNSUPPORTED("AUTH")
  if (p.smtpUtf8 !== true && !isAsciiMailbox(command.from)) return NON_ASCII
  const max = options.maxMessageSize
  if (p.size !== undefined && max > 0 && p.size > max) {
    return {
      code: 552,
      enhancedCode: "5.3.4",
      text: "Message size exceeds fixed maximum message size",
    }
  }
  return null
}

export function handleMail(session: ServerSession, command: MailCommand): void {
  const refusal = checkMail(session, command)
  if (refusal !== null) {
    session.reply(refusal)
    return
  }
  const event: MailFromEvent = {
    type: "mailFrom",
    from: command.from,
    parameters: command.parameters,
  }
  session.pending = event
  session.emit(event)
}

/** The application accepted MAIL: open the transaction; `reply` replaces the default `250`. */
export function acceptMail(
  session: ServerSession,
  event: MailFromEvent,
  reply: SmtpReplyInput = SENDER_OK,
): void {
  session.transaction = {
    from: event.from,
    parameters: event.parameters,
    recipients: [],
    body: null,
  }
  session.state = "mail"
  session.reply(reply)
}

function checkRcpt(session: ServerSession, command: RcptCommand): SmtpReplyInput | null {
  const transaction = session.transaction!
  const p = command.parameters
  if (p.other !== undefined) return UNSUPPORTED(Object.keys(p.other)[0]!)
  const dsn = session.options.extensions.dsn && session.greeted !== "HELO"
  if ((p.notify !== undefined || p.orcpt !== undefined) && !dsn) return UNSUPPORTED("NOTIFY/ORCPT")
  if (transaction.parameters.smtpUtf8 !== true && !isAsciiMailbox(command.to)) return NON_ASCII
  if (transaction.recipients.length >= session.options.maxRecipients) {
    return { code: 452, enhancedCode: "4.5.3", text: "Too many recipients" }
  }
  return null
}

export function handleRcpt(session: ServerSession, command: RcptCommand): void {
  const refusal = checkRcpt(session, command)
  if (refusal !== null) {
    session.reply(refusal)
    return
  }
  const event: RcptToEvent = {
    type: "rcptTo",
    to: command.to,
    parameters: command.parameters,
    envelope: session.envelope(),
  }
  session.pending = event
  session.emit(event)
}

/** The application accepted RCPT; `reply` replaces the default `250`. */
export function acceptRcpt(
  session: ServerSession,
  event: RcptToEvent,
  reply: SmtpReplyInput = RECIPIENT_OK,
): void {
  session.transaction!.recipients.push({ to: event.to, parameters: event.parameters })
  session.state = "rcpt"
  session.reply(reply)
}

/**
 * The application refused RCPT: send `reply` and count it. Past `maxRejectedRecipients`
 * the connection closes with `421 4.7.0`, so one connection cannot probe mailboxes
 * forever (Postfix counts these toward `smtpd_hard_error_limit`).
 */
export function rejectRcpt(session: ServerSession, reply: SmtpReplyInput): void {
  session.reply(reply)
  session.rejectedRecipients++
  if (session.rejectedRecipients >= session.options.maxRejectedRecipients) {
    session.close("too-many-rejected-recipients", {
      code: 421,
      enhancedCode: "4.7.0",
      text: "Too many rejected recipients",
    })
  }
}
