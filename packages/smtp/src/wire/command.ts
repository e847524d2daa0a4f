/**
 * SMTP and LMTP commands (RFC 5321 §4.1.1, RFC 2033 §4.1) and the extension commands
 * STARTTLS (RFC 3207 §4), AUTH (RFC 4954 §4) and BDAT (RFC 3030 §2): one parser from a
 * line to a {@link SmtpCommand}, and one encoder back to bytes.
 *
 * What it does not do: frame lines (that is `LineReader`'s job) or decide whether a
 * command is allowed now (the machines do). The parser takes a line without its CRLF and
 * returns fresh strings; the encoder returns a fresh array ending in CRLF.
 */
import { CR, encodeUtf8, LF } from "@mailwire/wire"
import { localError, remoteError } from "../errors.js"
import type { Mailbox } from "../types.js"
import { hasLineBreakOrNul, SPACE } from "./grammar.js"
import {
  formatMailParameters,
  formatRcptParameters,
  type MailParameters,
  parseMailParameters,
  parseRcptParameters,
  type RcptParameters,
} from "./parameters.js"
import { formatPath, parsePath } from "./path.js"

/** `EHLO`/`HELO` (RFC 5321 §4.1.1.1) or LMTP's `LHLO` (RFC 2033 §4.1). */
export interface HelloCommand {
  readonly verb: "EHLO" | "HELO" | "LHLO"
  readonly domain: string
}
/** `MAIL FROM:<reverse-path> [parameters]` (RFC 5321 §4.1.1.2). `from` is `null` for `<>`. */
export interface MailCommand {
  readonly verb: "MAIL"
  readonly from: Mailbox | null
  readonly parameters: MailParameters
}
/** `RCPT TO:<forward-path> [parameters]` (RFC 5321 §4.1.1.3). */
export interface RcptCommand {
  readonly verb: "RCPT"
  readonly to: Mailbox
  readonly parameters: RcptParameters
}
/** `BDAT size [LAST]` (RFC 3030 §2): `size` raw bytes follow the line. */
export interface BdatCommand {
  readonly verb: "BDAT"
  readonly size: number
  readonly last: boolean
}
/** `AUTH mechanism [initial-response]` (RFC 4954 §4); the response is still base64 text. */
export interface AuthCommand {
  readonly verb: "AUTH"
  readonly mechanism: string
  readonly initialResponse: string | null
}
/** `VRFY`, `EXPN` (RFC 5321 §4.1.1.6, §4.1.1.7) with their required argument. */
export interface VerifyCommand {
  readonly verb: "VRFY" | "EXPN"
  readonly argument: string
}
/** `HELP` and `NOOP` (RFC 5321 §4.1.1.8, §4.1.1.9), whose argument is optional. */
export interface OptionalArgumentCommand {
  readonly verb: "HELP" | "NOOP"
  readonly argument: string | null
}
/** `DATA`, `RSET`, `QUIT` (RFC 5321 §4.1.1.4, .5, .10) and `STARTTLS` (RFC 3207 §4). */
export interface BareCommand {
  readonly verb: "DATA" | "RSET" | "QUIT" | "STARTTLS"
}

/** Every command this package reads and writes. */
export type SmtpCommand =
  | HelloCommand
  | MailCommand
  | RcptCommand
  | BdatCommand
  | AuthCommand
  | VerifyCommand
  | OptionalArgumentCommand
  | BareCommand

/** The verbs of {@link SmtpCommand}. */
export type SmtpVerb = SmtpCommand["verb"]

const strictUtf8 = new TextDecoder("utf-8", { fatal: true })
const NUL = 0x00
const LOWER_A = 0x61
const LOWER_Z = 0x7a
const NON_ASCII = 0x80

/**
 * Reads one command line (without CRLF). Verbs and the `FROM:`/`TO:` keywords are
 * case-insensitive (RFC 5321 §2.4). Throws a `RemoteProtocolError` whose `hint.smtp` is
 * the reply to send: `500 5.5.1` for an unknown verb, `501 …` for bad arguments.
 *
 * Leniencies, each needed by real clients: trailing spaces are ignored and a space after
 * `FROM:`/`TO:` is accepted (both accepted by Postfix and Exim; old Outlook Express and
 * several PHP mailers send `MAIL FROM: <a@b>`).
 */
export function parseCommand(line: Uint8Array): SmtpCommand {
  const bare = bareCommand(line)
  if (bare !== null) return bare
  let text: string
  try {
    text = strictUtf8.decode(line)
  } catch {
    throw remoteError("INVALID_UTF8", "command is not valid UTF-8", "500 5.5.2 Invalid UTF-8")
  }
  if (hasLineBreakOrNulByte(line)) {
    throw remoteError("SYNTAX", "command contains CR or NUL", "500 5.5.2 Syntax error")
  }
  text = withoutTrailingSpaces(text)
  const space = text.indexOf(" ")
  const verb = upperCased(space === -1 ? text : text.slice(0, space))
  const argument = space === -1 ? "" : text.slice(space + 1)
  switch (verb) {
    case "EHLO":
    case "HELO":
    case "LHLO":
      return hello(verb, argument)
    case "MAIL":
      return mail(argument)
    case "RCPT":
      return rcpt(argument)
    case "BDAT":
      return bdat(argument)
    case "AUTH":
      return auth(argument)
    case "DATA":
    case "RSET":
    case "QUIT":
    case "STARTTLS":
      if (argument !== "") throw remoteError("SYNTAX", `${verb} takes no argument`)
      return { verb }
    case "VRFY":
    case "EXPN":
      if (argument === "") throw remoteError("SYNTAX", `${verb} needs an argument`)
      return { verb, argument }
    case "HELP":
    case "NOOP":
      return { verb, argument: argument === "" ? null : argument }
    default:
      throw remoteError(
        "UNKNOWN_COMMAND",
        "command not recognized",
        "500 5.5.1 Command unrecognized",
      )
  }
}

/** The verbs that take no argument, by their upper-case spelling. */
const BARE_VERBS: ReadonlyMap<string, BareCommand["verb"]> = new Map([
  ["DATA", "DATA"],
  ["RSET", "RSET"],
  ["QUIT", "QUIT"],
  ["STARTTLS", "STARTTLS"],
])

/** The longest verb in {@link BARE_VERBS}. */
const MAX_BARE_VERB_LENGTH = 8
const UPPER_A = 0x41
const UPPER_Z = 0x5a
/** Clears the bit that makes an ASCII letter lower case. */
const TO_UPPER_CASE = 0xdf

/**
 * `DATA`, `RSET`, `QUIT` or `STARTTLS` alone on the line, in any case, read from the
 * bytes without decoding the line; `null` for anything else (which {@link parseCommand}
 * then reads in full, with the same result for these verbs). One in every transaction.
 */
function bareCommand(line: Uint8Array): BareCommand | null {
  if (line.length > MAX_BARE_VERB_LENGTH) return null
  let verb = ""
  for (let i = 0; i < line.length; i++) {
    // Only the bytes of ASCII letters land in A-Z once the lower-case bit is cleared.
    const letter = line[i]! & TO_UPPER_CASE
    if (letter < UPPER_A || letter > UPPER_Z) return null
    verb += String.fromCharCode(letter)
  }
  const known = BARE_VERBS.get(verb)
  return known === undefined ? null : { verb: known }
}

/**
 * Whether a command line holds a CR, LF or NUL. Checked on the bytes, after the decoding
 * succeeded: UTF-8 never uses these bytes inside another character, so this is the same
 * test as on the decoded text, without a regular expression run on every command.
 */
function hasLineBreakOrNulByte(line: Uint8Array): boolean {
  for (let i = 0; i < line.length; i++) {
    const byte = line[i]!
    if (byte <= CR && (byte === CR || byte === LF || byte === NUL)) return true
  }
  return false
}

/**
 * `text.toUpperCase()`, without the call (and the new string) when `text` is US-ASCII with
 * no lower-case letter, as verbs and keywords nearly always are.
 */
function upperCased(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code >= LOWER_A && code <= LOWER_Z) return text.toUpperCase()
    if (code >= NON_ASCII) return text.toUpperCase()
  }
  return text
}

/** `text` without the spaces at its end (most lines have none, and keep their string). */
function withoutTrailingSpaces(text: string): string {
  let end = text.length
  while (end > 0 && text.charCodeAt(end - 1) === SPACE) end--
  return end === text.length ? text : text.slice(0, end)
}

function hello(verb: HelloCommand["verb"], argument: string): HelloCommand {
  // RFC 5321 §4.1.1.1 asks for a domain or address literal; any single word is taken,
  // because Windows clients send NetBIOS names with `_` and Postfix and Exim accept them.
  if (!/^[\x21-\x7e\u0080-\u{10ffff}]+$/u.test(argument)) {
    throw remoteError("SYNTAX", `${verb} needs a domain`, "501 5.5.4 Syntax: EHLO hostname")
  }
  return { verb, domain: argument }
}

/** `keyword:` then optional spaces; returns the index of the path. */
function afterKeyword(argument: string, keyword: string): number {
  if (upperCased(argument.slice(0, keyword.length)) !== keyword) {
    throw remoteError("SYNTAX", `expected ${keyword}`, `501 5.5.4 Syntax: ${keyword}<address>`)
  }
  let pos = keyword.length
  while (argument[pos] === " ") pos++
  return pos
}

/** What follows a path: nothing, or a space and parameters. */
function parametersAfter(argument: string, end: number): string {
  if (end === argument.length) return ""
  if (argument[end] !== " ") throw remoteError("SYNTAX", "expected a space after the path")
  return argument.slice(end + 1)
}

function mail(argument: string): MailCommand {
  const pos = afterKeyword(argument, "FROM:")
  const path = parsePath(argument, pos, { allowNull: true })
  const parameters = parseMailParameters(parametersAfter(argument, path.end))
  return { verb: "MAIL", from: path.mailbox, parameters }
}

function rcpt(argument: string): RcptCommand {
  const pos = afterKeyword(argument, "TO:")
  const path = parsePath(argument, pos, { allowPostmaster: true })
  const parameters = parseRcptParameters(parametersAfter(argument, path.end))
  return { verb: "RCPT", to: path.mailbox!, parameters }
}

function bdat(argument: string): BdatCommand {
  const match = /^(\d{1,15})(?: +(LAST))?$/i.exec(argument)
  if (match === null)
    throw remoteError("SYNTAX", "BDAT needs a size", "501 5.5.4 Syntax: BDAT size [LAST]")
  return { verb: "BDAT", size: Number(match[1]), last: match[2] !== undefined }
}

function auth(argument: string): AuthCommand {
  const match = /^([A-Za-z0-9_-]{1,20})(?: +(\S+))?$/.exec(argument)
  if (match === null)
    throw remoteError("SYNTAX", "AUTH needs a mechanism", "501 5.5.4 Syntax: AUTH mechanism")
  return { verb: "AUTH", mechanism: match[1]!.toUpperCase(), initialResponse: match[2] ?? null }
}

function checkText(value: string, what: string): string {
  if (hasLineBreakOrNul(value)) {
    throw localError("INVALID_ARGUMENT", `${what} may not contain CR, LF or NUL`)
  }
  return value
}

/** The command line of `command`, without CRLF. Throws `LocalProtocolError` on bad fields. */
export function formatCommandLine(command: SmtpCommand): string {
  switch (command.verb) {
    case "EHLO":
    case "HELO":
    case "LHLO":
      if (!/^[\x21-\x7e\u0080-\u{10ffff}]+$/u.test(command.domain)) {
        throw localError("INVALID_ARGUMENT", `invalid ${command.verb} domain`)
      }
      return `${command.verb} ${command.domain}`
    case "MAIL":
      return `MAIL FROM:${formatPath(command.from)}${formatMailParameters(command.parameters)}`
    case "RCPT":
      return `RCPT TO:${formatPath(command.to)}${formatRcptParameters(command.parameters)}`
    case "BDAT":
      if (!Number.isSafeInteger(command.size) || command.size < 0) {
        throw localError("INVALID_ARGUMENT", "BDAT size must be a whole number")
      }
      return `BDAT ${command.size}${command.last ? " LAST" : ""}`
    case "AUTH": {
      if (!/^[A-Za-z0-9_-]{1,20}$/.test(command.mechanism)) {
        throw localError("INVALID_ARGUMENT", "invalid SASL mechanism name")
      }
      const ir = command.initialResponse
      if (ir !== null && !/^(?:[A-Za-z0-9+/]*={0,2})$/.test(ir)) {
        throw localError("INVALID_ARGUMENT", "the initial response must be base64 or =")
      }
      return ir === null
        ? `AUTH ${command.mechanism}`
        : `AUTH ${command.mechanism} ${ir === "" ? "=" : ir}`
    }
    case "VRFY":
    case "EXPN":
      if (checkText(command.argument, command.verb) === "") {
        throw localError("INVALID_ARGUMENT", `${command.verb} needs an argument`)
      }
      return `${command.verb} ${command.argument}`
    case "HELP":
    case "NOOP":
      return command.argument === null
        ? command.verb
        : `${command.verb} ${checkText(command.argument, command.verb)}`
    case "DATA":
    case "RSET":
    case "QUIT":
    case "STARTTLS":
      return command.verb
    default:
      throw localError(
        "INVALID_ARGUMENT",
        `unknown verb ${JSON.stringify((command as { verb: unknown }).verb)}`,
      )
  }
}

/** The bytes of `command`: its line in UTF-8 and CRLF. Throws `LocalProtocolError`. */
export function formatCommand(command: SmtpCommand): Uint8Array {
  return encodeUtf8(`${formatCommandLine(command)}\r\n`)
}
