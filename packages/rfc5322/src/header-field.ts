/**
 * Reading one header field from its raw bytes (RFC 5322 §2.2, §3.6.8, §4.5; RFC 6532
 * §3.2): the name, the unfolded value, and the defects found on the way.
 *
 * It does not split a block into fields (that is `header-parser.ts`) and does not
 * interpret values (addresses, dates and message ids have their own modules).
 *
 * The `raw` array of a returned field is owned by the caller: a copy (or a view of one)
 * that this package never writes to or reuses.
 */
import { decodeLatin1 } from "@mailwire/wire"
import { type Defect, defect } from "./defect.js"

/** A header field as read from a message (RFC 5322 §2.2, §3.6; RFC 6532 §3.2). */
export interface HeaderField {
  /** The field name as written (case kept), without the colon or the white space before it. */
  name: string
  /**
   * The unfolded value: line ends removed, leading and trailing white space trimmed.
   * 8-bit bytes are read as UTF-8 (RFC 6532); if they are not valid UTF-8 they are
   * read as latin-1 and an `INVALID_UTF8` defect is recorded.
   */
  value: string
  /** The field's bytes exactly as read, including its line ends. */
  raw: Uint8Array
  /** Where the field starts, in bytes from the start of the header block. */
  offset: number
  /** Problems found in this field. */
  defects: Defect[]
}

const COLON = 0x3a
const SP = 0x20
const HTAB = 0x09
const CR = 0x0d
const LF = 0x0a

const strictUtf8 = new TextDecoder("utf-8", { fatal: true })

/** One logical line (RFC 5322 §2.2) read: a field, or a line that is not one. */
export type ReadField = { type: "field"; field: HeaderField } | { type: "junk"; defect: Defect }

/**
 * Reads the field in `raw` (one logical line: a first line and its continuation lines,
 * with their line ends), which starts `offset` bytes into the header block.
 *
 * `ftext` is printable US-ASCII without colon (§3.6.8); white space between the name
 * and the colon is obs-optional syntax (§4.5), still written by some old mailers.
 */
export function readField(raw: Uint8Array, offset: number): ReadField {
  let colon = -1
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i]!
    if (byte === COLON) {
      colon = i
      break
    }
    if (byte === SP || byte === HTAB) continue
    if (byte < 0x21 || byte > 0x7e) break
  }
  let nameEnd = colon
  while (nameEnd > 0 && (raw[nameEnd - 1] === SP || raw[nameEnd - 1] === HTAB)) nameEnd--
  let nameIsValid = nameEnd > 0
  for (let i = 0; i < nameEnd && nameIsValid; i++) {
    const byte = raw[i]!
    if (byte < 0x21 || byte > 0x7e) nameIsValid = false
  }
  if (!nameIsValid) {
    return {
      type: "junk",
      defect: defect("MISSING_COLON", "a header line is not `name: value`; it was skipped", offset),
    }
  }
  const defects: Defect[] = []
  const name = latin1(raw, 0, nameEnd)
  const value = decodeValue(raw, colon + 1, offset, defects)
  return { type: "field", field: { name, value, raw, offset, defects } }
}

/**
 * The value: the bytes after the colon with every CR and LF removed (unfolding,
 * §2.2.3; a stray CR inside a line goes too, so no value can carry one), white space
 * trimmed, decoded as UTF-8 or, failing that, latin-1 (RFC 6532 §3.2). The latin-1
 * fallback is for mailers that predate RFC 6532 and put raw ISO-8859-1 or windows-1252
 * bytes in headers instead of encoded-words (old Eudora and Outlook Express versions,
 * many spam tools): read that way, no byte is lost and the defect says what happened.
 */
function decodeValue(raw: Uint8Array, from: number, offset: number, defects: Defect[]): string {
  let end = raw.length
  while (end > from && isSpace(raw[end - 1]!)) end--
  let start = from
  while (start < end && isSpace(raw[start]!)) start++
  let hasLineEnd = false
  let isAscii = true
  for (let i = start; i < end; i++) {
    const byte = raw[i]!
    if (byte === CR || byte === LF) hasLineEnd = true
    else if (byte > 0x7f) isAscii = false
  }
  if (!hasLineEnd && isAscii) return latin1(raw, start, end)
  let bytes = raw.subarray(start, end)
  if (hasLineEnd) {
    const out = new Uint8Array(end - start)
    let length = 0
    for (const byte of bytes) if (byte !== CR && byte !== LF) out[length++] = byte
    let first = 0
    while (first < length && (out[first] === SP || out[first] === HTAB)) first++
    bytes = out.subarray(first, length)
  }
  if (isAscii) return decodeLatin1(bytes)
  try {
    return strictUtf8.decode(bytes)
  } catch {
    defects.push(
      defect("INVALID_UTF8", "the value is not valid UTF-8; it was read as latin-1", offset),
    )
    return decodeLatin1(bytes)
  }
}

function isSpace(byte: number): boolean {
  return byte === SP || byte === HTAB || byte === CR || byte === LF
}

/** `bytes[start, end)` one character per byte; short runs without a subarray. */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  if (end - start > 64) return decodeLatin1(bytes.subarray(start, end))
  let out = ""
  for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i]!)
  return out
}
