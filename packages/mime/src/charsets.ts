/**
 * Charsets (RFC 2045 §5.1, RFC 2046 §4.1.2, RFC 2978): turning the bytes of a text
 * part or an encoded-word into a string.
 *
 * Every charset the platform `TextDecoder` knows is supported (in Node with full ICU:
 * the iso-8859 family, windows-125x, koi8, gb18030, big5, shift_jis, euc-kr,
 * iso-2022-jp…), plus UTF-7, plus an alias table for the names real mail uses and the
 * WHATWG list lacks. A charset nothing recognises is decoded as windows-1252, the
 * superset of Latin-1 that mislabelled Western mail almost always is, with a defect.
 * Nothing here encodes: mailwire writes only UTF-8.
 */
import type { DefectSink } from "./defects.js"
import { decodeUtf7 } from "./utf7.js"

/**
 * Charset names seen in real mail that the WHATWG Encoding Standard does not list,
 * mapped to the label `TextDecoder` understands. Sources: mailparser's and postal-mime's
 * issue trackers, Python's `email.charset` aliases, and Thunderbird's charset menu.
 */
const ALIASES: Readonly<Record<string, string>> = {
  utf8: "utf-8",
  "utf-8-sig": "utf-8",
  unicode: "utf-16le",
  latin1: "iso-8859-1",
  latin2: "iso-8859-2",
  latin3: "iso-8859-3",
  latin4: "iso-8859-4",
  latin5: "windows-1254",
  latin6: "iso-8859-10",
  latin7: "iso-8859-13",
  latin8: "iso-8859-14",
  latin9: "iso-8859-15",
  latin10: "iso-8859-16",
  cp1250: "windows-1250",
  cp1251: "windows-1251",
  cp1252: "windows-1252",
  cp1253: "windows-1253",
  cp1254: "windows-1254",
  cp1255: "windows-1255",
  cp1256: "windows-1256",
  cp1257: "windows-1257",
  cp1258: "windows-1258",
  cp850: "windows-1252",
  cp437: "windows-1252",
  cp932: "shift_jis",
  ms932: "shift_jis",
  "windows-31j": "shift_jis",
  "x-sjis": "shift_jis",
  sjis: "shift_jis",
  "shift-jis": "shift_jis",
  cp936: "gbk",
  "x-gbk": "gbk",
  gb2312: "gbk",
  "x-gb2312": "gbk",
  "euc-cn": "gbk",
  cp949: "euc-kr",
  uhc: "euc-kr",
  "ks_c_5601-1987": "euc-kr",
  ks_c_5601: "euc-kr",
  "x-euc-kr": "euc-kr",
  cp950: "big5",
  "big5-hkscs": "big5",
  "x-x-big5": "big5",
  "iso-2022-jp-2": "iso-2022-jp",
  "x-euc-jp": "euc-jp",
  eucjp: "euc-jp",
  "x-mac-roman": "macintosh",
  macroman: "macintosh",
  "x-mac-cyrillic": "x-mac-cyrillic",
  "koi8-ru": "koi8-u",
  "tis-620": "windows-874",
  "iso-8859-8-i": "iso-8859-8-i",
  ascii: "windows-1252",
  "us-ascii": "windows-1252",
  "ansi_x3.4-1968": "windows-1252",
  "x-unknown": "windows-1252",
  "x-user-defined": "windows-1252",
  "utf-16": "utf-16le",
  ucs2: "utf-16le",
  "ucs-2": "utf-16le",
}

const UTF7_NAMES = new Set(["utf-7", "utf7", "unicode-1-1-utf-7", "x-unicode-2-0-utf-7"])

/** The part of the platform `TextDecoder` used here (typed locally: no DOM lib needed). */
interface Decoder {
  readonly encoding: string
  decode(input?: Uint8Array, options?: { stream?: boolean }): string
}

const decoders = new Map<string, Decoder | null>()

/** The charset name `TextDecoder` would accept for `charset`, or `undefined`. */
export function resolveCharset(charset: string): string | undefined {
  const name = charset.trim().toLowerCase()
  if (UTF7_NAMES.has(name)) return "utf-7"
  const decoder = lookup(ALIASES[name] ?? name)
  return decoder === null ? undefined : decoder.encoding
}

function lookup(label: string): Decoder | null {
  let decoder = decoders.get(label)
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(label)
      if (decoder.encoding === "windows-1252") decoder = windows1252
    } catch {
      decoder = null
    }
    // Unbounded names come from the network; only remember the ones that resolve.
    if (decoder !== null) decoders.set(label, decoder)
  }
  return decoder
}

/**
 * Decodes `bytes` in `charset` (any case, any alias). Invalid sequences become U+FFFD.
 * An unknown charset is decoded as windows-1252 and reported through `onDefect`.
 */
export function decodeCharset(bytes: Uint8Array, charset: string, onDefect?: DefectSink): string {
  const name = charset.trim().toLowerCase()
  if (name === "" || name === "utf-8") return utf8.decode(bytes)
  if (UTF7_NAMES.has(name)) return decodeUtf7(bytes)
  const decoder = lookup(ALIASES[name] ?? name)
  if (decoder !== null) {
    // The WHATWG "replacement" label covers iso-2022-kr and friends, which would turn
    // the whole text into one U+FFFD; fall back like an unknown charset instead.
    if (decoder.encoding !== "replacement") return decoder.decode(bytes)
  }
  onDefect?.({
    code: "UNKNOWN_CHARSET",
    message: `unknown charset "${charset}"; decoded as windows-1252`,
  })
  return windows1252.decode(bytes)
}

/**
 * A streaming text decoder for one part: `update()` keeps an incomplete multi-byte
 * sequence for the next chunk. UTF-7 is collected and decoded at `end()`.
 */
export class CharsetDecoder {
  private readonly decoder: Decoder | null
  private readonly utf7: Uint8Array[] | null

  constructor(charset: string, onDefect?: DefectSink) {
    const name = charset.trim().toLowerCase()
    if (UTF7_NAMES.has(name)) {
      this.decoder = null
      this.utf7 = []
      return
    }
    this.utf7 = null
    const found = name === "" ? utf8Label() : lookup(ALIASES[name] ?? name)
    if (found !== null && found.encoding === "windows-1252") {
      this.decoder = windows1252
    } else if (found !== null && found.encoding !== "replacement") {
      this.decoder = new TextDecoder(found.encoding)
    } else {
      onDefect?.({
        code: "UNKNOWN_CHARSET",
        message: `unknown charset "${charset}"; decoded as windows-1252`,
      })
      this.decoder = windows1252
    }
  }

  /** Decodes the next chunk of the text. */
  update(chunk: Uint8Array): string {
    if (this.utf7 !== null) {
      this.utf7.push(chunk.slice())
      return ""
    }
    return this.decoder!.decode(chunk, { stream: true })
  }

  /** Flushes what is left. */
  end(): string {
    if (this.utf7 !== null) {
      let size = 0
      for (const c of this.utf7) size += c.length
      const all = new Uint8Array(size)
      let at = 0
      for (const c of this.utf7) {
        all.set(c, at)
        at += c.length
      }
      return decodeUtf7(all)
    }
    return this.decoder!.decode()
  }
}

const utf8 = new TextDecoder("utf-8")

/**
 * windows-1252 (WHATWG Encoding §9), decoded here rather than by the platform: Node 20's
 * `TextDecoder("windows-1252")` takes a Latin-1 fast path and turns 0x80–0x9F into C1
 * controls instead of `€`, `‚`, `“`… (nodejs/node#56542).
 */
const WINDOWS_1252_HIGH =
  "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f" +
  "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178"

class Windows1252Decoder implements Decoder {
  readonly encoding = "windows-1252"

  decode(input?: Uint8Array): string {
    if (input === undefined) return ""
    let out = ""
    let run = 0
    for (let i = 0; i < input.length; i++) {
      const b = input[i]!
      if (b >= 0x80 && b < 0xa0) {
        out += latin1(input.subarray(run, i)) + WINDOWS_1252_HIGH[b - 0x80]
        run = i + 1
      }
    }
    return out + latin1(input.subarray(run))
  }
}

function latin1(bytes: Uint8Array): string {
  let s = ""
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[])
  }
  return s
}

const windows1252 = new Windows1252Decoder()

function utf8Label(): Decoder {
  return utf8
}
