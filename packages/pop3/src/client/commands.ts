/**
 * The commands a POP3 client sends (RFC 1939 §5–§7, RFC 2449 CAPA, RFC 2595 STLS,
 * RFC 5034 AUTH, RFC 6856 UTF8) as plain objects, checked and written as command lines.
 * What each `+OK` carries comes back as {@link Pop3ReplyData}.
 *
 * Checks run in {@link encodeClientCommand}, before anything is queued: message numbers
 * are positive integers, and no argument holds CR, LF or NUL (DESIGN §3).
 */
import { encodeBase64, type SaslClient } from "@mailwire/sasl"
import { encodeUtf8, LocalProtocolError } from "@mailwire/wire"
import { apopDigest } from "../apop.js"
import type { Pop3Capabilities } from "../capabilities.js"
import type { ScanListing, StatData, UniqueIdListing } from "../types.js"
import { encodeCommand } from "../wire/encoder.js"

/** A command for `Pop3ClientConnection.send` (RFC 1939 §5–§7 and the extensions above). */
export type Pop3ClientCommand =
  | { readonly command: "CAPA" | "STLS" | "UTF8" | "STAT" | "RSET" | "NOOP" | "QUIT" }
  | { readonly command: "USER"; readonly username: string }
  | { readonly command: "PASS"; readonly password: string }
  /** APOP with the shared secret; the digest is computed from the greeting (RFC 1939 §7). */
  | { readonly command: "APOP"; readonly username: string; readonly secret: string }
  /** AUTH with a `@mailwire/sasl` client; the exchange runs inside the machine (RFC 5034). */
  | { readonly command: "AUTH"; readonly sasl: SaslClient }
  | { readonly command: "LIST" | "UIDL"; readonly message?: number }
  | { readonly command: "RETR" | "DELE"; readonly message: number }
  | { readonly command: "TOP"; readonly message: number; readonly lines: number }

/** The name of a client command. */
export type Pop3ClientCommandName = Pop3ClientCommand["command"]

/** What a `+OK` carries, by command (RFC 1939 §5, §7; RFC 2449 §5). */
export type Pop3ReplyData =
  | { readonly kind: "none" }
  /** STAT. */
  | ({ readonly kind: "stat" } & StatData)
  /** LIST: every message, or the one asked for. */
  | { readonly kind: "list"; readonly entries: readonly ScanListing[] }
  /** UIDL: every message, or the one asked for. */
  | { readonly kind: "uidl"; readonly entries: readonly UniqueIdListing[] }
  /** CAPA. */
  | { readonly kind: "capa"; readonly capabilities: Pop3Capabilities }
  /** RETR and TOP, after the last `MessageData`: the octets received, unstuffed. */
  | { readonly kind: "message"; readonly size: number }

/**
 * RFC 5034 §4: a client must not send an initial response that would make the AUTH
 * line longer than 255 octets; it sends it after an empty challenge instead.
 */
export const AUTH_LINE_LIMIT = 255

function checkNumber(value: number, min: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new LocalProtocolError("INVALID_ARGUMENT", `${what} must be an integer >= ${min}`)
  }
}

/** The line(s) for `command`; for AUTH, the initial response held back when too long. */
export function encodeClientCommand(
  command: Pop3ClientCommand,
  apopTimestamp: string | null,
): { line: Uint8Array; heldResponse: Uint8Array | null } {
  switch (command.command) {
    case "USER":
      return plain(encodeCommand("USER", [command.username], true))
    case "PASS":
      return plain(encodeCommand("PASS", [command.password], true))
    case "APOP": {
      if (apopTimestamp === null) {
        throw new LocalProtocolError("INVALID_STATE", "APOP needs a greeting with a timestamp")
      }
      return plain(
        encodeCommand("APOP", [command.username, apopDigest(apopTimestamp, command.secret)]),
      )
    }
    case "AUTH": {
      const initial = command.sasl.initialResponse()
      const name = command.sasl.mechanism
      if (initial === null) return plain(encodeCommand("AUTH", [name]))
      const encoded = initial.length === 0 ? "=" : encodeBase64(initial)
      const line = encodeCommand("AUTH", [name, encoded])
      if (line.length <= AUTH_LINE_LIMIT) return plain(line)
      return { line: encodeCommand("AUTH", [name]), heldResponse: initial }
    }
    case "LIST":
    case "UIDL":
      if (command.message === undefined) return plain(encodeCommand(command.command))
      checkNumber(command.message, 1, "message number")
      return plain(encodeCommand(command.command, [String(command.message)]))
    case "RETR":
    case "DELE":
      checkNumber(command.message, 1, "message number")
      return plain(encodeCommand(command.command, [String(command.message)]))
    case "TOP":
      checkNumber(command.message, 1, "message number")
      checkNumber(command.lines, 0, "line count")
      return plain(encodeCommand("TOP", [String(command.message), String(command.lines)]))
    default:
      return plain(encodeCommand(command.command))
  }
}

function plain(line: Uint8Array): { line: Uint8Array; heldResponse: null } {
  return { line, heldResponse: null }
}

/** A SASL response line: base64, or `*` to cancel (RFC 5034 §4). */
export function encodeSaslLine(response: Uint8Array | null): Uint8Array {
  return encodeUtf8(`${response === null ? "*" : encodeBase64(response)}\r\n`)
}
