/**
 * The SCRAM key derivation (RFC 5802 §3) and the stored form of SCRAM credentials, so a
 * server keeps only the salt, the iteration count, StoredKey and ServerKey and never the
 * password (RFC 5802 §5.1, RFC 5803).
 *
 *     SaltedPassword = Hi(Normalize(password), salt, i)      ; PBKDF2 with HMAC-H
 *     ClientKey      = HMAC(SaltedPassword, "Client Key")
 *     StoredKey      = H(ClientKey)
 *     ServerKey      = HMAC(SaltedPassword, "Server Key")
 *
 * Hashes come from `@noble/hashes` (pure, synchronous). The text form is RFC 5803 §3's
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, the form OpenLDAP and
 * PostgreSQL store. Returned arrays are fresh and owned by the caller.
 */
import { hmac } from "@noble/hashes/hmac.js"
import { sha1 } from "@noble/hashes/legacy.js"
import { pbkdf2 } from "@noble/hashes/pbkdf2.js"
import { sha256 } from "@noble/hashes/sha2.js"
import { decodeBase64, encodeBase64 } from "./base64.js"
import { defaultRandom } from "./random.js"
import { saslprep } from "./saslprep.js"
import type { ScramCredentials } from "./types.js"
import { utf8 } from "./utf8.js"

/** The hash of a SCRAM variant (RFC 5802 for SHA-1, RFC 7677 for SHA-256). */
export type ScramAlgorithm = ScramCredentials["algorithm"]

/**
 * Default PBKDF2 iteration count: 4096, the minimum RFC 7677 §4 asks servers to announce
 * and the value Dovecot and Cyrus use; raise it for new deployments that can afford it.
 */
export const DEFAULT_SCRAM_ITERATIONS = 4096

/** Default salt length: 16 bytes, 128 bits, the size RFC 5802's examples and Dovecot use. */
export const DEFAULT_SCRAM_SALT_LENGTH = 16

const HASHES = { "SHA-1": sha1, "SHA-256": sha256 } as const

/** The digest length of each algorithm, which StoredKey and ServerKey must have. */
export const SCRAM_KEY_LENGTH: Readonly<Record<ScramAlgorithm, number>> = {
  "SHA-1": 20,
  "SHA-256": 32,
}

/** H(data). */
export function scramHash(algorithm: ScramAlgorithm, data: Uint8Array): Uint8Array {
  return HASHES[algorithm](data)
}

/** HMAC-H(key, data). */
export function scramHmac(
  algorithm: ScramAlgorithm,
  key: Uint8Array,
  data: Uint8Array,
): Uint8Array {
  return hmac(HASHES[algorithm], key, data)
}

/** Hi(password, salt, i) of RFC 5802 §2.2, on an already prepared password. */
export function saltPassword(
  algorithm: ScramAlgorithm,
  preparedPassword: string,
  salt: Uint8Array,
  iterations: number,
): Uint8Array {
  return pbkdf2(HASHES[algorithm], utf8(preparedPassword), salt, {
    c: iterations,
    dkLen: SCRAM_KEY_LENGTH[algorithm],
  })
}

/** ClientKey and ServerKey from a SaltedPassword. */
export function scramKeys(
  algorithm: ScramAlgorithm,
  saltedPassword: Uint8Array,
): { clientKey: Uint8Array; serverKey: Uint8Array } {
  return {
    clientKey: scramHmac(algorithm, saltedPassword, utf8("Client Key")),
    serverKey: scramHmac(algorithm, saltedPassword, utf8("Server Key")),
  }
}

/** Options of {@link deriveScramCredentials}. */
export interface DeriveScramOptions {
  /** SHA-1 for SCRAM-SHA-1, SHA-256 for SCRAM-SHA-256. */
  algorithm: ScramAlgorithm
  /** PBKDF2 iterations; default {@link DEFAULT_SCRAM_ITERATIONS}. */
  iterations?: number
  /** A fixed salt; default {@link DEFAULT_SCRAM_SALT_LENGTH} random bytes. */
  salt?: Uint8Array
  /** Random bytes for the salt; default `crypto.getRandomValues`. */
  random?: (length: number) => Uint8Array
}

/**
 * Derives what a server stores for a SCRAM user (RFC 5802 §3). The password is prepared
 * with SASLprep first, as RFC 5802 §2.2 `Normalize()` asks; a password SASLprep rejects
 * throws a {@link SaslError}.
 *
 * @example
 * ```ts
 * const stored = deriveScramCredentials("pencil", { algorithm: "SHA-256" })
 * const line = formatScramCredentials(stored) // keep this, not the password
 * ```
 */
export function deriveScramCredentials(
  password: string,
  options: DeriveScramOptions,
): ScramCredentials {
  const { algorithm } = options
  const iterations = options.iterations ?? DEFAULT_SCRAM_ITERATIONS
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new RangeError("SCRAM iterations must be a positive integer")
  }
  const salt = (
    options.salt ?? (options.random ?? defaultRandom)(DEFAULT_SCRAM_SALT_LENGTH)
  ).slice()
  if (salt.length === 0) throw new RangeError("SCRAM salt must not be empty")
  const salted = saltPassword(algorithm, saslprep(password), salt, iterations)
  const { clientKey, serverKey } = scramKeys(algorithm, salted)
  return { algorithm, salt, iterations, storedKey: scramHash(algorithm, clientKey), serverKey }
}

/**
 * The one-line text form of SCRAM credentials (RFC 5803 §3):
 * `SCRAM-SHA-256$4096:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>`.
 */
export function formatScramCredentials(credentials: ScramCredentials): string {
  const { algorithm, iterations, salt, storedKey, serverKey } = credentials
  return `SCRAM-${algorithm}$${iterations}:${encodeBase64(salt)}$${encodeBase64(storedKey)}:${encodeBase64(serverKey)}`
}

const STORED_FORM = /^SCRAM-(SHA-1|SHA-256)\$([1-9][0-9]{0,9}):([^$:]+)\$([^$:]+):([^$:]+)$/

/**
 * Parses the text form of {@link formatScramCredentials} (RFC 5803 §3), or returns null
 * when it is malformed, the base64 is not canonical, or a key has the wrong length.
 */
export function parseScramCredentials(text: string): ScramCredentials | null {
  const match = STORED_FORM.exec(text.trim())
  if (match === null) return null
  const algorithm = match[1] as ScramAlgorithm
  const iterations = Number(match[2])
  const salt = decodeBase64(match[3]!)
  const storedKey = decodeBase64(match[4]!)
  const serverKey = decodeBase64(match[5]!)
  const length = SCRAM_KEY_LENGTH[algorithm]
  if (salt === null || salt.length === 0 || !Number.isSafeInteger(iterations)) return null
  if (storedKey?.length !== length || serverKey?.length !== length) return null
  return { algorithm, iterations, salt, storedKey, serverKey }
}
