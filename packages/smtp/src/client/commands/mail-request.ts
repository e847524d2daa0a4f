/**
 * Turns a {@link SmtpMailRequest} into the MAIL and RCPT parameters to send, checked
 * against what the server announced. Nothing is downgraded silently: a message that needs
 * SMTPUTF8 (RFC 6531 §3.4; nodemailer #1378 sent such mail anyway), 8BITMIME (RFC 6152),
 * BINARYMIME (RFC 3030), DSN (RFC 3461) or REQUIRETLS (RFC 8689) from a server that does
 * not offer it is refused with a `LocalProtocolError` before anything is written.
 */
import {
  announcedSize,
  CAP_8BITMIME,
  CAP_BINARYMIME,
  CAP_CHUNKING,
  CAP_DSN,
  CAP_PIPELINING,
  CAP_REQUIRETLS,
  CAP_SIZE,
  CAP_SMTPUTF8,
  hasCapability,
} from "../../capabilities.js"
import { localError } from "../../errors.js"
import type { Mailbox } from "../../types.js"
import { formatCommandLine } from "../../wire/command.js"
import { isAscii } from "../../wire/grammar.js"
import type { BodyType, MailParameters, RcptParameters } from "../../wire/parameters.js"
import { parseMailbox } from "../../wire/path.js"
import type { SmtpMailRequest, SmtpRecipientRequest } from "../options.js"
import type { ClientSession } from "../session.js"
import { ClientTransaction, type PreparedRecipient } from "./transaction.js"

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

function toMailbox(address: string | Mailbox): Mailbox {
  if (typeof address !== "string") return address
  const mailbox = parseMailbox(address)
  if (mailbox === null)
    throw localError("INVALID_ARGUMENT", `invalid address ${JSON.stringify(address)}`)
  return mailbox
}

function isRecipientRequest(
  value: string | Mailbox | SmtpRecipientRequest,
): value is SmtpRecipientRequest {
  return typeof value !== "string" && "address" in value
}

const isAsciiMailbox = (m: Mailbox | null) =>
  m === null || (isAscii(m.localPart) && isAscii(m.domain))

/** Whether the header section (up to the first empty line) has a byte above 127. */
function hasEightBitHeader(body: Uint8Array): boolean {
  if (body[0] === 0x0a || (body[0] === 0x0d && body[1] === 0x0a)) return false
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!
    if (byte >= 0x80) return true
    if (byte === 0x0a && (body[i + 1] === 0x0a || (body[i + 1] === 0x0d && body[i + 2] === 0x0a))) {
      return false
    }
  }
  return false
}

function require(session: ClientSession, capability: string, why: string): void {
  if (!hasCapability(session.capabilities, capability)) {
    const code = capability === CAP_SMTPUTF8 ? "SMTPUTF8_REQUIRED" : "EXTENSION_REQUIRED"
    throw localError(code, `${why}, but the server does not offer ${capability}`)
  }
}

function bodyTypeOf(request: SmtpMailRequest): BodyType | undefined {
  if (request.bodyType !== undefined) return request.bodyType
  const body = request.body
  if (body === undefined) return undefined
  for (let i = 0; i < body.length; i++) if (body[i]! >= 0x80) return "8BITMIME"
  return undefined
}

/** Builds the transaction for `request`; throws `LocalProtocolError` when it cannot be sent. */
export function prepareTransaction(
  session: ClientSession,
  id: number,
  request: SmtpMailRequest,
): ClientTransaction {
  const from = request.from === null || request.from === "" ? null : toMailbox(request.from)
  const recipients: PreparedRecipient[] = request.to.map((entry) => {
    const spec = isRecipientRequest(entry) ? entry : { address: entry }
    const parameters: Mutable<RcptParameters> = {}
    if (spec.notify !== undefined) parameters.notify = spec.notify
    if (spec.orcpt !== undefined) parameters.orcpt = spec.orcpt
    if (spec.notify !== undefined || spec.orcpt !== undefined)
      require(session, CAP_DSN, "NOTIFY/ORCPT was asked for")
    return { to: toMailbox(spec.address), parameters }
  })
  if (recipients.length === 0)
    throw localError("INVALID_ARGUMENT", "a message needs at least one recipient")

  const parameters: Mutable<MailParameters> = {}
  const smtpUtf8 =
    request.smtpUtf8 === true ||
    !isAsciiMailbox(from) ||
    recipients.some((r) => !isAsciiMailbox(r.to)) ||
    (request.body !== undefined && hasEightBitHeader(request.body))
  if (smtpUtf8) {
    require(session, CAP_SMTPUTF8, "the message has non-ASCII addresses or headers")
    parameters.smtpUtf8 = true
  }
  const bodyType = bodyTypeOf(request)
  if (bodyType === "8BITMIME") require(session, CAP_8BITMIME, "the body has 8-bit bytes")
  if (bodyType === "BINARYMIME") {
    require(session, CAP_CHUNKING, "BODY=BINARYMIME needs BDAT")
    require(session, CAP_BINARYMIME, "the body is binary")
  }
  if (bodyType !== undefined && bodyType !== "7BIT") parameters.body = bodyType
  const size = request.size ?? request.body?.length
  const max = announcedSize(session.capabilities)
  if (size !== undefined && hasCapability(session.capabilities, CAP_SIZE)) {
    if (max !== null && max > 0 && size > max) {
      throw localError(
        "INVALID_ARGUMENT",
        `the message (${size} bytes) is larger than the server's SIZE ${max}`,
      )
    }
    parameters.size = size
  }
  if (request.ret !== undefined || request.envid !== undefined)
    require(session, CAP_DSN, "RET/ENVID was asked for")
  if (request.ret !== undefined) parameters.ret = request.ret
  if (request.envid !== undefined) parameters.envid = request.envid
  if (request.requireTls === true) {
    require(session, CAP_REQUIRETLS, "REQUIRETLS was asked for")
    parameters.requireTls = true
  }
  const useBdat =
    bodyType === "BINARYMIME" ||
    ((session.options.useChunking ?? true) && hasCapability(session.capabilities, CAP_CHUNKING))
  // Format once now, so a bad field throws here rather than when the command is written.
  formatCommandLine({ verb: "MAIL", from, parameters })
  for (const r of recipients)
    formatCommandLine({ verb: "RCPT", to: r.to, parameters: r.parameters })
  return new ClientTransaction(id, from, parameters, recipients, useBdat)
}

/** Whether to pipeline the envelope (RFC 2920). */
export function canPipeline(session: ClientSession): boolean {
  return (
    (session.options.usePipelining ?? true) && hasCapability(session.capabilities, CAP_PIPELINING)
  )
}
