/**
 * Every server response (RFC 9051 §7, §9 `response`), as one tagged union, with the
 * dispatch that reads and writes it.
 *
 * {@link parseResponse} reads one framed response from a {@link Decoder};
 * {@link writeResponse} writes one with an {@link Encoder} (server side).
 */
import { syntaxError } from "../../errors.js"
import type { SequenceSet } from "../../types.js"
import type { Decoder } from "../decoder.js"
import type { Encoder } from "../encoder.js"
import { encodeMsgAtt, type FetchResponse, msgAtt } from "./fetch.js"
import {
  type ESearchResponse,
  encodeESearch,
  encodeMailboxList,
  encodeSearch,
  encodeStatusData,
  encodeThreads,
  esearch,
  type FlagsResponse,
  type ListResponse,
  mailboxList,
  type SearchResponse,
  type StatusDataResponse,
  searchNumbers,
  statusData,
  type ThreadResponse,
  threads,
} from "./mailbox-data.js"
import {
  type CapabilityResponse,
  capabilityData,
  encodeCapabilityData,
  encodeId,
  encodeNamespace,
  encodeQuota,
  encodeQuotaRoot,
  type IdResponse,
  idResponse,
  type NamespaceResponse,
  namespaceResponse,
  type QuotaResponse,
  type QuotaRootResponse,
  quotaResponse,
  quotaRootResponse,
} from "./server-data.js"
import {
  type ContinuationRequest,
  encodeRespText,
  isStatusCondition,
  respText,
  type StatusResponse,
} from "./status.js"

/** `* n EXISTS`, `* n RECENT` (RFC 9051 §7.4.1, RFC 3501 §7.3.2), `* n EXPUNGE` (§7.5.1). */
export interface NumberResponse {
  readonly type: "exists" | "recent" | "expunge"
  readonly number: number
}

/** `* VANISHED [(EARLIER)] uids` (QRESYNC, RFC 7162 §3.2.10). */
export interface VanishedResponse {
  readonly type: "vanished"
  readonly earlier: boolean
  readonly uids: SequenceSet
}

/** An untagged response this package does not know: its name and the rest of the line. */
export interface UnknownResponse {
  readonly type: "unknown"
  readonly number: number | null
  readonly name: string
  readonly text: string
}

/** Any server response (RFC 9051 §7). */
export type Response =
  | StatusResponse
  | ContinuationRequest
  | CapabilityResponse
  | ListResponse
  | StatusDataResponse
  | FlagsResponse
  | SearchResponse
  | ESearchResponse
  | ThreadResponse
  | NamespaceResponse
  | IdResponse
  | QuotaResponse
  | QuotaRootResponse
  | NumberResponse
  | VanishedResponse
  | FetchResponse
  | UnknownResponse

/** Reads one response; the decoder must hold a whole framed response. */
export function parseResponse(d: Decoder): Response {
  if (d.accept(0x2b)) {
    // RFC 9051 §7.6 requires SP after "+"; Yandex sends a bare "+" (djc/imap-proto#67).
    d.accept(0x20)
    const { code, text } = respText(d)
    d.end()
    return { type: "continuation", code, text }
  }
  if (d.accept(0x2a)) {
    d.sp()
    // DavMail in front of Exchange sends "*  1843 EXISTS" (python/cpython#117152).
    d.skipSpaces()
    const response = untagged(d)
    d.end()
    return response
  }
  const tag = d.tag()
  d.sp()
  const status = d.keyword()
  if (!isStatusCondition(status) || status === "PREAUTH" || status === "BYE") {
    throw syntaxError(`expected OK, NO or BAD after the tag, found ${status}`)
  }
  return status_(d, tag, status)
}

function status_(d: Decoder, tag: string | null, status: StatusResponse["status"]): StatusResponse {
  if (!d.accept(0x20)) {
    d.end()
    return { type: "status", tag, status, code: null, text: "" }
  }
  const { code, text } = respText(d)
  d.end()
  return { type: "status", tag, status, code, text }
}

function untagged(d: Decoder): Response {
  const c = d.peek()
  if (c >= 0x30 && c <= 0x39) {
    const n = d.number()
    d.sp()
    const name = d.keyword()
    switch (name) {
      case "EXISTS":
      case "RECENT":
        return { type: name === "EXISTS" ? "exists" : "recent", number: n }
      case "EXPUNGE":
        if (n === 0) throw syntaxError("EXPUNGE of message 0")
        return { type: "expunge", number: n }
      case "FETCH":
        if (n === 0) throw syntaxError("FETCH of message 0")
        d.sp()
        return { type: "fetch", seq: n, items: msgAtt(d) }
      default:
        return { type: "unknown", number: n, name, text: d.accept(0x20) ? d.rest() : "" }
    }
  }
  const name = d.keyword()
  if (isStatusCondition(name)) return status_(d, null, name)
  switch (name) {
    case "CAPABILITY":
    case "ENABLED":
      return capabilityData(d, name === "CAPABILITY" ? "capability" : "enabled")
    case "LIST":
    case "LSUB":
      d.sp()
      return mailboxList(d, name === "LIST" ? "list" : "lsub")
    case "STATUS":
      d.sp()
      return statusData(d)
    case "FLAGS":
      d.sp()
      return { type: "flags", flags: d.listOf(() => d.flag()) }
    case "SEARCH":
    case "SORT":
      return searchNumbers(d, name === "SEARCH" ? "search" : "sort")
    case "ESEARCH":
      return esearch(d)
    case "THREAD":
      return threads(d)
    case "NAMESPACE":
      d.sp()
      return namespaceResponse(d)
    case "ID":
      d.sp()
      return idResponse(d)
    case "QUOTA":
      d.sp()
      return quotaResponse(d)
    case "QUOTAROOT":
      d.sp()
      return quotaRootResponse(d)
    case "VANISHED": {
      d.sp()
      let earlier = false
      if (d.peek() === 0x28) {
        d.expect(0x28, "(")
        if (!d.acceptWord("EARLIER")) throw d.error("EARLIER")
        d.expect(0x29, ")")
        d.sp()
        earlier = true
      }
      return { type: "vanished", earlier, uids: d.sequenceSet() }
    }
    default:
      return { type: "unknown", number: null, name, text: d.accept(0x20) ? d.rest() : "" }
  }
}

/** Writes one response, CRLF included. */
export function writeResponse(e: Encoder, r: Response): Encoder {
  switch (r.type) {
    case "status":
      if (r.tag === null) e.raw("* ")
      else e.tag(r.tag).sp()
      e.raw(r.status)
      if (r.code !== null || r.text.length > 0) {
        e.sp()
        encodeRespText(e, r.code, r.text)
      }
      return e.crlf()
    case "continuation":
      e.raw("+ ")
      encodeRespText(e, r.code, r.text)
      return e.crlf()
    case "exists":
    case "recent":
    case "expunge":
      return e.raw("* ").number(r.number).sp().raw(r.type.toUpperCase()).crlf()
    case "fetch":
      e.raw("* ").number(r.seq).raw(" FETCH ")
      encodeMsgAtt(e, r.items)
      return e.crlf()
    case "unknown":
      e.raw("* ")
      if (r.number !== null) e.number(r.number).sp()
      e.atom(r.name)
      if (r.text.length > 0) e.sp().text(r.text)
      return e.crlf()
    default:
      e.raw("* ")
      encodeData(e, r)
      return e.crlf()
  }
}

function encodeData(
  e: Encoder,
  r: Exclude<
    Response,
    StatusResponse | ContinuationRequest | NumberResponse | FetchResponse | UnknownResponse
  >,
): void {
  switch (r.type) {
    case "capability":
    case "enabled":
      e.raw(r.type.toUpperCase())
      encodeCapabilityData(e, r)
      return
    case "list":
    case "lsub":
      e.raw(`${r.type.toUpperCase()} `)
      encodeMailboxList(e, r)
      return
    case "status-data":
      e.raw("STATUS ")
      encodeStatusData(e, r)
      return
    case "flags":
      e.raw("FLAGS ").list(r.flags, (f) => e.flag(f))
      return
    case "search":
    case "sort":
      e.raw(r.type.toUpperCase())
      encodeSearch(e, r)
      return
    case "esearch":
      e.raw("ESEARCH")
      encodeESearch(e, r)
      return
    case "thread":
      e.raw("THREAD")
      encodeThreads(e, r)
      return
    case "namespace":
      e.raw("NAMESPACE ")
      encodeNamespace(e, r)
      return
    case "id":
      e.raw("ID ")
      encodeId(e, r.params)
      return
    case "quota":
      e.raw("QUOTA ")
      encodeQuota(e, r)
      return
    case "quotaroot":
      e.raw("QUOTAROOT ")
      encodeQuotaRoot(e, r)
      return
    case "vanished":
      e.raw(r.earlier ? "VANISHED (EARLIER) " : "VANISHED ").sequenceSet(r.uids)
  }
}
