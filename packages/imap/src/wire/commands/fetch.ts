/**
 * FETCH (RFC 9051 §6.4.5) with every fetch item: the macros ALL, FAST, FULL; BODY[section]
 * <partial> and BODY.PEEK; BINARY[], BINARY.PEEK[] and BINARY.SIZE (RFC 3516 §4.2);
 * MODSEQ, CHANGEDSINCE and VANISHED (RFC 7162 §3.1.4, §3.2.6); Gmail's X-GM-* items.
 */
import { invalidArgument } from "../../errors.js"
import type { Section, SequenceSet } from "../../types.js"
import type { Decoder } from "../decoder.js"
import type { Encoder } from "../encoder.js"
import { encodeSection, section, sectionBinary } from "../section.js"

/** `partial = "<" number "." nz-number ">"`. */
export interface Partial {
  readonly offset: number
  readonly length: number
}

/** Fetch items without arguments. */
export type SimpleFetchAttribute =
  | "ENVELOPE"
  | "FLAGS"
  | "INTERNALDATE"
  | "RFC822"
  | "RFC822.HEADER"
  | "RFC822.SIZE"
  | "RFC822.TEXT"
  | "RFC822.PEEK"
  | "BODY"
  | "BODYSTRUCTURE"
  | "UID"
  | "MODSEQ"
  | "X-GM-MSGID"
  | "X-GM-THRID"
  | "X-GM-LABELS"
  | "EMAILID"
  | "THREADID"
  | "PREVIEW"

/** One item of a FETCH command (RFC 9051 §9 `fetch-att`). */
export type FetchAttribute =
  | { readonly type: SimpleFetchAttribute }
  | {
      readonly type: "BODY[]"
      readonly peek: boolean
      readonly section: Section
      readonly partial: Partial | null
    }
  | {
      readonly type: "BINARY[]"
      readonly peek: boolean
      readonly part: readonly number[]
      readonly partial: Partial | null
    }
  | { readonly type: "BINARY.SIZE"; readonly part: readonly number[] }

/** `[UID] FETCH set (items) [(CHANGEDSINCE n [VANISHED])]`. */
export interface FetchCommand {
  readonly name: "FETCH"
  readonly uid: boolean
  readonly set: SequenceSet
  /** A macro, or the items (one item is sent without parentheses). */
  readonly items: "ALL" | "FAST" | "FULL" | readonly FetchAttribute[]
  readonly changedSince: bigint | null
  /** QRESYNC's VANISHED modifier (UID FETCH with CHANGEDSINCE only). */
  readonly vanished: boolean
}

const SIMPLE = new Set<string>([
  "ENVELOPE",
  "FLAGS",
  "INTERNALDATE",
  "RFC822",
  "RFC822.HEADER",
  "RFC822.SIZE",
  "RFC822.TEXT",
  // Not in any RFC: Outlook sends it (emersion/go-imap#657; Microsoft's MS-STANOIMAP
  // documents it as RFC822 without setting \Seen).
  "RFC822.PEEK",
  "BODY",
  "BODYSTRUCTURE",
  "UID",
  "MODSEQ",
  "X-GM-MSGID",
  "X-GM-THRID",
  "X-GM-LABELS",
  "EMAILID",
  "THREADID",
  "PREVIEW",
])

/** Reads FETCH's arguments, after `FETCH`. */
export function parseFetch(d: Decoder, uid: boolean): FetchCommand {
  d.sp()
  const set = d.sequenceSet()
  d.sp()
  let items: FetchCommand["items"]
  if (d.peek() === 0x28) items = d.listOf(() => fetchAtt(d))
  else if (d.acceptWord("ALL")) items = "ALL"
  else if (d.acceptWord("FAST")) items = "FAST"
  else if (d.acceptWord("FULL")) items = "FULL"
  else items = [fetchAtt(d)]
  let changedSince: bigint | null = null
  let vanished = false
  if (d.spBeforeMore()) {
    d.list(() => {
      const modifier = d.keyword()
      if (modifier === "CHANGEDSINCE") {
        d.sp()
        changedSince = d.number64()
      } else if (modifier === "VANISHED") vanished = true
      else throw d.error("CHANGEDSINCE or VANISHED")
    })
  }
  return { name: "FETCH", uid, set, items, changedSince, vanished }
}

function fetchAtt(d: Decoder): FetchAttribute {
  const name = d.textUntilAny()
  if (name === "BODY" || name === "BODY.PEEK") {
    if (d.peek() !== 0x5b) {
      if (name === "BODY") return { type: name }
      throw d.error("[")
    }
    const s = section(d)
    return { type: "BODY[]", peek: name === "BODY.PEEK", section: s, partial: partial(d) }
  }
  if (name === "BINARY" || name === "BINARY.PEEK") {
    const part = sectionBinary(d)
    return { type: "BINARY[]", peek: name === "BINARY.PEEK", part, partial: partial(d) }
  }
  if (name === "BINARY.SIZE") return { type: name, part: sectionBinary(d) }
  if (SIMPLE.has(name)) return { type: name as SimpleFetchAttribute }
  throw d.error("fetch-att")
}

function partial(d: Decoder): Partial | null {
  if (!d.accept(0x3c)) return null
  const offset = d.number()
  d.expect(0x2e, ".")
  const length = d.nzNumber()
  d.expect(0x3e, ">")
  return { offset, length }
}

/** Writes FETCH, from `[UID ]FETCH` on. */
export function encodeFetch(e: Encoder, c: FetchCommand): void {
  e.raw(c.uid ? "UID FETCH " : "FETCH ")
    .sequenceSet(c.set)
    .sp()
  if (typeof c.items === "string") e.raw(c.items)
  else if (c.items.length === 1) encodeAtt(e, c.items[0]!)
  else if (c.items.length === 0) throw invalidArgument("FETCH needs an item")
  else e.list(c.items, (item) => encodeAtt(e, item))
  if (c.changedSince !== null) {
    e.raw(" (CHANGEDSINCE ").number64(c.changedSince)
    if (c.vanished) e.raw(" VANISHED")
    e.raw(")")
  } else if (c.vanished) throw invalidArgument("VANISHED needs CHANGEDSINCE")
}

function encodeAtt(e: Encoder, a: FetchAttribute): void {
  switch (a.type) {
    case "BODY[]":
      e.raw(a.peek ? "BODY.PEEK" : "BODY")
      encodeSection(e, a.section)
      encodePartial(e, a.partial)
      return
    case "BINARY[]":
      e.raw(`${a.peek ? "BINARY.PEEK" : "BINARY"}[${a.part.join(".")}]`)
      encodePartial(e, a.partial)
      return
    case "BINARY.SIZE":
      e.raw(`BINARY.SIZE[${a.part.join(".")}]`)
      return
    default:
      e.raw(a.type)
  }
}

function encodePartial(e: Encoder, p: Partial | null): void {
  if (p !== null) e.raw("<").number(p.offset).raw(".").number(p.length).raw(">")
}
