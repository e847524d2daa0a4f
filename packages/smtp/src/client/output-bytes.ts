/**
 * Bytes the client machine writes for every message (the envelope's command lines, a body
 * kept until the server is ready for it), cut from shared blocks instead of allocated one
 * array each. A `Uint8Array` longer than 64 bytes gets its own backing store, which costs
 * more than filling it (a few hundred nanoseconds each); a block is allocated once per
 * 16 KiB of output, the way Node's `Buffer` pool does it.
 *
 * Who owns the bytes: each piece handed out is a view of its own region of a block, never
 * written again, so it stays valid for as long as anybody holds it. A block is dropped
 * (and collected once its views are) when it is full; nothing is ever reused.
 */
import { encodeUtf8 } from "@mailwire/wire"

/** 16 KiB: a block serves the envelopes and small bodies of many messages. */
const BLOCK_SIZE = 16 * 1024
/** Longer pieces get their own array: a quarter block, so a block holds at least four. */
const MAX_PIECE = BLOCK_SIZE / 4
/** Most UTF-8 bytes one UTF-16 code unit takes (a surrogate pair: 4 bytes for 2 units). */
const MAX_UTF8_BYTES_PER_UNIT = 3

const utf8Encoder = new TextEncoder()

let block = new Uint8Array(BLOCK_SIZE)
let used = 0

/** Makes sure the current block has `length` bytes left, starting a new one when not. */
function makeRoom(length: number): void {
  if (used + length <= BLOCK_SIZE) return
  block = new Uint8Array(BLOCK_SIZE)
  used = 0
}

/**
 * `text` as UTF-8 bytes, encoded straight into a block (`encodeInto`, no array of its
 * own); text that could take more than {@link MAX_PIECE} bytes gets its own array.
 */
export function encodeOutput(text: string): Uint8Array {
  const room = text.length * MAX_UTF8_BYTES_PER_UNIT
  if (room > MAX_PIECE) return encodeUtf8(text)
  makeRoom(room)
  const start = used
  const { written } = utf8Encoder.encodeInto(text, block.subarray(start, start + room))
  used = start + written
  return block.subarray(start, used)
}

/** A copy of `bytes` the caller may change or reuse afterwards without affecting it. */
export function copyOutput(bytes: Uint8Array): Uint8Array {
  const length = bytes.length
  if (length > MAX_PIECE) return bytes.slice()
  makeRoom(length)
  const start = used
  block.set(bytes, start)
  used = start + length
  return block.subarray(start, used)
}
