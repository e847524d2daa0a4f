/**
 * A parsed header block (RFC 5322 §2.2, §3.6): its fields in their original order with
 * their raw bytes, looked up by name without regard to case, and written back
 * byte-identical.
 *
 * It does not edit fields or interpret their values; pass a field's `value` to
 * `parseAddressList`, `parseDate` or `parseMessageIds` for that.
 *
 * Bytes: `parseHeaders` copies what it keeps, so the list never aliases the caller's
 * input and `toBytes()` returns a new array each time.
 */
import { concatBytes } from "@mailwire/wire"
import type { Defect } from "./defect.js"
import type { HeaderField } from "./header-field.js"
import { HeaderParser, type HeaderParserOptions } from "./header-parser.js"

/** How a {@link HeaderList} was cut out of its message (RFC 5322 §2.1); used by {@link parseHeaders}. */
export interface HeaderListInit {
  /** Block-level defects (lines without a colon, the size limit). */
  defects?: readonly Defect[]
  /** The byte offset at which the body starts; defaults to the end of the block. */
  bodyOffset?: number
  /**
   * The original bytes of the block (at least up to `bodyOffset`). When given,
   * `toBytes()` keeps the bytes between fields (skipped lines, the blank line) exactly;
   * without it, fields are written back to back and followed by CRLF.
   */
  source?: Uint8Array
}

const CRLF = new Uint8Array([0x0d, 0x0a])

/**
 * The fields of one header block (RFC 5322 §3.6), in order.
 *
 * @example
 * ```ts
 * const headers = parseHeaders(new TextEncoder().encode("To: a@example.test\r\n\r\nHi"))
 * headers.get("to")?.value      // "a@example.test"
 * headers.bodyOffset            // 22
 * ```
 */
export class HeaderList implements Iterable<HeaderField> {
  /** Every field, in the order it appeared. */
  readonly fields: readonly HeaderField[]
  /** Block-level problems; each field carries its own in `field.defects`. */
  readonly defects: readonly Defect[]
  /** The byte offset of the body: just past the blank line, or the input length if none. */
  readonly bodyOffset: number
  readonly #byName = new Map<string, HeaderField[]>()
  readonly #pieces: readonly Uint8Array[]

  constructor(fields: readonly HeaderField[], init: HeaderListInit = {}) {
    this.fields = Object.freeze([...fields])
    this.defects = Object.freeze([...(init.defects ?? [])])
    for (const field of this.fields) {
      const key = field.name.toLowerCase()
      const list = this.#byName.get(key)
      if (list === undefined) this.#byName.set(key, [field])
      else list.push(field)
    }
    const lastEnd = fields.reduce((end, f) => Math.max(end, f.offset + f.raw.length), 0)
    this.bodyOffset = init.bodyOffset ?? init.source?.length ?? lastEnd + CRLF.length
    this.#pieces = piecesOf(this.fields, this.bodyOffset, init.source)
  }

  /** The first field called `name` (any case), or `undefined`. */
  get(name: string): HeaderField | undefined {
    return this.#byName.get(name.toLowerCase())?.[0]
  }

  /** Every field called `name` (any case), in order; empty when there is none. */
  getAll(name: string): HeaderField[] {
    return [...(this.#byName.get(name.toLowerCase()) ?? [])]
  }

  /** Whether a field called `name` (any case) is present. */
  has(name: string): boolean {
    return this.#byName.has(name.toLowerCase())
  }

  /** The block as bytes: byte-identical to the input of {@link parseHeaders}. */
  toBytes(): Uint8Array {
    return concatBytes(this.#pieces)
  }

  [Symbol.iterator](): Iterator<HeaderField> {
    return this.fields[Symbol.iterator]()
  }
}

function piecesOf(
  fields: readonly HeaderField[],
  bodyOffset: number,
  source: Uint8Array | undefined,
): Uint8Array[] {
  if (source === undefined) return [...fields.map((f) => f.raw), CRLF]
  const pieces: Uint8Array[] = []
  let at = 0
  for (const field of fields) {
    if (field.offset > at) pieces.push(source.slice(at, field.offset))
    pieces.push(field.raw)
    at = field.offset + field.raw.length
  }
  if (bodyOffset > at) pieces.push(source.slice(at, bodyOffset))
  return pieces
}

/**
 * Parses the header block at the start of `bytes` (RFC 5322 §2.1, §2.2) — CRLF or
 * LF-only — and says where the body starts.
 *
 * @example
 * ```ts
 * const message = new TextEncoder().encode("Subject: hi\nFrom: a@example.test\n\nbody")
 * const headers = parseHeaders(message)
 * headers.get("subject")?.value                 // "hi"
 * message.subarray(headers.bodyOffset)          // the body bytes
 * ```
 */
export function parseHeaders(bytes: Uint8Array, options: HeaderParserOptions = {}): HeaderList {
  const parser = new HeaderParser(options)
  const pushed = parser.push(bytes)
  const fields = pushed.complete ? pushed.fields : [...pushed.fields, ...parser.end().fields]
  const bodyOffset = pushed.complete ? parser.offset : bytes.length
  return new HeaderList(fields, { defects: parser.defects, bodyOffset, source: bytes })
}
