/**
 * The FETCH response (RFC 9051 §7.5.2, §9 `msg-att`), with CONDSTORE's MODSEQ (RFC 7162
 * §3.1.4), BINARY's items (RFC 3516 §4.2), PREVIEW (RFC 8970), OBJECTID (RFC 8474) and
 * Gmail's `X-GM-MSGID`, `X-GM-THRID`, `X-GM-LABELS` (Gmail IMAP extensions documentation).
 * Items it does not know are kept as generic values.
 *
 * Body contents (`BODY[…]`, `BINARY[…]`, `RFC822*`) sent as literals are streamed by the
 * framer; here they appear as {@link StreamedLiteral} placeholders.
 */
import { encodeUtf8 } from "@mailwire/wire"
import { syntaxError } from "../../errors.js"
import type {
  BodyStructure,
  DateTime,
  Envelope,
  ImapValue,
  Section,
  SectionContent,
} from "../../types.js"
import type { Decoder } from "../decoder.js"
import type { Encoder } from "../encoder.js"
import { encodeSection, partialOrigin, section, sectionBinary } from "../section.js"
import { body, encodeBody } from "./body-structure.js"
import { encodeEnvelope, envelope } from "./envelope.js"

/** One FETCH data item (RFC 9051 §9 `msg-att-dynamic` / `msg-att-static`). */
export type FetchItem =
  | { readonly type: "UID"; readonly value: number }
  | { readonly type: "FLAGS"; readonly value: readonly string[] }
  | { readonly type: "ENVELOPE"; readonly value: Envelope }
  | { readonly type: "BODYSTRUCTURE" | "BODY"; readonly value: BodyStructure }
  | { readonly type: "INTERNALDATE"; readonly value: DateTime }
  | { readonly type: "RFC822.SIZE"; readonly value: number }
  | { readonly type: "MODSEQ"; readonly value: bigint }
  | {
      readonly type: "BODY[]"
      readonly section: Section
      readonly origin: number | null
      readonly value: SectionContent
    }
  | {
      readonly type: "BINARY[]"
      readonly part: readonly number[]
      readonly origin: number | null
      readonly value: SectionContent
    }
  | { readonly type: "BINARY.SIZE"; readonly part: readonly number[]; readonly value: number }
  | { readonly type: "RFC822" | "RFC822.HEADER" | "RFC822.TEXT"; readonly value: SectionContent }
  | { readonly type: "X-GM-MSGID" | "X-GM-THRID"; readonly value: bigint }
  | { readonly type: "X-GM-LABELS"; readonly value: readonly string[] }
  | { readonly type: "PREVIEW" | "EMAILID" | "THREADID"; readonly value: string | null }
  | { readonly type: "other"; readonly name: string; readonly value: ImapValue }

/** `message-data = nz-number SP "FETCH" SP msg-att` (RFC 9051 §7.5.2). */
export interface FetchResponse {
  readonly type: "fetch"
  readonly seq: number
  readonly items: readonly FetchItem[]
}

/** `msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP …) ")"`, after `FETCH SP`. */
export function msgAtt(d: Decoder): FetchItem[] {
  const items: FetchItem[] = []
  d.list(() => items.push(fetchItem(d)))
  return items
}

function fetchItem(d: Decoder): FetchItem {
  const name = d.textUntilAny()
  switch (name) {
    case "UID":
      d.sp()
      return { type: name, value: d.nzNumber() }
    case "FLAGS":
      d.sp()
      return { type: name, value: d.listOf(() => d.flag()) }
    case "ENVELOPE":
      d.sp()
      return { type: name, value: envelope(d) }
    case "BODYSTRUCTURE":
      d.sp()
      return { type: name, value: body(d) }
    case "BODY":
      if (d.peek() === 0x5b) {
        const s = section(d)
        const origin = partialOrigin(d)
        d.sp()
        return { type: "BODY[]", section: s, origin, value: sectionContent(d) }
      }
      d.sp()
      return { type: name, value: body(d) }
    case "BINARY": {
      const part = sectionBinary(d)
      const origin = partialOrigin(d)
      d.sp()
      return { type: "BINARY[]", part, origin, value: sectionContent(d) }
    }
    case "BINARY.SIZE": {
      const part = sectionBinary(d)
      d.sp()
      return { type: name, part, value: d.number() }
    }
    case "INTERNALDATE":
      d.sp()
      return { type: name, value: d.dateTime() }
    case "RFC822.SIZE":
      d.sp()
      return { type: name, value: d.number() }
    case "RFC822":
    case "RFC822.HEADER":
    case "RFC822.TEXT":
      d.sp()
      return { type: name, value: sectionContent(d) }
    case "MODSEQ": {
      d.sp()
      d.expect(0x28, "(")
      const value = d.number64()
      d.expect(0x29, ")")
      return { type: name, value }
    }
    case "X-GM-MSGID":
    case "X-GM-THRID":
      d.sp()
      return { type: name, value: d.number64() }
    case "X-GM-LABELS":
      d.sp()
      return { type: name, value: d.listOf(() => (d.peek() === 0x5c ? d.flag() : d.astring())) }
    case "PREVIEW":
      d.sp()
      return { type: name, value: d.nstring() }
    case "EMAILID":
    case "THREADID":
      d.sp()
      return { type: name, value: objectId(d) }
    default:
      if (d.peek() === 0x5b) d.skipBracket()
      d.sp()
      return { type: "other", name, value: d.value() }
  }
}

/** `"(" objectid ")" / nil` (RFC 8474 §7). */
function objectId(d: Decoder): string | null {
  if (d.acceptWord("NIL")) return null
  d.expect(0x28, "(")
  const id = d.atom()
  d.expect(0x29, ")")
  return id
}

/** `nstring` (or `literal8`) holding body bytes. */
function sectionContent(d: Decoder): SectionContent {
  if (d.acceptWord("NIL")) return null
  if (d.peek() === 0x22) return encodeUtf8(d.quoted())
  if (d.atLiteral()) return d.literalSlot()
  throw syntaxError("expected body contents")
}

/** Writes `msg-att`; streamed contents end a part that names them (see `EncodedPart`). */
export function encodeMsgAtt(e: Encoder, items: readonly FetchItem[]): void {
  e.list(items, (item) => encodeItem(e, item))
}

function encodeItem(e: Encoder, item: FetchItem): void {
  switch (item.type) {
    case "UID":
    case "RFC822.SIZE":
      e.raw(item.type).sp().number(item.value)
      return
    case "FLAGS":
      e.raw(item.type)
        .sp()
        .list(item.value, (f) => e.flag(f))
      return
    case "ENVELOPE":
      e.raw(item.type).sp()
      encodeEnvelope(e, item.value)
      return
    case "BODYSTRUCTURE":
    case "BODY":
      e.raw(item.type).sp()
      encodeBody(e, item.value, item.type === "BODYSTRUCTURE")
      return
    case "INTERNALDATE":
      e.raw(item.type).sp().dateTime(item.value)
      return
    case "MODSEQ":
      e.raw("MODSEQ (").number64(item.value).raw(")")
      return
    case "X-GM-MSGID":
    case "X-GM-THRID":
      e.raw(item.type).sp().number64(item.value)
      return
    case "X-GM-LABELS":
      e.raw(item.type)
        .sp()
        .list(item.value, (l) => (l.startsWith("\\") ? e.flag(l) : e.astring(l)))
      return
    case "PREVIEW":
      e.raw(item.type).sp().nstring(item.value)
      return
    case "EMAILID":
    case "THREADID":
      e.raw(item.type).sp()
      if (item.value === null) e.raw("NIL")
      else e.raw("(").atom(item.value).raw(")")
      return
    case "BODY[]":
      e.raw("BODY")
      encodeSection(e, item.section)
      encodeOrigin(e, item.origin)
      encodeContent(e.sp(), item.value, false)
      return
    case "BINARY[]":
      e.raw(`BINARY[${item.part.join(".")}]`)
      encodeOrigin(e, item.origin)
      encodeContent(e.sp(), item.value, true)
      return
    case "BINARY.SIZE":
      e.raw(`BINARY.SIZE[${item.part.join(".")}]`)
        .sp()
        .number(item.value)
      return
    case "RFC822":
    case "RFC822.HEADER":
    case "RFC822.TEXT":
      e.raw(item.type).sp()
      encodeContent(e, item.value, false)
      return
    case "other":
      e.text(item.name).sp().value(item.value)
  }
}

function encodeOrigin(e: Encoder, origin: number | null): void {
  if (origin !== null) e.raw("<").number(origin).raw(">")
}

function encodeContent(e: Encoder, value: SectionContent, binary: boolean): void {
  if (value === null) e.raw("NIL")
  else if (value instanceof Uint8Array) e.literal(value, binary)
  else e.streamedLiteral(value, binary)
}
