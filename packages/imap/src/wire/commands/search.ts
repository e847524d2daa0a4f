/**
 * SEARCH (RFC 9051 §6.4.4) with the whole search-key tree, CHARSET, ESEARCH return
 * options (RFC 4731 §3.1, SAVE from RFC 5182 §2.2), MODSEQ (RFC 7162 §3.1.5), OLDER and
 * YOUNGER (RFC 5032 §3) and Gmail's X-GM-* keys; SORT and THREAD (RFC 5256 §3).
 */
import { invalidArgument } from "../../errors.js"
import type { CalendarDate, SequenceSet } from "../../types.js"
import type { Decoder } from "../decoder.js"
import type { Encoder } from "../encoder.js"

/** A search key without arguments (RFC 9051 §6.4.4; NEW, OLD, RECENT from RFC 3501). */
export type FlagSearchKey =
  | "ALL"
  | "ANSWERED"
  | "DELETED"
  | "DRAFT"
  | "FLAGGED"
  | "NEW"
  | "OLD"
  | "RECENT"
  | "SEEN"
  | "UNANSWERED"
  | "UNDELETED"
  | "UNDRAFT"
  | "UNFLAGGED"
  | "UNSEEN"

/** A node of the search-key tree (RFC 9051 §9 `search-key`). */
export type SearchKey =
  | { readonly key: FlagSearchKey }
  | {
      readonly key:
        | "BCC"
        | "BODY"
        | "CC"
        | "FROM"
        | "SUBJECT"
        | "TEXT"
        | "TO"
        | "X-GM-RAW"
        | "EMAILID"
        | "THREADID"
      /** A string; an object id (RFC 8474 §6) for EMAILID and THREADID. */
      readonly value: string
    }
  | { readonly key: "KEYWORD" | "UNKEYWORD"; readonly flag: string }
  | { readonly key: "HEADER"; readonly field: string; readonly value: string }
  | {
      readonly key: "BEFORE" | "ON" | "SINCE" | "SENTBEFORE" | "SENTON" | "SENTSINCE"
      readonly date: CalendarDate
    }
  | { readonly key: "LARGER" | "SMALLER" | "OLDER" | "YOUNGER"; readonly value: number }
  | { readonly key: "UID" | "sequence-set"; readonly set: SequenceSet }
  | { readonly key: "NOT"; readonly operand: SearchKey }
  | { readonly key: "OR"; readonly left: SearchKey; readonly right: SearchKey }
  | { readonly key: "and"; readonly keys: readonly SearchKey[] }
  | {
      readonly key: "MODSEQ"
      readonly entry: { readonly name: string; readonly type: "priv" | "shared" | "all" } | null
      readonly modseq: bigint
    }
  | { readonly key: "X-GM-MSGID" | "X-GM-THRID"; readonly id: bigint }
  | { readonly key: "X-GM-LABELS"; readonly label: string }

/** `[UID] SEARCH [RETURN (…)] [CHARSET x] key…`. */
export interface SearchCommand {
  readonly name: "SEARCH"
  readonly uid: boolean
  /** ESEARCH return options (MIN, MAX, ALL, COUNT, SAVE), or `null` without RETURN. */
  readonly returnOptions: readonly string[] | null
  readonly charset: string | null
  readonly criteria: readonly SearchKey[]
}

/** A SORT criterion (RFC 5256 §3): a key, possibly reversed. */
export interface SortCriterion {
  readonly key: string
  readonly reverse: boolean
}

/** `[UID] SORT (criteria) charset key…` (RFC 5256 §3). */
export interface SortCommand {
  readonly name: "SORT"
  readonly uid: boolean
  readonly criteria: readonly SortCriterion[]
  readonly charset: string
  readonly search: readonly SearchKey[]
}

/** `[UID] THREAD algorithm charset key…` (RFC 5256 §3). */
export interface ThreadCommand {
  readonly name: "THREAD"
  readonly uid: boolean
  readonly algorithm: string
  readonly charset: string
  readonly search: readonly SearchKey[]
}

const FLAG_KEYS = new Set<string>([
  "ALL",
  "ANSWERED",
  "DELETED",
  "DRAFT",
  "FLAGGED",
  "NEW",
  "OLD",
  "RECENT",
  "SEEN",
  "UNANSWERED",
  "UNDELETED",
  "UNDRAFT",
  "UNFLAGGED",
  "UNSEEN",
])
const STRING_KEYS = new Set([
  "BCC",
  "BODY",
  "CC",
  "FROM",
  "SUBJECT",
  "TEXT",
  "TO",
  "X-GM-RAW",
  "EMAILID",
  "THREADID",
])
const DATE_KEYS = new Set(["BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE"])
const NUMBER_KEYS = new Set(["LARGER", "SMALLER", "OLDER", "YOUNGER"])

/** Reads SEARCH's arguments, after `SEARCH`. */
export function parseSearch(d: Decoder, uid: boolean): SearchCommand {
  d.sp()
  let returnOptions: string[] | null = null
  if (d.acceptWord("RETURN")) {
    d.sp()
    returnOptions = d.listOf(() => d.keyword())
    d.sp()
  }
  let charset: string | null = null
  if (d.acceptWord("CHARSET")) {
    d.sp()
    charset = d.astring()
    d.sp()
  }
  return { name: "SEARCH", uid, returnOptions, charset, criteria: searchKeys(d) }
}

/** Reads SORT's arguments, after `SORT`. */
export function parseSort(d: Decoder, uid: boolean): SortCommand {
  d.sp()
  const criteria = d.listOf(() => {
    const reverse = d.acceptWord("REVERSE")
    if (reverse) d.sp()
    return { key: d.keyword(), reverse }
  })
  d.sp()
  const charset = d.astring()
  d.sp()
  return { name: "SORT", uid, criteria, charset, search: searchKeys(d) }
}

/** Reads THREAD's arguments, after `THREAD`. */
export function parseThread(d: Decoder, uid: boolean): ThreadCommand {
  d.sp()
  const algorithm = d.keyword()
  d.sp()
  const charset = d.astring()
  d.sp()
  return { name: "THREAD", uid, algorithm, charset, search: searchKeys(d) }
}

/** `search-key *(SP search-key)`. */
function searchKeys(d: Decoder): SearchKey[] {
  const keys = [searchKey(d)]
  while (d.spBeforeMore()) {
    if (d.peek() === -1) break
    d.count()
    keys.push(searchKey(d))
  }
  return keys
}

/** `search-key` (RFC 9051 §9). */
export function searchKey(d: Decoder): SearchKey {
  const c = d.peek()
  if (c === 0x28) {
    const keys: SearchKey[] = []
    d.list(() => keys.push(searchKey(d)))
    if (keys.length === 0) throw d.error("search-key")
    return { key: "and", keys }
  }
  if ((c >= 0x30 && c <= 0x39) || c === 0x2a || c === 0x24) {
    return { key: "sequence-set", set: d.sequenceSet() }
  }
  const key = d.keyword()
  if (FLAG_KEYS.has(key)) return { key: key as FlagSearchKey }
  d.sp()
  if (STRING_KEYS.has(key)) return { key: key as "BCC", value: d.astring() }
  if (DATE_KEYS.has(key)) return { key: key as "ON", date: d.date() }
  if (NUMBER_KEYS.has(key)) return { key: key as "LARGER", value: d.number() }
  switch (key) {
    case "KEYWORD":
    case "UNKEYWORD":
      return { key, flag: d.atom() }
    case "HEADER": {
      const field = d.astring()
      d.sp()
      return { key, field, value: d.astring() }
    }
    case "UID":
      return { key, set: d.sequenceSet() }
    case "NOT":
      d.enter()
      try {
        return { key, operand: searchKey(d) }
      } finally {
        d.leave()
      }
    case "OR": {
      d.enter()
      const left = searchKey(d)
      d.sp()
      const right = searchKey(d)
      d.leave()
      return { key, left, right }
    }
    case "MODSEQ": {
      let entry: { name: string; type: "priv" | "shared" | "all" } | null = null
      if (d.peek() === 0x22) {
        const name = d.quoted()
        d.sp()
        const type = d.atom().toLowerCase()
        if (type !== "priv" && type !== "shared" && type !== "all") throw d.error("entry type")
        d.sp()
        entry = { name, type }
      }
      return { key, entry, modseq: d.number64() }
    }
    case "X-GM-MSGID":
    case "X-GM-THRID":
      return { key, id: d.number64() }
    case "X-GM-LABELS":
      return { key, label: d.peek() === 0x5c ? d.flag() : d.astring() }
    default:
      throw d.error("search-key")
  }
}

/** Writes SEARCH, from its name on. */
export function encodeSearchCommand(
  e: Encoder,
  c: SearchCommand | SortCommand | ThreadCommand,
): void {
  if (c.uid) e.raw("UID ")
  e.raw(c.name)
  if (c.name === "SEARCH") {
    if (c.returnOptions !== null) e.raw(" RETURN ").list(c.returnOptions, (o) => e.atom(o))
    if (c.charset !== null) e.raw(" CHARSET ").astring(c.charset)
    encodeKeys(e, c.criteria)
    return
  }
  if (c.name === "SORT") {
    e.sp().list(c.criteria, (s) => e.raw(s.reverse ? "REVERSE " : "").atom(s.key))
  } else e.sp().atom(c.algorithm)
  e.sp().astring(c.charset)
  encodeKeys(e, c.search)
}

function encodeKeys(e: Encoder, keys: readonly SearchKey[]): void {
  if (keys.length === 0) throw invalidArgument("a search needs at least one key")
  for (const key of keys) {
    e.sp()
    encodeSearchKey(e, key)
  }
}

/** Writes one `search-key`. */
export function encodeSearchKey(e: Encoder, k: SearchKey): void {
  switch (k.key) {
    case "BCC":
    case "BODY":
    case "CC":
    case "FROM":
    case "SUBJECT":
    case "TEXT":
    case "TO":
    case "X-GM-RAW":
    case "EMAILID":
    case "THREADID":
      e.raw(k.key).sp().astring(k.value)
      return
    case "KEYWORD":
    case "UNKEYWORD":
      e.raw(k.key).sp().atom(k.flag)
      return
    case "HEADER":
      e.raw(k.key).sp().astring(k.field).sp().astring(k.value)
      return
    case "BEFORE":
    case "ON":
    case "SINCE":
    case "SENTBEFORE":
    case "SENTON":
    case "SENTSINCE":
      e.raw(k.key).sp().date(k.date)
      return
    case "LARGER":
    case "SMALLER":
    case "OLDER":
    case "YOUNGER":
      e.raw(k.key).sp().number(k.value)
      return
    case "UID":
      e.raw("UID ").sequenceSet(k.set)
      return
    case "sequence-set":
      e.sequenceSet(k.set)
      return
    case "NOT":
      e.raw("NOT ")
      encodeSearchKey(e, k.operand)
      return
    case "OR":
      e.raw("OR ")
      encodeSearchKey(e, k.left)
      e.sp()
      encodeSearchKey(e, k.right)
      return
    case "and":
      if (k.keys.length === 0) throw invalidArgument("an empty search-key list")
      e.list(k.keys, (key) => encodeSearchKey(e, key))
      return
    case "MODSEQ":
      e.raw("MODSEQ ")
      if (k.entry !== null) e.quoted(k.entry.name).sp().atom(k.entry.type).sp()
      e.number64(k.modseq)
      return
    case "X-GM-MSGID":
    case "X-GM-THRID":
      e.raw(k.key).sp().number64(k.id)
      return
    case "X-GM-LABELS":
      e.raw(k.key).sp()
      if (k.label.startsWith("\\")) e.flag(k.label)
      else e.astring(k.label)
      return
    default:
      e.raw(k.key)
  }
}
