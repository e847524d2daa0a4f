/**
 * Mailbox data responses (RFC 9051 §7.3): LIST and LSUB with extended data (RFC 5258
 * §3.5, RFC 3501 §7.2.3), STATUS (RFC 9051 §7.3.3, with SIZE, HIGHESTMODSEQ from RFC
 * 7162 §3.1.9 and APPENDLIMIT from RFC 7889 §3), FLAGS (§7.3.5), SEARCH (RFC 3501 §7.2.5,
 * with RFC 7162's MODSEQ), ESEARCH (RFC 9051 §7.3.4, RFC 4731 §3.1), SORT and THREAD
 * (RFC 5256 §4).
 */
import { syntaxError } from "../../errors.js"
import type { ImapValue, SequenceSet } from "../../types.js"
import type { Decoder } from "../decoder.js"
import type { Encoder } from "../encoder.js"

/** `mailbox-list` of a LIST or LSUB response (RFC 9051 §7.3.1, RFC 5258 §3.5). */
export interface ListResponse {
  readonly type: "list" | "lsub"
  /** `mbx-list-flags`, e.g. `\HasNoChildren`, `\Sent` (RFC 6154), as sent. */
  readonly attributes: readonly string[]
  /** The hierarchy delimiter, or `null` for a flat namespace. */
  readonly delimiter: string | null
  readonly mailbox: string
  /** `mbox-list-extended` items such as `CHILDINFO ("SUBSCRIBED")` or `OLDNAME ("x")`. */
  readonly extended: readonly { readonly tag: string; readonly value: ImapValue }[]
}

/** Attributes of a STATUS response, in the order sent (RFC 9051 §7.3.3 `status-att-list`). */
export interface StatusAttributes {
  MESSAGES?: number
  UIDNEXT?: number
  UIDVALIDITY?: number
  UNSEEN?: number
  DELETED?: number
  RECENT?: number
  SIZE?: number
  /** RFC 7162 §3.1.9. */
  HIGHESTMODSEQ?: bigint
  /** RFC 7889 §3: `null` when the mailbox has no limit (`NIL`). */
  APPENDLIMIT?: number | null
  /** RFC 9208 §4.2: octets of messages with `\Deleted`. */
  "DELETED-STORAGE"?: number
  /** RFC 8474 §4.2: the mailbox's object id, sent as `MAILBOXID (id)`. */
  MAILBOXID?: string
}

/** `* STATUS mailbox (…)` (RFC 9051 §7.3.3). */
export interface StatusDataResponse {
  readonly type: "status-data"
  readonly mailbox: string
  readonly attributes: Readonly<StatusAttributes>
}

/** `* FLAGS (…)` (RFC 9051 §7.3.5). */
export interface FlagsResponse {
  readonly type: "flags"
  readonly flags: readonly string[]
}

/** `* SEARCH …` / `* SORT …` (RFC 3501 §7.2.5, RFC 5256 §4), with RFC 7162 §3.1.5's MODSEQ. */
export interface SearchResponse {
  readonly type: "search" | "sort"
  readonly numbers: readonly number[]
  readonly modseq: bigint | null
}

/** The data of an ESEARCH response, in the order sent (RFC 4731 §3.1, RFC 7162 §3.1.5). */
export interface ESearchData {
  MIN?: number
  MAX?: number
  ALL?: SequenceSet
  COUNT?: number
  MODSEQ?: bigint
}

/** `* ESEARCH [(TAG "…")] [UID] …` (RFC 9051 §7.3.4). */
export interface ESearchResponse {
  readonly type: "esearch"
  readonly tag: string | null
  readonly uid: boolean
  readonly data: Readonly<ESearchData>
  /** Return data this package does not know, as generic values. */
  readonly other: readonly { readonly name: string; readonly value: ImapValue }[]
}

/** A thread of a THREAD response (RFC 5256 §4): members in order, then nested threads. */
export interface Thread {
  readonly members: readonly number[]
  readonly children: readonly Thread[]
}

/** `* THREAD …` (RFC 5256 §4). */
export interface ThreadResponse {
  readonly type: "thread"
  readonly threads: readonly Thread[]
}

/** After `LIST SP` / `LSUB SP`. Leniency: `NIL` delimiter is grammar; `""` reads as `null`. */
export function mailboxList(d: Decoder, type: "list" | "lsub"): ListResponse {
  const attributes = d.listOf(() => d.flag())
  d.sp()
  let delimiter: string | null = null
  if (!d.acceptWord("NIL")) {
    const text = d.quoted()
    if (text.length > 1) throw syntaxError("hierarchy delimiter longer than one character")
    delimiter = text.length === 1 ? text : null
  }
  d.sp()
  const mailbox = d.mailbox()
  const extended: { tag: string; value: ImapValue }[] = []
  if (d.accept(0x20) && d.peek() === 0x28) {
    d.list(() => {
      const tag = d.astring()
      d.sp()
      extended.push({ tag, value: d.value() })
    })
  }
  return { type, attributes, delimiter, mailbox, extended }
}

const NUMBER_ATTS = new Set([
  "MESSAGES",
  "UIDNEXT",
  "UIDVALIDITY",
  "UNSEEN",
  "DELETED",
  "RECENT",
  "SIZE",
  "DELETED-STORAGE",
])

/** After `STATUS SP`: `mailbox SP "(" [status-att-list] ")"`. */
export function statusData(d: Decoder): StatusDataResponse {
  const mailbox = d.mailbox()
  d.sp()
  const attributes: Record<string, number | bigint | string | null> = {}
  d.list(() => {
    const name = d.keyword()
    d.sp()
    if (NUMBER_ATTS.has(name)) attributes[name] = d.number()
    else if (name === "HIGHESTMODSEQ") attributes[name] = d.number64()
    else if (name === "APPENDLIMIT") attributes[name] = d.acceptWord("NIL") ? null : d.number()
    else if (name === "MAILBOXID") {
      d.expect(0x28, "(")
      attributes[name] = d.atom()
      d.expect(0x29, ")")
    } else throw syntaxError(`unknown STATUS attribute ${name}`)
  })
  return { type: "status-data", mailbox, attributes: attributes as StatusAttributes }
}

/** After `SEARCH` / `SORT`: `*(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value ")"]`. */
export function searchNumbers(d: Decoder, type: "search" | "sort"): SearchResponse {
  const numbers: number[] = []
  let modseq: bigint | null = null
  while (d.accept(0x20)) {
    const c = d.peek()
    if (c === 0x28) {
      d.expect(0x28, "(")
      if (!d.acceptWord("MODSEQ")) throw d.error("MODSEQ")
      d.sp()
      modseq = d.number64()
      d.expect(0x29, ")")
      break
    }
    if (c === -1 || c === 0x20) continue
    d.count()
    numbers.push(d.nzNumber())
  }
  return { type, numbers, modseq }
}

/** After `ESEARCH`: `[SP search-correlator] [SP "UID"] *(SP search-return-data)`. */
export function esearch(d: Decoder): ESearchResponse {
  let tag: string | null = null
  let uid = false
  const data: Record<string, number | bigint | SequenceSet> = {}
  const other: { name: string; value: ImapValue }[] = []
  while (d.accept(0x20)) {
    if (d.peek() === -1) break
    if (d.peek() === 0x28) {
      d.expect(0x28, "(")
      if (!d.acceptWord("TAG")) throw d.error("TAG")
      d.sp()
      tag = d.string()
      d.expect(0x29, ")")
      continue
    }
    const name = d.keyword()
    if (name === "UID") {
      uid = true
      continue
    }
    d.sp()
    d.count()
    if (name === "MIN" || name === "MAX" || name === "COUNT") data[name] = d.number()
    else if (name === "ALL") data[name] = d.sequenceSet()
    else if (name === "MODSEQ") data[name] = d.number64()
    else other.push({ name, value: d.value() })
  }
  return { type: "esearch", tag, uid, data: data as ESearchData, other }
}

/** After `THREAD`: `*(SP thread-list)`; lists may also follow each other without SP. */
export function threads(d: Decoder): ThreadResponse {
  const out: Thread[] = []
  d.skipSpaces()
  while (d.peek() === 0x28) {
    out.push(threadList(d))
    d.skipSpaces()
  }
  return { type: "thread", threads: out }
}

function threadList(d: Decoder): Thread {
  d.expect(0x28, "(")
  d.enter()
  const members: number[] = []
  const children: Thread[] = []
  for (;;) {
    d.skipSpaces()
    const c = d.peek()
    if (c === 0x29) break
    d.count()
    if (c === 0x28) children.push(threadList(d))
    else if (children.length > 0) throw d.error("thread list")
    else members.push(d.nzNumber())
  }
  d.expect(0x29, ")")
  d.leave()
  return { members, children }
}

/** Writes a LIST / LSUB response's data after the name. */
export function encodeMailboxList(e: Encoder, r: ListResponse): void {
  e.list(r.attributes, (a) => e.flag(a)).sp()
  if (r.delimiter === null) e.raw("NIL")
  else e.quoted(r.delimiter)
  e.sp().astring(r.mailbox)
  if (r.extended.length > 0) {
    e.sp().list(r.extended, (x) => e.astring(x.tag).sp().value(x.value))
  }
}

/** Writes a STATUS response's data. */
export function encodeStatusData(e: Encoder, r: StatusDataResponse): void {
  e.astring(r.mailbox).sp()
  e.list(Object.entries(r.attributes), ([name, value]) => {
    e.atom(name).sp()
    if (value === null) e.raw("NIL")
    else if (typeof value === "string") e.raw("(").atom(value).raw(")")
    else if (typeof value === "bigint") e.number64(value)
    else e.number(value as number)
  })
}

/** Writes SEARCH / SORT numbers. */
export function encodeSearch(e: Encoder, r: SearchResponse): void {
  for (const n of r.numbers) e.sp().number(n)
  if (r.modseq !== null) e.raw(" (MODSEQ ").number64(r.modseq).raw(")")
}

/** Writes ESEARCH data. */
export function encodeESearch(e: Encoder, r: ESearchResponse): void {
  if (r.tag !== null) e.raw(" (TAG ").string(r.tag).raw(")")
  if (r.uid) e.raw(" UID")
  for (const [name, value] of Object.entries(r.data)) {
    e.sp().atom(name).sp()
    if (typeof value === "bigint") e.number64(value)
    else if (typeof value === "number") e.number(value)
    else e.sequenceSet(value as SequenceSet)
  }
  for (const x of r.other) e.sp().atom(x.name).sp().value(x.value)
}

/** Writes THREAD data. */
export function encodeThreads(e: Encoder, r: ThreadResponse): void {
  if (r.threads.length > 0) e.sp()
  for (const t of r.threads) encodeThread(e, t)
}

function encodeThread(e: Encoder, t: Thread): void {
  e.raw("(")
  t.members.forEach((n, i) => {
    if (i > 0) e.sp()
    e.number(n)
  })
  if (t.members.length > 0 && t.children.length > 0) e.sp()
  for (const child of t.children) encodeThread(e, child)
  e.raw(")")
}
