/**
 * The plaintext that arrives after `STLS` and before the TLS handshake (RFC 2595 §4): both
 * machines drop it unread, since processing it is the command injection of CVE-2011-0411,
 * and keep its first bytes so the adapter can log the attempt.
 *
 * What it does not do: interpret the bytes. Returned arrays are fresh copies.
 */
/**
 * 4,096 bytes of dropped plaintext are kept for logging: a few dozen injected command
 * lines, enough to see what was attempted. The rest is counted out and dropped, so a peer
 * (or an adapter that keeps reading during the handshake) cannot grow memory with it.
 */
export const MAX_DISCARDED_INPUT_KEPT = 4096

/** `kept` followed by as much of `chunk` as still fits under {@link MAX_DISCARDED_INPUT_KEPT}. */
export function keepDiscarded(kept: Uint8Array, chunk: Uint8Array): Uint8Array {
  const room = MAX_DISCARDED_INPUT_KEPT - kept.length
  if (room <= 0 || chunk.length === 0) return kept
  const taken = chunk.subarray(0, room)
  const out = new Uint8Array(kept.length + taken.length)
  out.set(kept)
  out.set(taken, kept.length)
  return out
}
