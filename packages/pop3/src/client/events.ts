/**
 * The events the POP3 client machine reports (DESIGN §2): the greeting, each command's
 * `+OK` (with its data typed) or `-ERR` (with its RFC 2449 §8 response code), message
 * bodies in pieces, and the end of the connection. A `-ERR` is an event, never an
 * exception.
 *
 * `MessageData.bytes` is a view of the received chunk or of the machine's buffer, valid
 * until the next `receive`; copy it to keep it. Every other field is a plain value.
 */
import type { Pop3ResponseCode } from "../types.js"
import type { Pop3ClientCommandName, Pop3ReplyData } from "./commands.js"

/** The server's first line (RFC 1939 §4), with the APOP timestamp if it has one (§7). */
export interface GreetingEvent {
  readonly type: "Greeting"
  readonly ok: boolean
  readonly code: Pop3ResponseCode | null
  readonly text: string
  readonly timestamp: string | null
}

/** A command succeeded (`+OK`, RFC 1939 §3). `id` is what `send` returned. */
export interface OkEvent {
  readonly type: "Ok"
  readonly id: number
  readonly command: Pop3ClientCommandName
  readonly code: Pop3ResponseCode | null
  readonly text: string
  readonly data: Pop3ReplyData
}

/**
 * A command failed (`-ERR`, RFC 1939 §3), e.g. `code: "IN-USE"` or `"LOGIN-DELAY"`
 * (RFC 2449 §8), `"AUTH"` or `"SYS/TEMP"` (RFC 3206). A PASS that was never sent because
 * its USER failed reports USER's reply.
 */
export interface ErrEvent {
  readonly type: "Err"
  readonly id: number
  readonly command: Pop3ClientCommandName
  readonly code: Pop3ResponseCode | null
  readonly text: string
}

/** A piece of the message a RETR or TOP returns, unstuffed (RFC 1939 §3, §7). */
export interface MessageDataEvent {
  readonly type: "MessageData"
  readonly id: number
  readonly bytes: Uint8Array
}

/** The server closed the connection; `unanswered` lists the commands without a reply. */
export interface ConnectionClosedEvent {
  readonly type: "Closed"
  readonly unanswered: readonly number[]
}

/** Every event of `Pop3ClientConnection`. */
export type Pop3ClientEvent =
  | GreetingEvent
  | OkEvent
  | ErrEvent
  | MessageDataEvent
  | ConnectionClosedEvent
