/**
 * Test support: the byte-at-a-time reference for a body that needs no dot-stuffing, what
 * `DotEncoder.encodeClean` and a POP3 store's `isClean` promise.
 */
import { CR, DOT, LF } from "@mailwire/wire"

/** No bare CR or LF and no line (the first one included) beginning with `.`. */
export function isCleanBody(body: Uint8Array): boolean {
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!
    if (byte === CR && body[i + 1] !== LF) return false
    if (byte === LF && body[i - 1] !== CR) return false
    if (byte === DOT && (i === 0 || body[i - 1] === LF)) return false
  }
  return true
}
