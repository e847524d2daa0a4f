/**
 * Literal markers and the scan that decides whether a literal is streamed (RFC 9051 §4.3,
 * RFC 7888 `{n+}`, RFC 3516 `~{n}`): what `framer.ts` needs to know about a message
 * before it is parsed. Reads line bytes; keeps nothing.
 */

import { isQuoteEnd } from "./broken-quotes.js"

const SP = 0x20

/** A literal marker at the end of a line: `{n}`, `{n+}` (RFC 7888) or `~{n}` (RFC 3516). */
export interface Marker {
  readonly start: number
  readonly size: number
  readonly isBinary: boolean
  readonly isSynchronizing: boolean
}

/** Finds a literal marker that ends `line`, or `null`. */
export function findMarker(line: Uint8Array): Marker | null {
  let i = line.length - 1
  if (line[i] !== 0x7d) return null
  i--
  const last = line[i]
  const isSynchronizing = last !== 0x2b
  if (!isSynchronizing) i--
  let size = 0
  let scale = 1
  const digitsEnd = i
  while (i >= 0 && line[i]! >= 0x30 && line[i]! <= 0x39) {
    size += (line[i]! - 0x30) * scale
    scale *= 10
    i--
  }
  if (i === digitsEnd || line[i] !== 0x7b || digitsEnd - i > 16) return null
  const isBinary = i > 0 && line[i - 1] === 0x7e
  return { start: isBinary ? i - 1 : i, size, isBinary, isSynchronizing }
}

/** What the streaming decision needs to know about a message so far. */
export class Scan {
  depth = 0
  bracket = 0
  tokens = 0
  inQuote = false
  afterSpace = true
  tokenStart = 0
  lastDepth0Token = ""
  parenOwner = ""
  /** The text of the token before the marker in the last scanned segment. */
  lastToken = ""
  /** Quotes as the response decoder reads them (see `broken-quotes.ts`). */
  lenientQuotes = false

  reset(): void {
    this.depth = 0
    this.bracket = 0
    this.tokens = 0
    this.inQuote = false
    this.afterSpace = true
    this.tokenStart = 0
    this.lastDepth0Token = ""
    this.parenOwner = ""
    this.lastToken = ""
  }

  /** Scans `line[0, end)`; `end` is the marker's start. */
  run(line: Uint8Array, end: number): void {
    let lastTokenStart = -1
    this.tokenStart = 0
    for (let i = 0; i < end; i++) {
      const c = line[i]!
      if (this.inQuote) {
        if (c === 0x5c) i++
        else if (c === 0x22 && (!this.lenientQuotes || isQuoteEnd(line[i + 1])))
          this.inQuote = false
        continue
      }
      if (c === SP && this.bracket === 0) {
        if (!this.afterSpace && this.depth === 0) {
          this.lastDepth0Token = text(line, this.tokenStart, i)
        }
        this.afterSpace = true
        continue
      }
      if (this.afterSpace && this.bracket === 0) {
        if (this.depth === 0) this.tokens++
        this.tokenStart = i
        lastTokenStart = i
      }
      this.afterSpace = false
      if (c === 0x22) this.inQuote = true
      else if (c === 0x5b) this.bracket++
      else if (c === 0x5d && this.bracket > 0) this.bracket--
      else if (this.bracket === 0 && c === 0x28) {
        if (this.depth === 0) this.parenOwner = this.lastDepth0Token
        this.depth++
        this.afterSpace = true
      } else if (this.bracket === 0 && c === 0x29) this.depth--
    }
    let tokenEnd = end
    while (tokenEnd > 0 && line[tokenEnd - 1] === SP) tokenEnd--
    this.lastToken =
      lastTokenStart >= 0 && lastTokenStart < tokenEnd ? text(line, lastTokenStart, tokenEnd) : ""
    // The marker starts a token too.
    if (this.depth === 0) this.tokens++
    this.afterSpace = false
    this.tokenStart = end
  }
}

export function text(line: Uint8Array, start: number, end: number): string {
  let out = ""
  for (let i = start; i < end; i++) out += String.fromCharCode(line[i]!)
  return out
}
