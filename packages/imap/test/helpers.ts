/**
 * Test helpers: feed decoders in pieces and normalise their events, so that any split of
 * the input can be compared with any other.
 */
import type {
  CommandDecoder,
  CommandDecoderEvent,
  Response,
  ResponseDecoder,
  ResponseDecoderEvent,
} from "@mailwire/imap"

export const utf8 = new TextEncoder()
export const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
export const latin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes)

/** A literal's start event and all its bytes, merged. */
export interface MergedLiteral {
  readonly type: "literal"
  readonly index: number
  readonly size: number
  readonly item: string
  readonly seq: number | null
  readonly bytes: string
}

export type Normalised =
  | Exclude<
      ResponseDecoderEvent | CommandDecoderEvent,
      { type: "literal-start" | "literal-chunk" | "error" }
    >
  | MergedLiteral
  | {
      readonly type: "error"
      readonly code: string
      readonly isFatal: boolean
      readonly tag: string | null
    }

/** Splits `bytes` at sorted offsets. */
export function splitAt(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = []
  let last = 0
  for (const offset of [...offsets].sort((a, b) => a - b)) {
    if (offset <= last || offset >= bytes.length) continue
    out.push(bytes.slice(last, offset))
    last = offset
  }
  out.push(bytes.slice(last))
  return out
}

/** Every byte on its own. */
export function bytewise(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (b) => Uint8Array.of(b))
}

/** Feeds `chunks` and returns normalised events; command literal requests are accepted. */
export function feed(
  decoder: ResponseDecoder | CommandDecoder,
  chunks: readonly Uint8Array[],
): Normalised[] {
  const out: Normalised[] = []
  let open: {
    start: Extract<ResponseDecoderEvent, { type: "literal-start" }>
    parts: string[]
  } | null = null
  const take = (events: readonly (ResponseDecoderEvent | CommandDecoderEvent)[]) => {
    for (const event of events) {
      if (event.type === "literal-start") open = { start: event, parts: [] }
      else if (event.type === "literal-chunk") {
        open!.parts.push(latin1(event.bytes))
        if (event.remaining === 0) {
          const s = open!.start
          out.push({
            type: "literal",
            index: s.index,
            size: s.size,
            item: s.item,
            seq: s.seq,
            bytes: open!.parts.join(""),
          })
          open = null
        }
      } else if (event.type === "error") {
        out.push({ type: "error", code: event.error.code, isFatal: event.isFatal, tag: event.tag })
      } else {
        out.push(event)
        if (event.type === "literal-request") take((decoder as CommandDecoder).acceptLiteral())
      }
    }
  }
  for (const chunk of chunks) take(decoder.receive(chunk))
  return out
}

/** Replaces streamed placeholders in FETCH responses by the streamed bytes. */
export function withLiterals<T>(value: T, literals: readonly string[]): T {
  return JSON.parse(JSON.stringify(value, replacer), (_key, v) => {
    if (v && typeof v === "object" && v.kind === "streamed")
      return Uint8Array.from(literals[v.index]!, (c) => c.charCodeAt(0))
    if (v && typeof v === "object" && "__bytes" in v) return Uint8Array.from(v.__bytes as number[])
    if (v && typeof v === "object" && "__bigint" in v) return BigInt(v.__bigint as string)
    if (v && typeof v === "object" && "__date" in v) return new Date(v.__date as string)
    return v
  }) as T
}

function replacer(this: Record<string, unknown>, key: string, v: unknown): unknown {
  const raw = this[key]
  if (raw instanceof Uint8Array) return { __bytes: Array.from(raw) }
  if (typeof raw === "bigint") return { __bigint: raw.toString() }
  if (raw instanceof Date) return { __date: raw.toISOString() }
  return v
}

/** The responses among events, with each one's streamed literals put back. */
export function responsesOf(events: readonly Normalised[]): Response[] {
  const out: Response[] = []
  let literals: string[] = []
  for (const event of events) {
    if (event.type === "literal") literals.push(event.bytes)
    else if (event.type === "response") {
      out.push(withLiterals(event.response, literals))
      literals = []
    }
  }
  return out
}
