/**
 * Constant-time comparison of secrets (passwords, HMAC digests, SCRAM keys and proofs,
 * bearer tokens), so that how long a comparison takes does not tell an attacker how many
 * leading bytes were right (RFC 5802 §9, RFC 4422 §6).
 *
 * The time depends only on the lengths, never on the contents; lengths are not secret for
 * the values compared here (digests have fixed sizes). Node's `crypto.timingSafeEqual` is
 * not used because the core runs without Node APIs.
 */

/** Whether `a` and `b` hold the same bytes, comparing every byte whatever the contents. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  const length = Math.max(a.length, b.length)
  let difference = a.length ^ b.length
  for (let i = 0; i < length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0)
  return difference === 0
}
