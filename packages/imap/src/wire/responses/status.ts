/**
 * Status responses and response codes (RFC 9051 §7.1 OK/NO/BAD/PREAUTH/BYE, §7.1
 * codes; RFC 4315 APPENDUID/COPYUID/UIDNOTSTICKY; RFC 7162 HIGHESTMODSEQ/NOMODSEQ/
 * MODIFIED/CLOSED; RFC 5530 ALREADYEXISTS, NONEXISTENT, OVERQUOTA, CANNOT, LIMIT…), and
 * continuation requests (RFC 9051 §7.6).
 *
 * Parsing starts after the tag (or `*`) and its space; nothing here frames lines.
 */

import { invalidArgument } from "../../errors.js"
import { type ResponseCode, SIMPLE_RESPONSE_CODES, type SimpleResponseCode } from "../../types.js"
import type { Decoder } from "../decoder.js"
import type { Encoder } from "../encoder.js"

/** The condition of a status response (RFC 9051 §7.1). */
export type StatusCondition = "OK" | "NO" | "BAD" | "PREAUTH" | "BYE"

/** A tagged or untagged status response (RFC 9051 §7.1, §9 `response-tagged`, `resp-cond-*`). */
export interface StatusResponse {
  readonly type: "status"
  /** The command's tag, or `null` for an untagged (`*`) response. */
  readonly tag: string | null
  readonly status: StatusCondition
  readonly code: ResponseCode | null
  /** The human-readable text; may be empty (some servers send none, e.g. `A1 OK`). */
  readonly text: string
}

/** A continuation request `+ …` (RFC 9051 §7.6): text, or base64 during AUTHENTICATE. */
export interface ContinuationRequest {
  readonly type: "continuation"
  readonly code: ResponseCode | null
  readonly text: string
}

const STATUS = new Set(["OK", "NO", "BAD", "PREAUTH", "BYE"])

/** Whether `word` (upper case) names a status condition. */
export function isStatusCondition(word: string): word is StatusCondition {
  return STATUS.has(word)
}

/** `resp-text = ["[" resp-text-code "]" SP] [text]`, after the condition's SP. */
export function respText(d: Decoder): { code: ResponseCode | null; text: string } {
  let code: ResponseCode | null = null
  if (d.accept(0x5b)) {
    code = respTextCode(d)
    d.expect(0x5d, "]")
    d.accept(0x20)
  }
  return { code, text: d.rest() }
}

/** `resp-text-code` (RFC 9051 §9 and the extensions), without the brackets. */
export function respTextCode(d: Decoder): ResponseCode {
  const name = d.keyword()
  if (SIMPLE_RESPONSE_CODES.has(name) && d.peek() === 0x5d) {
    return { type: name as SimpleResponseCode }
  }
  switch (name) {
    case "BADCHARSET":
      return { type: name, charsets: d.accept(0x20) ? d.listOf(() => d.astring()) : [] }
    case "CAPABILITY":
      return { type: name, capabilities: atomsToBracket(d) }
    case "PERMANENTFLAGS":
      d.sp()
      return { type: name, flags: d.listOf(() => d.flag()) }
    case "UIDNEXT":
    case "UIDVALIDITY":
    case "UNSEEN":
      d.sp()
      return { type: name, value: d.number() }
    case "HIGHESTMODSEQ":
      d.sp()
      return { type: name, modseq: d.number64() }
    case "MODIFIED":
      d.sp()
      return { type: name, set: d.sequenceSet() }
    case "APPENDUID": {
      d.sp()
      const uidValidity = d.number()
      d.sp()
      return { type: name, uidValidity, uids: d.sequenceSet() }
    }
    case "COPYUID": {
      d.sp()
      const uidValidity = d.number()
      d.sp()
      const sourceUids = d.sequenceSet()
      d.sp()
      return { type: name, uidValidity, sourceUids, destinationUids: d.sequenceSet() }
    }
    default:
      if (d.accept(0x20) || d.peek() !== 0x5d) return { type: "other", name, text: codeText(d) }
      return { type: "other", name, text: null }
  }
}

/**
 * The text of an unknown code, up to the `]` that ends it; quoted strings in it may hold
 * `]`. Leniency: Outlook 365 sends `[Error="…" Proxy=…]`, with no SP after the name
 * (ruby/net-imap#597); the text then starts right after the name.
 */
function codeText(d: Decoder): string {
  let out = ""
  for (;;) {
    out += d.textUntil(0x5d, 0x22)
    if (d.peek() !== 0x22) return out
    out += `"${d.quoted().replace(/["\\]/g, "\\$&")}"`
  }
}

function atomsToBracket(d: Decoder): string[] {
  const out: string[] = []
  while (d.accept(0x20)) {
    if (d.peek() === 0x5d) break
    d.count()
    out.push(d.atom())
  }
  return out
}

/** Whether `text` can follow an unknown code's name: `]` only inside balanced quoted strings. */
function isCodeText(text: string): boolean {
  let inQuote = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inQuote && c === "\\") i++
    else if (c === '"') inQuote = !inQuote
    else if (c === "]" && !inQuote) return false
  }
  return !inQuote
}

/** Writes `resp-text`. */
export function encodeRespText(e: Encoder, code: ResponseCode | null, text: string): void {
  if (code !== null) {
    e.raw("[")
    encodeRespTextCode(e, code)
    e.raw("]")
    if (text.length > 0) e.sp()
  }
  e.text(text)
}

/** Writes a `resp-text-code` without brackets. */
export function encodeRespTextCode(e: Encoder, code: ResponseCode): void {
  switch (code.type) {
    case "BADCHARSET":
      e.raw(code.type)
      if (code.charsets.length > 0) e.sp().list(code.charsets, (c) => e.astring(c))
      return
    case "CAPABILITY":
      e.raw(code.type)
      for (const capability of code.capabilities) e.sp().atom(capability)
      return
    case "PERMANENTFLAGS":
      e.raw(code.type)
        .sp()
        .list(code.flags, (f) => e.flag(f))
      return
    case "UIDNEXT":
    case "UIDVALIDITY":
    case "UNSEEN":
      e.raw(code.type).sp().number(code.value)
      return
    case "HIGHESTMODSEQ":
      e.raw(code.type).sp().number64(code.modseq)
      return
    case "MODIFIED":
      e.raw(code.type).sp().sequenceSet(code.set)
      return
    case "APPENDUID":
      e.raw(code.type).sp().number(code.uidValidity).sp().sequenceSet(code.uids)
      return
    case "COPYUID":
      e.raw(code.type).sp().number(code.uidValidity).sp().sequenceSet(code.sourceUids)
      e.sp().sequenceSet(code.destinationUids)
      return
    case "other":
      e.atom(code.name)
      if (code.text !== null) {
        if (!isCodeText(code.text)) throw invalidArgument('response code text holds a bare ] or "')
        e.sp().text(code.text)
      }
      return
    default:
      e.raw(code.type)
  }
}
