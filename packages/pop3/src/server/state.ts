/**
 * The server's states (RFC 1939 §3) and which commands each accepts: the transition
 * table of the POP3 server. Everything that decides whether a command may run lives
 * here; the connection only looks it up.
 */

/**
 * The server's state: RFC 1939 §3's AUTHORIZATION, TRANSACTION and UPDATE, plus
 * `TLS_HANDSHAKE` (paused after `STLS`, RFC 2595 §4, until the adapter resumes it) and
 * `CLOSED` (the adapter should close the socket once the output is written).
 */
export type Pop3ServerState =
  | "AUTHORIZATION"
  | "TLS_HANDSHAKE"
  | "TRANSACTION"
  | "UPDATE"
  | "CLOSED"

/** Every command the server knows (RFC 1939 §5–§7, RFC 2449, RFC 2595, RFC 5034, RFC 6856). */
export type Pop3CommandName =
  | "USER"
  | "PASS"
  | "APOP"
  | "AUTH"
  | "CAPA"
  | "STLS"
  | "UTF8"
  | "STAT"
  | "LIST"
  | "UIDL"
  | "RETR"
  | "TOP"
  | "DELE"
  | "NOOP"
  | "RSET"
  | "QUIT"

/** The commands each reading state accepts (RFC 1939 §4–§7, RFC 2449 §5, RFC 6856 §2). */
export const COMMANDS_BY_STATE: Readonly<
  Record<"AUTHORIZATION" | "TRANSACTION", readonly Pop3CommandName[]>
> = {
  AUTHORIZATION: ["USER", "PASS", "APOP", "AUTH", "CAPA", "STLS", "UTF8", "QUIT"],
  TRANSACTION: ["STAT", "LIST", "UIDL", "RETR", "TOP", "DELE", "NOOP", "RSET", "CAPA", "QUIT"],
}

const KNOWN = new Set<string>([
  ...COMMANDS_BY_STATE.AUTHORIZATION,
  ...COMMANDS_BY_STATE.TRANSACTION,
])

/** Whether `keyword` names a command this server knows in any state. */
export function isKnownCommand(keyword: string): keyword is Pop3CommandName {
  return KNOWN.has(keyword)
}

/** Whether `command` may run in `state`. */
export function isAllowed(state: Pop3ServerState, command: Pop3CommandName): boolean {
  if (state !== "AUTHORIZATION" && state !== "TRANSACTION") return false
  return COMMANDS_BY_STATE[state].includes(command)
}
