/**
 * Turns a {@link SmtpMailRequest} into the MAIL and RCPT parameters to send, checked
 * against what the server announced. Nothing is downgraded silently: a message that needs
 * SMTPUTF8 (RFC 6531 §3.4; nodemailer #1378 sent such mail anyway), 8BITMIME (RFC 6152),
 * BINARYMIME (RFC 3030), DSN (RFC 3461) or REQUIRETLS (RFC 8689) from a server that does
 * not offer it is refused with a `LocalProtocolError` before anything is written.
 */

import {
  CAP_8BITMIME,
  CAP_BINARYMIME,
  CAP_CHUNKING,
  CAP_DSN,
  CAP_REQUIRETLS,
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
import { formatMailbox, isPlainMailbox, parseMailbox } from "../../wire/path.js"
import type { SmtpMailRequest, SmtpRecipientRequest } from "../options.js"
import { encodeOutput } from "../output-bytes.js"
import type { ClientSession } from "../session.js"
import { ClientTransaction, type EncodedEnvelope } from "./transaction.js"

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/**
 * The text of `address` as it goes between `<` and `>`, checked against the RFC 5321
 * §4.1.2 grammar once. A string that parses as a mailbox is sent as given when it has no
 * quoted local part and no source route: then it is a dot-string `@` domain (or
 * `Postmaster`), exactly what `formatMailbox` would print, so it is not formatted and
 * checked a second time. Anything else is printed from its parts by `formatMailbox`. The
 * usual dot-string `@` domain name is recognized in one pass before any of that.
 */
function pathText(address: string | Mailbox): string {
  if (typeof address !== "string") return formatMailbox(address)
  if (isPlainMailbox(address)) return address
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

/** The RCPT parameters of a recipient given as a plain address: none. */
const NO_RCPT_PARAMETERS: RcptParameters = Object.freeze({})

function prepareRecipient(
  session: ClientSession,
  entry: string | Mailbox | SmtpRecipientRequest,
): PreparedRecipient {
  if (!isRecipientRequest(entry)) {
    return { address: pathText(entry), parameters: NO_RCPT_PARAMETERS }
  }
  const parameters: Mutable<RcptParameters> = {}
  if (entry.notify !== undefined) parameters.notify = entry.notify
  if (entry.orcpt !== undefined) parameters.orcpt = entry.orcpt
  if (entry.notify !== undefined || entry.orcpt !== undefined)
    require(session, CAP_DSN, "NOTIFY/ORCPT was asked for")
  return { address: pathText(entry.address), parameters }
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

/** Bodies shorter than this are scanned byte by byte: a word view would cost more than it saves. */
const MIN_WORD_SCAN_BYTES = 64
/** The top bit of each byte of a 32-bit word: set only by a byte above 127. */
const TOP_BITS_WORD = 0x80808080

/**
 * Whether `body` has a byte above 127 anywhere. This reads every byte of every message,
 * so the 4-byte aligned middle of a longer body is read four bytes at a time.
 */
function hasEightBitByte(body: Uint8Array): boolean {
  const length = body.length
  if (length < MIN_WORD_SCAN_BYTES) return hasEightBitByteIn(body, 0, length)
  const start = (4 - (body.byteOffset & 3)) & 3
  const count = (length - start) >>> 2
  const end = start + count * 4
  if (hasEightBitByteIn(body, 0, start) || hasEightBitByteIn(body, end, length)) return true
  const words = new Uint32Array(body.buffer, body.byteOffset + start, count)
  for (let i = 0; i < count; i++) {
    if ((words[i]! & TOP_BITS_WORD) !== 0) return true
  }
  return false
}

function hasEightBitByteIn(body: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (body[i]! >= 0x80) return true
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
  const recipients = request.to.map((entry) => prepareRecipient(session, entry))
  if (recipients.length === 0)
    throw localError("INVALID_ARGUMENT", "a message needs at least one recipient")

  const parameters = mailParameters(session, request, from, recipients)
  const useBdat = parameters.body === "BINARYMIME" || session.canChunk
  const envelope = encodeEnvelope(session.canPipeline, useBdat, from, parameters, recipients)
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
  if (size !== undefined && session.offersSize) {
    const max = session.sizeLimit
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
  const mail = `MAIL FROM:<${from ?? ""}>${formatMailParameters(parameters)}\r\n`
  const addresses: string[] = []
  const commands: Uint8Array[] = pipelined ? [] : [encodeOutput(mail)]
  let block = mail
  for (const r of recipients) {
    addresses.push(r.address)
    const rcptParameters =
      r.parameters === NO_RCPT_PARAMETERS ? "" : formatRcptParameters(r.parameters)
    const rcpt = `RCPT TO:<${r.address}>${rcptParameters}\r\n`
    if (pipelined) block += rcpt
    else commands.push(encodeOutput(rcpt))
  }
  if (!pipelined) return { pipelined, commands, addresses }
  if (!useBdat) block += "DATA\r\n"
  return { pipelined, commands: [encodeOutput(block)], addresses }
}
