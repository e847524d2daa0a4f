/**
 * Content-Type and Content-Disposition values with their parameters (RFC 2045 §5.1,
 * RFC 2183 §2), including RFC 2231 continuations, charsets and languages, and the
 * formatting of parameters for the builder.
 *
 * Parsing is lenient where real mail needs it, and records a defect each time:
 * - unquoted values with spaces (`name=my file.pdf`; Outlook and many web forms);
 * - a missing `;` between parameters or after the type (`text/plain charset=utf-8`;
 *   old Lotus Notes and PHP scripts);
 * - duplicate parameters: the first one wins, so a parameter appended later (as a
 *   filter-evasion trick) cannot override it;
 * - RFC 2047 encoded-words inside quoted values (`filename="=?utf-8?B?…?="`; Outlook,
 *   Gmail and Apple Mail all write these);
 * - an unterminated quoted string (taken up to the end of the value).
 * It never throws. Nothing here reads raw bytes: values arrive as decoded header text.
 */
import { LocalProtocolError } from "@mailwire/wire"
import { decodeCharset } from "./charsets.js"
import type { DefectSink } from "./defects.js"
import { decodeEncodedWords } from "./encoded-words.js"

/** A header value of the form `value; name=value; …` (RFC 2045 §5.1, RFC 2183 §2). */
export interface StructuredValue {
  /** The part before the first `;`, lowercased and trimmed (`text/plain`, `attachment`). */
  readonly value: string
  /** Parameters by lowercased name, RFC 2231 sections joined and decoded. */
  readonly parameters: Readonly<Record<string, string>>
}

/** A parsed Content-Type (RFC 2045 §5.1). */
export interface ContentType extends StructuredValue {
  /** `type/subtype`, lowercased; `text/plain` when the header is missing or broken (RFC 2045 §5.2). */
  readonly mimeType: string
  readonly type: string
  readonly subtype: string
}

interface Section {
  readonly index: number
  readonly encoded: boolean
  readonly text: string
}

const TOKEN_CHAR = /[^\s()<>@,;:\\"/[\]?=]/

/** Parses a structured value such as a Content-Disposition (RFC 2183 §2). */
export function parseStructuredValue(input: string, onDefect?: DefectSink): StructuredValue {
  const text = input.replace(/\r?\n[ \t]/g, " ")
  let i = 0
  const len = text.length
  let semi = text.indexOf(";")
  if (semi === -1) semi = len
  let head = text.slice(0, semi).trim()
  // `text/plain charset=utf-8`: a parameter glued to the value without `;`.
  const glued = /^(\S+)\s+([^\s=]+\s*=)/.exec(head)
  if (glued !== null) {
    onDefect?.({ code: "INVALID_PARAMETER", message: `missing ";" after "${glued[1]}"` })
    i = text.indexOf(glued[2]!, glued[1]!.length)
    head = glued[1]!
  } else {
    i = semi + 1
  }
  const plain = new Map<string, string>()
  const sections = new Map<string, Sections>()
  // The next `=` and `;` at or after `i`, found again only once `i` has passed them:
  // re-searching from every parameter would be quadratic in a value with none left.
  let eq = -2
  let nextSemi = -2
  while (i < len) {
    while (i < len && (text[i] === " " || text[i] === "\t" || text[i] === ";")) i++
    if (i >= len) break
    if (eq !== -1 && eq < i) eq = text.indexOf("=", i)
    if (nextSemi !== -1 && nextSemi < i) nextSemi = text.indexOf(";", i)
    if (eq === -1 || (nextSemi !== -1 && nextSemi < eq)) {
      onDefect?.({ code: "INVALID_PARAMETER", message: "parameter without a value was skipped" })
      i = nextSemi === -1 ? len : nextSemi + 1
      continue
    }
    const name = text.slice(i, eq).trim().toLowerCase()
    i = eq + 1
    while (i < len && (text[i] === " " || text[i] === "\t")) i++
    let value: string
    let quoted = false
    if (text[i] === '"') {
      quoted = true
      let out = ""
      i++
      while (i < len && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < len) i++
        out += text[i]
        i++
      }
      if (i >= len) {
        onDefect?.({ code: "INVALID_PARAMETER", message: `unterminated quoted value for ${name}` })
      }
      i++
      value = out
      while (i < len && text[i] !== ";" && !startsParameter(text, i)) i++
    } else {
      const start = i
      while (i < len && text[i] !== ";") {
        if ((text[i] === " " || text[i] === "\t") && startsParameter(text, i)) break
        i++
      }
      value = text.slice(start, i).trim()
      if (/\s/.test(value)) {
        onDefect?.({ code: "INVALID_PARAMETER", message: `unquoted value with spaces for ${name}` })
      }
    }
    if (i < len && text[i] !== ";") {
      onDefect?.({
        code: "INVALID_PARAMETER",
        message: `missing ";" before "${text.slice(i, i + 20).trim()}"`,
      })
    }
    if (name === "" || !TOKEN_CHAR.test(name[0]!)) continue
    const star = /^([^*]+)\*(?:(\d+)(\*)?|)$/.exec(name)
    if (star?.[0].endsWith("*") && star[2] === undefined) {
      addSection(sections, star[1]!, { index: 0, encoded: true, text: value }, onDefect)
    } else if (star !== null && star[2] !== undefined) {
      const index = Number(star[2])
      addSection(sections, star[1]!, { index, encoded: star[3] === "*", text: value }, onDefect)
    } else if (plain.has(name)) {
      onDefect?.({
        code: "DUPLICATE_PARAMETER",
        message: `duplicate parameter ${name}; the first was kept`,
      })
    } else {
      plain.set(name, quoted || value.includes("=?") ? decodeEncodedWords(value, onDefect) : value)
    }
  }
  const parameters: Record<string, string> = Object.create(null)
  for (const [name, value] of plain) parameters[name] = value
  // RFC 2231 §3: the sectioned form is the precise one; it wins over a plain fallback.
  for (const [name, list] of sections) {
    parameters[name] = joinSections([...list.byIndex.values()], onDefect)
  }
  return { value: head.toLowerCase(), parameters }
}

function startsParameter(text: string, i: number): boolean {
  return /^[ \t]+[A-Za-z0-9_.*-]+[ \t]*=/.test(text.slice(i, i + 80))
}

/**
 * The sections of one RFC 2231 parameter by index: a map, so that a value with
 * `name*0` … `name*99999` is read in linear time (checking each new section against a
 * list of the earlier ones was quadratic).
 */
interface Sections {
  readonly byIndex: Map<number, Section>
}

function addSection(
  sections: Map<string, Sections>,
  name: string,
  section: Section,
  onDefect: DefectSink | undefined,
): void {
  let list = sections.get(name)
  if (list === undefined) {
    list = { byIndex: new Map() }
    sections.set(name, list)
  }
  if (list.byIndex.has(section.index)) {
    onDefect?.({
      code: "DUPLICATE_PARAMETER",
      message: `duplicate section ${name}*${section.index}`,
    })
    return
  }
  list.byIndex.set(section.index, section)
}

/** Joins RFC 2231 §3–4 sections: bytes of encoded sections are decoded together. */
function joinSections(list: Section[], onDefect: DefectSink | undefined): string {
  list.sort((a, b) => a.index - b.index)
  let charset = "utf-8"
  const bytes: number[] = []
  const first = list[0]!
  for (const section of list) {
    let text = section.text
    if (section.encoded && section === first) {
      const parts = /^([^']*)'([^']*)'([\s\S]*)$/.exec(text)
      if (parts !== null) {
        if (parts[1] !== "") charset = parts[1]!
        text = parts[3]!
      }
    }
    if (section.encoded) {
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i)
        if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
          bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16))
          i += 2
        } else {
          pushUtf8(bytes, text[i]!)
        }
      }
    } else {
      for (const ch of text) pushUtf8(bytes, ch)
    }
  }
  return decodeCharset(Uint8Array.from(bytes), charset, onDefect)
}

const encoder = new TextEncoder()

function pushUtf8(out: number[], ch: string): void {
  const c = ch.charCodeAt(0)
  if (c < 0x80) out.push(c)
  else for (const b of encoder.encode(ch)) out.push(b)
}

/** Parses a Content-Type value; a missing or broken one means `text/plain` (RFC 2045 §5.2). */
export function parseContentType(input: string | undefined, onDefect?: DefectSink): ContentType {
  const parsed = parseStructuredValue(input ?? "", onDefect)
  const match = /^([a-z0-9!#$%&'*+.^_`{|}~-]+)\/([a-z0-9!#$%&'*+.^_`{|}~-]+)/.exec(parsed.value)
  if (match === null) {
    if (input !== undefined && input.trim() !== "") {
      onDefect?.({ code: "INVALID_PARAMETER", message: `invalid content type "${parsed.value}"` })
    }
    const parameters =
      input === undefined
        ? Object.assign(Object.create(null), { charset: "us-ascii" })
        : parsed.parameters
    return {
      value: "text/plain",
      mimeType: "text/plain",
      type: "text",
      subtype: "plain",
      parameters,
    }
  }
  return {
    value: parsed.value,
    mimeType: `${match[1]}/${match[2]}`,
    type: match[1]!,
    subtype: match[2]!,
    parameters: parsed.parameters,
  }
}

/** Longest parameter section the builder writes, so folded lines stay under 78 (RFC 5322 §2.1.1). */
const PARAMETER_SECTION_LENGTH = 60

/**
 * Formats one parameter as `name=value` segments: a token as it is, other short ASCII
 * quoted, and non-ASCII or long values as RFC 2231 sections in UTF-8 (one segment per
 * section). CR, LF and NUL can never reach the header: they are percent-encoded.
 */
export function formatParameter(name: string, value: string): string[] {
  if (!/^[A-Za-z0-9!#$&^_.+-]+$/.test(name)) {
    throw new LocalProtocolError(
      "INVALID_PARAMETER",
      `parameter name ${JSON.stringify(name)} is not a token`,
    )
  }
  const isAscii = /^[\x20-\x7e]*$/.test(value)
  if (isAscii && value.length <= PARAMETER_SECTION_LENGTH) {
    if (value !== "" && /^[!#$%&'*+.^_`{|}~0-9A-Za-z-]+$/.test(value)) return [`${name}=${value}`]
    return [`${name}="${value.replace(/(["\\])/g, "\\$1")}"`]
  }
  const encoded: string[] = []
  for (const b of encoder.encode(value)) {
    const ch = String.fromCharCode(b)
    encoded.push(
      /[!#$&+.^_`|~0-9A-Za-z-]/.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
    )
  }
  const sections: string[] = []
  let current = "utf-8''"
  for (const piece of encoded) {
    if (current.length + piece.length > PARAMETER_SECTION_LENGTH) {
      sections.push(current)
      current = ""
    }
    current += piece
  }
  sections.push(current)
  if (sections.length === 1) return [`${name}*=${sections[0]}`]
  return sections.map((s, i) => `${name}*${i}*=${s}`)
}

/** Writes `value; a=1; b=2`, folding before each parameter when the line would pass 78 characters. */
export function formatStructuredValue(
  headerName: string,
  value: string,
  parameters: Readonly<Record<string, string>>,
): string {
  const segments: string[] = []
  for (const [name, v] of Object.entries(parameters)) segments.push(...formatParameter(name, v))
  let out = value
  let line = headerName.length + 2 + value.length
  for (const segment of segments) {
    if (line + 2 + segment.length > 78) {
      out += `;\r\n ${segment}`
      line = 1 + segment.length
    } else {
      out += `; ${segment}`
      line += 2 + segment.length
    }
  }
  return out
}
