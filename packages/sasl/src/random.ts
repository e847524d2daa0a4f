/**
 * The default random source for nonces and challenges: the platform's
 * `crypto.getRandomValues` (Web Crypto, present in Node 20, Deno, Bun, browsers and
 * Workers). Every entry point takes a `random` option instead, so tests are deterministic
 * (DESIGN §2). Returned arrays are fresh and owned by the caller.
 */

/** A source of `length` random bytes. */
export type RandomSource = (length: number) => Uint8Array

/** `length` bytes from `crypto.getRandomValues`. */
export const defaultRandom: RandomSource = (length) =>
  crypto.getRandomValues(new Uint8Array(length))

/**
 * Printable characters for nonces: `%x21-2B / %x2D-7E` (RFC 5802 §7 `printable`, no ",").
 * Each random byte picks one, so a 24-character nonce carries about 156 bits.
 */
const NONCE_ALPHABET = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) =>
  String.fromCharCode(0x21 + i),
)
  .filter((c) => c !== ",")
  .join("")

/** Turns random bytes into a nonce of the same length, one printable character per byte. */
export function printableNonce(bytes: Uint8Array): string {
  let out = ""
  for (const byte of bytes) out += NONCE_ALPHABET[byte % NONCE_ALPHABET.length]!
  return out
}
