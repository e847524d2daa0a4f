/**
 * The header block of one MIME part (RFC 5322 §2.2, RFC 2045 §3): split into fields,
 * unfolded, and decoded to text.
 *
 * Field values are raw text: folding removed, encoded-words left as they are (decode
 * them with `decodeEncodedWords`, or use the decoded views of `parseMessage`). Bytes are
 * read as UTF-8 when they are valid UTF-8 (RFC 6532 §3.2) and as windows-1252
 * otherwise, the way mail clients show undeclared 8-bit headers. A line that is neither
 * a field nor a continuation is skipped with a defect. Nothing here keeps a reference
 * to the bytes it was given.
 */
import { decodeCharset } from "./charsets.js"
import type { DefectSink } from "./defects.js"

/** One header field (RFC 5322 §2.2): the name as written and the unfolded value. */
export interface HeaderField {
  /** The field name as written, e.g. `Content-Type`. */
  readonly name: string
  /** The unfolded value without the leading space, encoded-words not decoded. */
  readonly value: string
}

/** The header fields of a part, in order, with case-insensitive look-up (RFC 5322 §3.6). */
export class MimeHeaders {
  /** Every field in the order it appeared. */
  readonly fields: readonly HeaderField[]

  constructor(fields: readonly HeaderField[]) {
    this.fields = fields
  }

  /** The value of the first field called `name` (any case), or `undefined`. */
  get(name: string): string | undefined {
    const key = name.toLowerCase()
    for (const field of this.fields) if (field.name.toLowerCase() === key) return field.value
    return undefined
  }

  /** The values of every field called `name` (any case), in order. */
  getAll(name: string): string[] {
    const key = name.toLowerCase()
    const out: string[] = []
    for (const field of this.fields) if (field.name.toLowerCase() === key) out.push(field.value)
    return out
  }

  /** Whether a field called `name` is present. */
  has(name: string): boolean {
    return this.get(name) !== undefined
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** Header bytes as text: UTF-8 when valid (RFC 6532), windows-1252 otherwise. */
export function decodeHeaderBytes(bytes: Uint8Array): string {
  let ascii = true
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false
      break
    }
  }
  if (ascii) {
    let s = ""
    for (let i = 0; i < bytes.length; i += 4096) {
      s += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[])
    }
    return s
  }
  try {
    return utf8.decode(bytes)
  } catch {
    return decodeCharset(bytes, "windows-1252")
  }
}

/** Whether `line` (without its line break) starts a header field: `name:` with a printable name. */
export function isFieldLine(line: Uint8Array): boolean {
  const len = line.length
  for (let i = 0; i < len; i++) {
    const b = line[i]!
    if (b === 0x3a) return i > 0
    // RFC 5322 §3.6.8 ftext is %d33-57 / %d59-126; a space before the colon is obs-syntax
    // (RFC 5322 §4.5.2) that old Sendmail wrote, so it is accepted after the name.
    if (b === 0x20 || b === 0x09) {
      let k = i
      while (k < len && (line[k] === 0x20 || line[k] === 0x09)) k++
      return i > 0 && line[k] === 0x3a
    }
    if (b < 0x21 || b > 0x7e) return false
  }
  return false
}

/**
 * Splits a header block (without its blank separator line) into fields. Lines may end
 * with CRLF or a bare LF.
 */
export function parseHeaderBlock(block: Uint8Array, onDefect?: DefectSink): HeaderField[] {
  const fields: HeaderField[] = []
  let current: Uint8Array[] = []
  const flush = () => {
    if (current.length === 0) return
    const field = toField(current)
    if (field !== null) fields.push(field)
    current = []
  }
  let at = 0
  const len = block.length
  while (at < len) {
    let nl = block.indexOf(0x0a, at)
    if (nl === -1) nl = len
    let end = nl
    if (end > at && block[end - 1] === 0x0d) end--
    const line = block.subarray(at, end)
    at = nl + 1
    if (line.length === 0) continue
    const first = line[0]!
    if (first === 0x20 || first === 0x09) {
      if (current.length > 0) current.push(line)
      else onDefect?.({ code: "INVALID_HEADER_LINE", message: "continuation line without a field" })
    } else if (isFieldLine(line)) {
      flush()
      current.push(line)
    } else {
      flush()
      onDefect?.({
        code: "INVALID_HEADER_LINE",
        message: "header line without a colon was skipped",
      })
    }
  }
  flush()
  return fields
}

function toField(lines: Uint8Array[]): HeaderField | null {
  let text = decodeHeaderBytes(lines[0]!)
  for (let i = 1; i < lines.length; i++) text += decodeHeaderBytes(lines[i]!)
  const colon = text.indexOf(":")
  if (colon <= 0) return null
  const name = text.slice(0, colon).trimEnd()
  const value = text.slice(colon + 1).replace(/^[ \t]+/, "")
  return { name, value }
}
