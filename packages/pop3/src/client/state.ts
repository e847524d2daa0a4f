/**
 * The client's states (RFC 1939 §3) as the client sees them, and when a command may be
 * written before the replies to earlier ones arrive (RFC 2449 §6.6 PIPELINING).
 */
import type { Pop3ClientCommand } from "./commands.js"

/**
 * `GREETING` until the server's first line; RFC 1939 §3's AUTHORIZATION, TRANSACTION
 * and UPDATE (after `QUIT` is written in TRANSACTION); `TLS_HANDSHAKE` after `STLS` got
 * `+OK` (RFC 2595 §4) until `resumeAfterTls()`; `CLOSED` after `QUIT`'s reply, a
 * negative greeting, the peer's close or a protocol error.
 */
export type Pop3ClientState =
  | "GREETING"
  | "AUTHORIZATION"
  | "TLS_HANDSHAKE"
  | "TRANSACTION"
  | "UPDATE"
  | "CLOSED"

/**
 * Commands that must wait for every earlier reply and hold back every later command:
 * `STLS` (RFC 2595 §4: nothing may follow it before the handshake) and `AUTH` (RFC 5034
 * §4: an exchange of lines, not one reply).
 */
export function isBarrier(command: Pop3ClientCommand): boolean {
  return command.command === "STLS" || command.command === "AUTH"
}

/** Whether a `+OK` to `command` is followed by a multi-line body (RFC 1939 §3). */
export function isMultiline(command: Pop3ClientCommand): boolean {
  switch (command.command) {
    case "CAPA":
    case "RETR":
    case "TOP":
      return true
    case "LIST":
    case "UIDL":
      return command.message === undefined
    default:
      return false
  }
}
