/**
 * Turns a {@link SmtpMailRequest} into the MAIL and RCPT parameters to send, checked
 * against what the server announced. Nothing is downgraded silently: a message that needs
 * SMTPUTF8 (RFC 6531 §3.4; nodemailer #1378 sent such mail anyway), 8BITMIME (RFC 6152),
 * BINARYMIME (RFC 3030), DSN (RFC 3461) or REQUIRETLS (RFC 8689) from a server that does
 * not offer it is refused with a `LocalProtocolError` before anything is written.
 */

import { encodeUtf8 } from "@mailwire/wire"
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
import { isAscii } from "../../wire/grammar.js"
import {
  type BodyType,
  formatMailParameters,
  formatRcptParameters,
  type MailParameters,
  type RcptParameters,
} from "../../wire/parameters.js"
import { formatMailbox, parseMailbox } from "../../wire/path.js"
import type { SmtpMailRequest, SmtpRecipientRequest } from "../options.js"
import type { ClientSession } from "../session.js"
import { ClientTransaction, type EncodedEnvelope } from "./transaction.js"

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/**
 * The text of `address` as it goes between `<` and `>`, checked against the RFC 5321
 * §4.1.2 grammar once. A string that parses as a mailbox is sent as given when it has no
 * quoted local part and no source route: then it is a dot-string `@` domain (or
 * `Postmaster`), exactly what `formatMailbox` would print, so it is not formatted and
 * checked a second time. Anything else is printed from its parts by `formatMailbox`.
 */
function pathText(address: string | Mailbox): string {
  if (typeof address !== "string") return formatMailbox(address)
  const mailbox = parseMailbox(address)
  if (mailbox === null)
    throw localError("INVALID_ARGUMENT", `invalid address ${JSON.stringify(address)}`)
  const isAsGiven = !address.includes('"') && !address.startsWith("@")
  return isAsGiven ? address : formatMailbox(mailbox)
}

/** A recipient as it will be sent: its path text and its RCPT parameters. */
interface PreparedRecipient {
  readonly address: string
  readonly parameters: RcptParameters
}

function isRecipientRequest(
  value: string | Mailbox | SmtpRecipientRequest,
): value is SmtpRecipientRequest {
  return typeof value !== "string" && "address" in value
}

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

/** Whether `body` has a byte above 127 anywhere. */
function hasEightBitByte(body: Uint8Array): boolean {
  for (let i = 0; i < body.length; i++) if (body[i]! >= 0x80) return true
  return false
}

/** The BODY type asked for, else `8BITMIME` when the body has an 8-bit byte. */
function bodyTypeOf(request: SmtpMailRequest, isEightBit: boolean): BodyType | undefined {
  if (request.bodyType !== undefined) return request.bodyType
  return isEightBit ? "8BITMIME" : undefined
}

/** Builds the transaction for `request`; throws `LocalProtocolError` when it cannot be sent. */
export function prepareTransaction(
  session: ClientSession,
  id: number,
  request: SmtpMailRequest,
): ClientTransaction {
  const from = request.from === null || request.from === "" ? null : pathText(request.from)
  const recipients: PreparedRecipient[] = request.to.map((entry) => {
    const spec = isRecipientRequest(entry) ? entry : { address: entry }
    const parameters: Mutable<RcptParameters> = {}
    if (spec.notify !== undefined) parameters.notify = spec.notify
    if (spec.orcpt !== undefined) parameters.orcpt = spec.orcpt
    if (spec.notify !== undefined || spec.orcpt !== undefined)
      require(session, CAP_DSN, "NOTIFY/ORCPT was asked for")
    return { address: pathText(spec.address), parameters }
  })
  if (recipients.length === 0)
    throw localError("INVALID_ARGUMENT", "a message needs at least one recipient")

  const parameters = mailParameters(session, request, from, recipients)
  const useBdat =
    parameters.body === "BINARYMIME" ||
    ((session.options.useChunking ?? true) && hasCapability(session.capabilities, CAP_CHUNKING))
  const envelope = encodeEnvelope(canPipeline(session), useBdat, from, parameters, recipients)
  return new ClientTransaction(id, envelope, useBdat)
}

/** The MAIL parameters `request` needs, each checked against what the server offers. */
function mailParameters(
  session: ClientSession,
  request: SmtpMailRequest,
  from: string | null,
  recipients: readonly PreparedRecipient[],
): MailParameters {
  const parameters: Mutable<MailParameters> = {}
  // One scan of an all-ASCII body settles both questions: no 8-bit header, no 8BITMIME.
  const isEightBit = request.body !== undefined && hasEightBitByte(request.body)
  const smtpUtf8 =
    request.smtpUtf8 === true ||
    (from !== null && !isAscii(from)) ||
    recipients.some((r) => !isAscii(r.address)) ||
    (isEightBit && hasEightBitHeader(request.body!))
  if (smtpUtf8) {
    require(session, CAP_SMTPUTF8, "the message has non-ASCII addresses or headers")
    parameters.smtpUtf8 = true
  }
  const bodyType = bodyTypeOf(request, isEightBit)
  if (bodyType === "8BITMIME") require(session, CAP_8BITMIME, "the body has 8-bit bytes")
  if (bodyType === "BINARYMIME") {
    require(session, CAP_CHUNKING, "BODY=BINARYMIME needs BDAT")
    require(session, CAP_BINARYMIME, "the body is binary")
  }
  if (bodyType !== undefined && bodyType !== "7BIT") parameters.body = bodyType
  const size = request.size ?? request.body?.length
  if (size !== undefined && hasCapability(session.capabilities, CAP_SIZE)) {
    const max = announcedSize(session.capabilities)
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
  return parameters
}

/**
 * The envelope's command lines (RFC 5321 §4.1.1.2, §4.1.1.3), formatted now so a bad
 * parameter throws from `sendMail` rather than when the command is written, and encoded
 * once: as one block (MAIL, every RCPT, and DATA unless BDAT is used) when `pipelined`,
 * else one line per command.
 */
function encodeEnvelope(
  pipelined: boolean,
  useBdat: boolean,
  from: string | null,
  parameters: MailParameters,
  recipients: readonly PreparedRecipient[],
): EncodedEnvelope {
  const lines = [`MAIL FROM:<${from ?? ""}>${formatMailParameters(parameters)}\r\n`]
  for (const r of recipients)
    lines.push(`RCPT TO:<${r.address}>${formatRcptParameters(r.parameters)}\r\n`)
  const addresses = recipients.map((r) => r.address)
  if (!pipelined) return { pipelined, commands: lines.map(encodeUtf8), addresses }
  if (!useBdat) lines.push("DATA\r\n")
  return { pipelined, commands: [encodeUtf8(lines.join(""))], addresses }
}

/** Whether to pipeline the envelope (RFC 2920). */
export function canPipeline(session: ClientSession): boolean {
  return (
    (session.options.usePipelining ?? true) && hasCapability(session.capabilities, CAP_PIPELINING)
  )
}
