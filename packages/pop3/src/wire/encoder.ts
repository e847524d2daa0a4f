/**
 * Writing POP3 lines (RFC 1939 §3): client commands and server status lines, each ended
 * with CRLF, plus the multi-line lists (`CAPA`, `LIST`, `UIDL`) with their lines
 * dot-stuffed and the `.` terminator.
 *
 * Every field is checked before a byte is produced: CR, LF and NUL are refused
 * everywhere, and spaces inside command arguments other than `PASS`'s, so a value from
 * a user can never become a second command (DESIGN §3). Message bodies are not written
 * here: they go through `DotEncoder`.
 *
 * The returned arrays are fresh and belong to the caller.
 */
import { encodeUtf8, LocalProtocolError } from "@mailwire/wire"
import type { Pop3ResponseCode } from "../types.js"

const FORBIDDEN = /[\r\n\0]/

function checkText(text: string, what: string): void {
  if (FORBIDDEN.test(text)) {
    throw new LocalProtocolError("INVALID_ARGUMENT", `${what} must not contain CR, LF or NUL`)
  }
}

/**
 * `keyword *(SP arg) CRLF`. `lastMayHaveSpaces` lets the final argument hold spaces
 * (`PASS`, RFC 1939 §7: "the server may treat spaces in the argument as part of the
 * password").
 */
export function encodeCommand(
  keyword: string,
  args: readonly string[] = [],
  lastMayHaveSpaces = false,
): Uint8Array {
  args.forEach((arg, index) => {
    checkText(arg, `${keyword} argument`)
    const mayHaveSpaces = lastMayHaveSpaces && index === args.length - 1
    if (arg.length === 0 || (!mayHaveSpaces && arg.includes(" "))) {
      throw new LocalProtocolError(
        "INVALID_ARGUMENT",
        `${keyword} arguments must be non-empty and hold no spaces`,
      )
    }
  })
  return encodeUtf8(`${[keyword, ...args].join(" ")}\r\n`)
}

/** `+OK`/`-ERR` [SP `[code]`] [SP text] CRLF (RFC 1939 §3, RFC 2449 §8). */
export function encodeStatus(
  ok: boolean,
  text: string,
  code: Pop3ResponseCode | null = null,
): string {
  checkText(text, "response text")
  if (code !== null) checkText(code, "response code")
  const indicator = ok ? "+OK" : "-ERR"
  const head = code === null ? indicator : `${indicator} [${code}]`
  return text.length > 0 ? `${head} ${text}\r\n` : `${head}\r\n`
}

/**
 * `+OK <size> octets` CRLF, the first line of a `RETR` or `TOP` answer (RFC 1939 §7).
 * Built from a number alone, it has nothing to check; it is written for every message
 * retrieved.
 */
export function encodeOctetsStatus(size: number): string {
  return `+OK ${size} octets\r\n`
}

/** The lines of a multi-line response, dot-stuffed, then the `.` line (RFC 1939 §3). */
export function encodeMultiline(lines: readonly string[]): string {
  let out = ""
  for (const line of lines) {
    checkText(line, "response line")
    out += line.startsWith(".") ? `.${line}\r\n` : `${line}\r\n`
  }
  return `${out}.\r\n`
}
