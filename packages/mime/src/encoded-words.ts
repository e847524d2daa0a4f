/**
 * RFC 2047 encoded-words (`=?charset?B|Q?text?=`) in header values: decoding in any
 * charset, and encoding as UTF-8 with whichever of B and Q is shorter.
 *
 * Decoding joins the bytes of adjacent words of the same charset (separated only by
 * whitespace, RFC 2047 §6.2) before the charset is decoded, so a multi-byte character
 * split across two words comes out whole (postal-mime #68: ISO-2022-JP and UTF-8
 * subjects from Japanese mailers). Base64 texts of adjacent words are decoded as one
 * run, which also repairs words split in the middle of a base64 quantum. It tolerates
 * what real mail carries: words glued to text without spaces (Outlook, PHP `mail()`),
 * words longer than 75 characters (many webmails), RFC 2231 language suffixes
 * (`=?utf-8*en?Q?…?=`) and spaces inside Q text. Decoding never throws.
 *
 * Encoding never splits a UTF-8 sequence across words and keeps each word at most 75
 * characters (RFC 2047 §2). Strings returned are new.
 */
import { encodeUtf8 } from "@mailwire/wire"
import { decodeBase64, encodeBase64 } from "./base64.js"
import { decodeCharset } from "./charsets.js"
import type { DefectSink } from "./defects.js"

/** Longest encoded-word written, as RFC 2047 §2 requires. */
export const ENCODED_WORD_MAX_LENGTH = 75

const WORD = /=\?([^?\s"]+)\?([BbQq])\?([^?]*)\?=/g

interface WordRun {
  start: number
  end: number
  readonly charset: string
  /** Decoded bytes so far, and base64 text not yet decoded (decoded as one run). */
  readonly bytes: Uint8Array[]
  base64: string
}

/**
 * Decodes every encoded-word in `value` (RFC 2047 §6). Text outside words is kept as
 * it is; whitespace between two adjacent words is removed (§6.2).
 */
export function decodeEncodedWords(value: string, onDefect?: DefectSink): string {
  if (!value.includes("=?")) return value
  const runs: WordRun[] = []
  WORD.lastIndex = 0
  for (let m = WORD.exec(value); m !== null; m = WORD.exec(value)) {
    const charset = m[1]!.split("*")[0]!.toLowerCase()
    const isBase64 = m[2] === "B" || m[2] === "b"
    const text = m[3]!
    const end = m.index + m[0].length
    const previous = runs[runs.length - 1]
    const adjacent =
      previous !== undefined && /^[ \t\r\n]*$/.test(value.slice(previous.end, m.index))
    let run: WordRun
    if (adjacent && previous.charset === charset) {
      run = previous
      run.end = end
    } else {
      run = { start: adjacent ? previous.end : m.index, end, charset, bytes: [], base64: "" }
      runs.push(run)
    }
    if (isBase64) {
      run.base64 += text.replace(/\s+/g, "")
    } else {
      flushBase64(run, onDefect)
      run.bytes.push(decodeQ(text))
    }
  }
  if (runs.length === 0) return value
  let out = ""
  let at = 0
  for (const run of runs) {
    flushBase64(run, onDefect)
    out += value.slice(at, run.start)
    out += decodeCharset(concat(run.bytes), run.charset, onDefect)
    at = run.end
  }
  return out + value.slice(at)
}

function flushBase64(run: WordRun, onDefect: DefectSink | undefined): void {
  if (run.base64 === "") return
  run.bytes.push(decodeBase64(run.base64, onDefect))
  run.base64 = ""
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!
  let size = 0
  for (const p of parts) size += p.length
  const out = new Uint8Array(size)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

function decodeQ(text: string): Uint8Array {
  const out = new Uint8Array(text.length)
  let o = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x5f) {
      out[o++] = 0x20
    } else if (c === 0x3d && isHex(text, i + 1) && isHex(text, i + 2)) {
      out[o++] = Number.parseInt(text.slice(i + 1, i + 3), 16)
      i += 2
    } else {
      out[o++] = c & 0xff
    }
  }
  return out.subarray(0, o)
}

function isHex(text: string, i: number): boolean {
  const c = text.charCodeAt(i)
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
}

/** Characters that may stand for themselves in a Q word anywhere (RFC 2047 §5 rule 3). */
function isQSafe(b: number): boolean {
  return (
    (b >= 0x30 && b <= 0x39) ||
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    b === 0x21 ||
    b === 0x2a ||
    b === 0x2b ||
    b === 0x2d ||
    b === 0x2f
  )
}

const B_PREFIX = "=?UTF-8?B?"
const Q_PREFIX = "=?UTF-8?Q?"
const HEX = "0123456789ABCDEF"

/** Whether `value` can go into a header as it is (printable ASCII, no encoded-word look-alike). */
export function isPlainHeaderText(value: string): boolean {
  return /^[\x20-\x7e\t]*$/.test(value) && !value.includes("=?")
}

/**
 * Encodes `value` for an unstructured header or a display name: the stretch from the
 * first to the last word that needs encoding becomes UTF-8 encoded-words (B or Q,
 * whichever is shorter), the plain words around it stay as they are.
 */
export function encodeEncodedWords(value: string): string {
  if (isPlainHeaderText(value)) return value
  // Split and trim at space and tab only: `\s` also takes U+00A0, U+2028, U+3000…,
  // which then stayed outside the words as raw 8-bit text in a 7-bit header.
  const tokens = value.split(/(?<=[ \t])(?=[^ \t])/)
  let first = tokens.length
  let last = -1
  tokens.forEach((token, i) => {
    if (!isPlainHeaderText(token)) {
      first = Math.min(first, i)
      last = i
    }
  })
  const head = tokens.slice(0, first).join("")
  const middle = tokens.slice(first, last + 1).join("")
  const tail = tokens.slice(last + 1).join("")
  // Trailing whitespace of the middle stays outside the words, where it separates.
  let end = middle.length
  while (end > 0 && (middle[end - 1] === " " || middle[end - 1] === "\t")) end--
  const trimmed = middle.slice(0, end)
  const after = middle.slice(trimmed.length) + tail
  return head + encodeWords(trimmed) + (after.length > 0 ? after : "")
}

/** Encodes all of `text` as a run of encoded-words separated by single spaces. */
export function encodeWords(text: string): string {
  const chars = Array.from(text).map((ch) => encodeUtf8(ch))
  let qLength = 0
  let bytes = 0
  for (const ch of chars) {
    bytes += ch.length
    for (const b of ch) qLength += isQSafe(b) || b === 0x20 ? 1 : 3
  }
  const useQ = qLength <= Math.ceil(bytes / 3) * 4
  const room = ENCODED_WORD_MAX_LENGTH - B_PREFIX.length - 2
  const words: string[] = []
  let current: number[] = []
  let currentLength = 0
  const flush = () => {
    if (current.length === 0) return
    const bytesOfWord = Uint8Array.from(current)
    words.push(useQ ? `${Q_PREFIX + qText(bytesOfWord)}?=` : `${B_PREFIX + bText(bytesOfWord)}?=`)
    current = []
    currentLength = 0
  }
  for (const ch of chars) {
    let width: number
    if (useQ) {
      width = 0
      for (const b of ch) width += isQSafe(b) || b === 0x20 ? 1 : 3
    } else {
      width = Math.ceil((current.length + ch.length) / 3) * 4 - currentLength
    }
    if (currentLength + width > room) flush()
    for (const b of ch) current.push(b)
    currentLength = useQ ? currentLength + width : Math.ceil(current.length / 3) * 4
  }
  flush()
  return words.join(" ")
}

function qText(bytes: Uint8Array): string {
  let s = ""
  for (const b of bytes) {
    if (b === 0x20) s += "_"
    else if (isQSafe(b)) s += String.fromCharCode(b)
    else s += `=${HEX[b >> 4]}${HEX[b & 15]}`
  }
  return s
}

function bText(bytes: Uint8Array): string {
  return encodeBase64(bytes, 0)
}
