/**
 * CRAM-MD5 (RFC 2195): the server sends a unique challenge `<digits.time@hostname>`, the
 * client answers `username SP hex(HMAC-MD5(password, challenge))`.
 *
 * The password never crosses the wire, but the server must know it (`kind: "secret"`
 * asks the application for it) and MD5 is weak: prefer SCRAM, which needs neither.
 * Kept because old clients and servers still offer nothing better than CRAM-MD5 and PLAIN.
 * The digest is compared in constant time. The challenge's timestamp comes from the `now`
 * option, its random part from the `random` option. Returned arrays are fresh and owned
 * by the caller.
 */
import { hmac } from "@noble/hashes/hmac.js"
import { md5 } from "@noble/hashes/legacy.js"
import { SaslError } from "../errors.js"
import { defaultRandom, type RandomSource } from "../random.js"
import { ServerExchange } from "../server-exchange.js"
import { timingSafeEqual } from "../timing-safe-equal.js"
import type {
  SaslClient,
  SaslClientStep,
  SaslCredentials,
  SaslServerStep,
  VerificationAnswer,
} from "../types.js"
import { decodeUtf8Strict, utf8 } from "../utf8.js"

/** Digits of randomness in the challenge: 16, about 53 bits, next to the timestamp. */
export const CRAM_MD5_CHALLENGE_DIGITS = 16

const HEX = "0123456789abcdef"

function toHex(bytes: Uint8Array): string {
  let out = ""
  for (const byte of bytes) out += HEX[byte >> 4]! + HEX[byte & 15]!
  return out
}

/** The RFC 2195 §2 digest: lowercase hex of HMAC-MD5 keyed with the password. */
export function cramMd5Digest(password: string, challenge: Uint8Array): string {
  return toHex(hmac(md5, utf8(password), challenge))
}

/** A CRAM-MD5 client: waits for the challenge, answers once. */
export class CramMd5Client implements SaslClient {
  readonly mechanism = "CRAM-MD5" as const
  private readonly username: string
  private readonly password: string
  private answered = false

  constructor(credentials: SaslCredentials) {
    const { username, password } = credentials
    if (username === undefined || password === undefined) {
      throw new SaslError("MISSING_CREDENTIALS", "CRAM-MD5 needs a username and a password")
    }
    this.username = username
    this.password = password
  }

  initialResponse(): null {
    return null
  }

  step(challenge: Uint8Array): SaslClientStep {
    if (this.answered) {
      return { error: new SaslError("UNEXPECTED_CHALLENGE", "CRAM-MD5 has nothing more to send") }
    }
    if (challenge.length === 0) {
      return { error: new SaslError("MALFORMED_CHALLENGE", "CRAM-MD5 challenge is empty") }
    }
    this.answered = true
    return { response: utf8(`${this.username} ${cramMd5Digest(this.password, challenge)}`) }
  }

  success(): { done: true } | { error: SaslError } {
    if (!this.answered) {
      return {
        error: new SaslError("MUTUAL_AUTH_INCOMPLETE", "CRAM-MD5 success before any challenge"),
      }
    }
    return { done: true }
  }
}

/** Options of {@link CramMd5Server}. */
export interface CramMd5ServerOptions {
  readonly random?: RandomSource
  readonly hostname?: string
  readonly now?: () => number
}

/** A CRAM-MD5 server: challenge, then a `secret` lookup, then the digest check. */
export class CramMd5Server extends ServerExchange {
  readonly mechanism = "CRAM-MD5" as const
  private readonly options: CramMd5ServerOptions
  private challengeBytes: Uint8Array = new Uint8Array(0)
  private username = ""
  private digest = ""

  constructor(options: CramMd5ServerOptions = {}) {
    super()
    this.options = options
  }

  protected onStart(initialResponse: Uint8Array | null): SaslServerStep {
    if (initialResponse !== null) {
      return this.fail("malformed", "CRAM-MD5 does not take an initial response")
    }
    const random = (this.options.random ?? defaultRandom)(CRAM_MD5_CHALLENGE_DIGITS)
    let digits = ""
    for (const byte of random) digits += String(byte % 10)
    const time = Math.floor((this.options.now ?? Date.now)())
    this.challengeBytes = utf8(`<${digits}.${time}@${this.options.hostname ?? "localhost"}>`)
    return this.challenge(this.challengeBytes.slice())
  }

  protected onResponse(response: Uint8Array): SaslServerStep {
    const text = decodeUtf8Strict(response)
    const space = text === null ? -1 : text.lastIndexOf(" ")
    const username = text?.slice(0, space) ?? ""
    const digest = text?.slice(space + 1) ?? ""
    if (space <= 0 || !/^[0-9a-f]{32}$/.test(digest)) {
      return this.fail("malformed", "CRAM-MD5 response must be `username digest`")
    }
    this.username = username
    this.digest = digest
    return this.verify({ kind: "secret", mechanism: "CRAM-MD5", username })
  }

  protected onAnswer(answer: VerificationAnswer): SaslServerStep {
    if (answer === null) return this.fail("invalid-credentials", "authentication failed")
    const { password } = answer as { password: string }
    const expected = utf8(cramMd5Digest(password, this.challengeBytes))
    return timingSafeEqual(expected, utf8(this.digest))
      ? this.succeed(this.username, null)
      : this.fail("invalid-credentials", "authentication failed")
  }
}
