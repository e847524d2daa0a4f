/**
 * APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502 §6.3.11), `literal8` messages
 * (BINARY, RFC 3516 §4.4) and `UTF8 (~{n})` messages (UTF8=ACCEPT, RFC 6855 §4).
 *
 * Message contents received by the command decoder are streamed as `literal-chunk`
 * events; the parsed command holds {@link StreamedLiteral} placeholders in their place.
 */
import { invalidArgument } from "../../errors.js"
import type { DateTime, StreamedLiteral } from "../../types.js"
import type { Decoder } from "../decoder.js"
import type { Encoder } from "../encoder.js"

/** One message of an APPEND (RFC 9051 §9 `append-message`). */
export interface AppendMessage {
  readonly flags: readonly string[] | null
  readonly date: DateTime | null
  /** `literal8` (`~{n}`) rather than `literal`. */
  readonly isBinary: boolean
  /** Sent as `UTF8 (~{n})` (RFC 6855 §4). */
  readonly isUtf8: boolean
  readonly content: Uint8Array | StreamedLiteral
}

/** `APPEND mailbox append-message…` (several messages need MULTIAPPEND). */
export interface AppendCommand {
  readonly name: "APPEND"
  readonly mailbox: string
  readonly messages: readonly AppendMessage[]
}

/** Reads APPEND's arguments, after `APPEND`. */
export function parseAppend(d: Decoder): AppendCommand {
  d.sp()
  const mailbox = d.mailbox()
  const messages: AppendMessage[] = []
  while (d.spBeforeMore()) {
    d.count()
    messages.push(appendMessage(d))
  }
  if (messages.length === 0) throw d.error("a message")
  return { name: "APPEND", mailbox, messages }
}

function appendMessage(d: Decoder): AppendMessage {
  let flags: string[] | null = null
  let date: DateTime | null = null
  if (d.peek() === 0x28) {
    flags = d.listOf(() => d.flag())
    d.sp()
  }
  if (d.peek() === 0x22) {
    date = d.dateTime()
    d.sp()
  }
  if (d.acceptWord("UTF8")) {
    d.sp()
    d.expect(0x28, "(")
    if (d.peek() !== 0x7e) throw d.error("literal8")
    const content = d.literalSlot()
    d.expect(0x29, ")")
    return { flags, date, isBinary: true, isUtf8: true, content }
  }
  const isBinary = d.peek() === 0x7e
  if (!d.atLiteral()) throw d.error("literal")
  return { flags, date, isBinary, isUtf8: false, content: d.literalSlot() }
}

/** Writes APPEND, from its name on. */
export function encodeAppend(e: Encoder, c: AppendCommand): void {
  e.raw("APPEND").sp().astring(c.mailbox)
  if (c.messages.length === 0) throw invalidArgument("APPEND needs a message")
  for (const m of c.messages) {
    e.sp()
    if (m.flags !== null) e.list(m.flags, (f) => e.flag(f)).sp()
    if (m.date !== null) e.dateTime(m.date).sp()
    if (m.isUtf8) e.raw("UTF8 (")
    if (m.content instanceof Uint8Array) e.literal(m.content, m.isBinary || m.isUtf8)
    else e.streamedLiteral(m.content, m.isBinary || m.isUtf8)
    if (m.isUtf8) e.raw(")")
  }
}
