/**
 * uuencode blocks inside text parts (POSIX `uuencode`, historical; no RFC). Old
 * mailers (Outlook Express, Pegasus, some Usenet gateways) put attachments into the
 * body of a plain-text part as `begin 644 name` … `end`. `extractUuencoded` finds such
 * blocks in decoded text, decodes them, and returns the text without them.
 *
 * Only complete blocks are taken: a `begin` line without its `end` stays text. The
 * returned arrays are new.
 */

/** A file found in a uuencode block. */
export interface UuencodedFile {
  readonly filename: string
  /** The octal permission bits from the `begin` line. */
  readonly mode: number
  readonly content: Uint8Array
}

const BEGIN = /^begin ([0-7]{3,4}) ([^\r\n]+)\r?\n/gm
const END = /^end[ \t]*(?:\r?\n|$(?![\s\S]))/gm

/**
 * Finds complete uuencode blocks in `text`; returns the text without them and the files.
 * A block runs from a `begin` line to the first `end` line after it. Linear time: once
 * no `end` line follows some `begin`, none follows a later one, so the search stops
 * there instead of rescanning the rest of the text from every `begin`.
 */
export function extractUuencoded(text: string): { text: string; files: UuencodedFile[] } {
  if (!text.includes("begin ")) return { text, files: [] }
  const files: UuencodedFile[] = []
  let rest = ""
  let at = 0
  BEGIN.lastIndex = 0
  for (let begin = BEGIN.exec(text); begin !== null; begin = BEGIN.exec(text)) {
    END.lastIndex = begin.index + begin[0].length
    const end = END.exec(text)
    if (end === null) break
    files.push({
      filename: begin[2]!.trim(),
      mode: Number.parseInt(begin[1]!, 8),
      content: decodeUuBody(text.slice(begin.index + begin[0].length, end.index)),
    })
    rest += text.slice(at, begin.index)
    at = end.index + end[0].length
    BEGIN.lastIndex = at
  }
  return { text: rest + text.slice(at), files }
}

/** Decodes the lines between `begin` and `end`. Each line starts with its length character. */
export function decodeUuBody(body: string): Uint8Array {
  const out: number[] = []
  for (const raw of body.split(/\r?\n/)) {
    if (raw.length === 0) continue
    const count = (raw.charCodeAt(0) - 32) & 63
    if (count === 0) continue
    let produced = 0
    for (let i = 1; produced < count && i < raw.length; i += 4) {
      const c = [0, 1, 2, 3].map((k) => ((raw.charCodeAt(i + k) || 32) - 32) & 63)
      const bytes = [
        (c[0]! << 2) | (c[1]! >> 4),
        ((c[1]! & 15) << 4) | (c[2]! >> 2),
        ((c[2]! & 3) << 6) | c[3]!,
      ]
      for (const b of bytes) {
        if (produced < count) out.push(b & 0xff)
        produced++
      }
    }
  }
  return Uint8Array.from(out)
}
