/**
 * Body section specifiers, shared by FETCH commands and FETCH responses (RFC 9051
 * §6.4.5, §9 `section`, `section-binary`, `partial`), and RFC 3516 `section-binary`.
 */
import { syntaxError } from "../errors.js"
import type { Section } from "../types.js"
import type { Decoder } from "./decoder.js"
import type { Encoder } from "./encoder.js"

const TEXTS = new Set(["HEADER", "HEADER.FIELDS", "HEADER.FIELDS.NOT", "TEXT", "MIME"])

/** `section = "[" [section-spec] "]"`. */
export function section(d: Decoder): Section {
  d.expect(0x5b, "[")
  const part: number[] = []
  while (d.peek() >= 0x30 && d.peek() <= 0x39) {
    part.push(d.nzNumber())
    if (!d.accept(0x2e)) break
  }
  if (d.accept(0x5d)) return { part }
  const name = d.textUntilAny()
  if (!TEXTS.has(name) || (name === "MIME" && part.length === 0)) {
    throw syntaxError(`invalid section text "${name}"`)
  }
  const text = name as NonNullable<Section["text"]>
  if (text === "HEADER.FIELDS" || text === "HEADER.FIELDS.NOT") {
    d.sp()
    const fields = d.listOf(() => d.astring())
    d.expect(0x5d, "]")
    return { part, text, fields }
  }
  d.expect(0x5d, "]")
  return { part, text }
}

/** `section-binary = "[" [section-part] "]"` (RFC 3516 §4.2). */
export function sectionBinary(d: Decoder): number[] {
  d.expect(0x5b, "[")
  const part: number[] = []
  while (!d.accept(0x5d)) {
    if (part.length > 0) d.expect(0x2e, ".")
    part.push(d.nzNumber())
  }
  return part
}

/** `partial = "<" number "." nz-number ">"` (command) or `"<" number ">"` (response origin). */
export function partialOrigin(d: Decoder): number | null {
  if (!d.accept(0x3c)) return null
  const origin = d.number()
  d.expect(0x3e, ">")
  return origin
}

/** Writes `section` with its brackets. */
export function encodeSection(e: Encoder, s: Section): void {
  e.raw(`[${s.part.join(".")}`)
  if (s.text !== undefined) {
    if (s.part.length > 0) e.raw(".")
    e.raw(s.text)
    if (s.fields !== undefined) e.sp().list(s.fields, (f) => e.astring(f))
  }
  e.raw("]")
}
