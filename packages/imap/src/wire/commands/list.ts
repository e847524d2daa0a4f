/**
 * LIST (RFC 9051 §6.3.9) with LIST-EXTENDED selection and return options (RFC 5258 §3),
 * LIST-STATUS (RFC 5819 §2) and SPECIAL-USE (RFC 6154 §2).
 */
import type { Decoder } from "../decoder.js"
import type { Encoder } from "../encoder.js"

/** A LIST return option; `STATUS` carries the STATUS attributes to return (RFC 5819). */
export interface ListReturnOption {
  readonly name: string
  readonly status?: readonly string[]
}

/** `LIST [(selection…)] reference (pattern… / pattern) [RETURN (option…)]`. */
export interface ListCommand {
  readonly name: "LIST"
  /** Selection options, e.g. `SUBSCRIBED`, `SPECIAL-USE`; `null` when none were given. */
  readonly selection: readonly string[] | null
  readonly reference: string
  /** One pattern is sent bare; several in parentheses (RFC 5258 §3). */
  readonly patterns: readonly string[]
  /** Return options, e.g. `CHILDREN`, `STATUS (MESSAGES)`; `null` when no RETURN was given. */
  readonly returnOptions: readonly ListReturnOption[] | null
}

/** Reads LIST's arguments, after `LIST`. */
export function parseList(d: Decoder): ListCommand {
  d.sp()
  let selection: string[] | null = null
  if (d.peek() === 0x28) {
    selection = d.listOf(() => d.keyword())
    d.sp()
  }
  const reference = d.mailbox()
  d.sp()
  const patterns = d.peek() === 0x28 ? d.listOf(() => d.listMailbox()) : [d.listMailbox()]
  let returnOptions: ListReturnOption[] | null = null
  if (d.spBeforeMore()) {
    if (!d.acceptWord("RETURN")) throw d.error("RETURN")
    d.sp()
    returnOptions = d.listOf(() => {
      const name = d.keyword()
      if (name === "STATUS" && d.spBeforeMore())
        return { name, status: d.listOf(() => d.keyword()) }
      return { name }
    })
  }
  return { name: "LIST", selection, reference, patterns, returnOptions }
}

/** Writes LIST, from its name on. */
export function encodeList(e: Encoder, c: ListCommand): void {
  e.raw("LIST")
  if (c.selection !== null) e.sp().list(c.selection, (s) => e.atom(s))
  e.sp().astring(c.reference).sp()
  if (c.patterns.length === 1) e.listMailbox(c.patterns[0]!)
  else e.list(c.patterns, (p) => e.listMailbox(p))
  if (c.returnOptions !== null) {
    e.raw(" RETURN ").list(c.returnOptions, (o) => {
      e.atom(o.name)
      if (o.status !== undefined) e.sp().list(o.status, (a) => e.atom(a))
    })
  }
}
