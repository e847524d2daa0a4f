/**
 * SCRAM-SHA-1 (RFC 5802) and SCRAM-SHA-256 (RFC 7677), client and server, without
 * channel binding (the client sends `n,,`; the -PLUS variants are not offered).
 *
 *     C: n,,n=user,r=<client nonce>                        client-first (§5.1)
 *     S: r=<client nonce><server nonce>,s=<salt>,i=4096    server-first
 *     C: c=biws,r=<nonce>,p=<ClientProof>                  client-final
 *     S: v=<ServerSignature>                               server-final, a challenge
 *     C: (empty)                                           then the server reports success
 *
 * The client proves it knows the password without sending it, and checks the server's
 * signature before it calls the exchange done: `success()` without a verified `v=` is an
 * error (mutual authentication failed). The server asks the application for the stored
 * {@link ScramCredentials} (`kind: "scram"`) and never sees the password. An unknown user
 * (answer `null`) gets a made-up salt and the default iteration count and fails at the
 * proof, so the exchange does not tell whether the user exists. The made-up salt is an
 * HMAC of the username under a server secret (`scramUnknownUserSecret`, by default random
 * and made once per JavaScript realm), so two attempts for the same unknown user see the
 * same salt, as they would for a real one (RFC 5802 §9 warns that a random salt per
 * attempt reveals that the user does not exist).
 *
 * Nonces come from the injected random source. A server instance is one exchange, so a
 * replayed client-final never matches its fresh nonce. Returned arrays are fresh and owned
 * by the caller.
 */
import { decodeBase64, encodeBase64 } from "../base64.js"
import { SaslError } from "../errors.js"
import { escapeSaslname, formatGs2Header, parseGs2Header, unescapeSaslname } from "../gs2-header.js"
import { defaultRandom, printableNonce, type RandomSource } from "../random.js"
import { saslprep } from "../saslprep.js"
import {
  DEFAULT_SCRAM_ITERATIONS,
  DEFAULT_SCRAM_SALT_LENGTH,
  SCRAM_KEY_LENGTH,
  type ScramAlgorithm,
  saltPassword,
  scramHash,
  scramHmac,
  scramKeys,
} from "../scram-credentials.js"
import { ServerExchange } from "../server-exchange.js"
import { timingSafeEqual } from "../timing-safe-equal.js"
import type {
  SaslClient,
  SaslClientStep,
  SaslCredentials,
  SaslServerStep,
  ScramCredentials,
  VerificationAnswer,
} from "../types.js"
import { decodeUtf8Strict, utf8 } from "../utf8.js"

/** The SCRAM mechanisms this module implements. */
export type ScramMechanismName = "SCRAM-SHA-1" | "SCRAM-SHA-256"

/** Nonce length in characters: 24, as in RFC 5802 §5's example, about 156 bits. */
export const SCRAM_NONCE_LENGTH = 24

/**
 * The most PBKDF2 iterations a client accepts from a server: 1,000,000, above the 600,000
 * OWASP (2023) recommends for PBKDF2-SHA-256. That is the most a hostile server can make
 * a client compute: about 1.6 s (SHA-1) to 2 s (SHA-256) of pure-JS hashing, measured on
 * a 2-core machine.
 */
export const SCRAM_MAX_ITERATIONS = 1_000_000

/**
 * The fewest PBKDF2 iterations a client accepts from a server by default: 4,096. RFC 7677
 * §4 says the count "SHOULD be at least 4096" for SCRAM-SHA-256, and RFC 5802 §5.1 gives
 * 4096 as its example count for SCRAM-SHA-1, which Dovecot, Cyrus and PostgreSQL use as
 * their default. A lower count lets a hostile or downgraded server obtain a `SaltedPassword`
 * that is cheap to attack offline (with `i=1` one hash per guess).
 */
export const DEFAULT_MIN_SCRAM_ITERATIONS = 4096

/**
 * The smallest `scramUnknownUserSecret` accepted: 16 bytes (128 bits), as long as a salt,
 * so the made-up salts cannot be guessed or linked to another server's.
 */
export const SCRAM_MIN_SECRET_LENGTH = 16

let realmSecret: Uint8Array | null = null

/** The default secret for made-up salts: 32 random bytes, made once per realm on first use. */
function defaultUnknownUserSecret(): Uint8Array {
  realmSecret ??= defaultRandom(32)
  return realmSecret
}

/** The salt shown for an unknown user: HMAC-SHA-256(secret, algorithm, username), cut to size. */
function unknownUserSalt(secret: Uint8Array, algorithm: ScramAlgorithm, username: string) {
  const label = utf8(`mailwire SCRAM unknown-user salt\0${algorithm}\0${username}`)
  return scramHmac("SHA-256", secret, label).slice(0, DEFAULT_SCRAM_SALT_LENGTH)
}

function algorithmOf(mechanism: ScramMechanismName): ScramAlgorithm {
  return mechanism === "SCRAM-SHA-1" ? "SHA-1" : "SHA-256"
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!
  return out
}

/** `printable` of RFC 5802 §7: %x21-2B / %x2D-7E. */
const PRINTABLE = /^[\x21-\x2B\x2D-\x7E]+$/

/**
 * Splits `a=value,b=value` into ordered attributes, or null when one is not `x=value`
 * with a single-letter name (RFC 5802 §7 `attr-val`).
 */
function attributes(text: string): Array<[string, string]> | null {
  const out: Array<[string, string]> = []
  for (const part of text.split(",")) {
    if (!/^[A-Za-z]=/.test(part)) return null
    out.push([part[0]!, part.slice(2)])
  }
  return out
}

function clientError(code: SaslError["code"], message: string): { error: SaslError } {
  return { error: new SaslError(code, message) }
}

type ClientState = "initial" | "sent-first" | "sent-final" | "verified" | "failed"

/** A SCRAM client (RFC 5802 §5). */
export class ScramClient implements SaslClient {
  readonly mechanism: ScramMechanismName
  private readonly algorithm: ScramAlgorithm
  private readonly password: string
  private readonly gs2Header: string
  private readonly clientFirstBare: string
  private readonly clientNonce: string
  private serverSignature: Uint8Array | null = null
  private state: ClientState = "initial"

  private readonly minIterations: number

  constructor(
    mechanism: ScramMechanismName,
    credentials: SaslCredentials,
    random: RandomSource,
    minIterations = DEFAULT_MIN_SCRAM_ITERATIONS,
  ) {
    if (!Number.isInteger(minIterations) || minIterations < 1) {
      throw new RangeError(`minScramIterations must be a positive integer, not ${minIterations}`)
    }
    this.minIterations = minIterations
    const { username, password } = credentials
    if (username === undefined || password === undefined) {
      throw new SaslError("MISSING_CREDENTIALS", `${mechanism} needs a username and a password`)
    }
    this.mechanism = mechanism
    this.algorithm = algorithmOf(mechanism)
    this.password = saslprep(password)
    this.gs2Header = formatGs2Header(credentials.authzid)
    this.clientNonce = printableNonce(random(SCRAM_NONCE_LENGTH))
    this.clientFirstBare = `n=${escapeSaslname(saslprep(username))},r=${this.clientNonce}`
  }

  initialResponse(): Uint8Array {
    this.state = "sent-first"
    return utf8(this.gs2Header + this.clientFirstBare)
  }

  step(challenge: Uint8Array): SaslClientStep {
    switch (this.state) {
      case "initial":
        return { response: this.initialResponse() }
      case "sent-first":
        return this.serverFirst(challenge)
      case "sent-final":
        return this.serverFinal(challenge)
      default:
        return clientError("UNEXPECTED_CHALLENGE", `${this.mechanism} exchange is over`)
    }
  }

  success(): { done: true } | { error: SaslError } {
    if (this.state === "verified") return { done: true }
    return clientError(
      "MUTUAL_AUTH_INCOMPLETE",
      `${this.mechanism}: the server reported success without a verified server signature`,
    )
  }

  private fail(code: SaslError["code"], message: string): { error: SaslError } {
    this.state = "failed"
    return clientError(code, `${this.mechanism}: ${message}`)
  }

  private serverFirst(challenge: Uint8Array): SaslClientStep {
    const text = decodeUtf8Strict(challenge)
    if (text?.startsWith("e=")) return this.fail("SERVER_ERROR", `server error ${text.slice(2)}`)
    const attrs = text === null ? null : attributes(text)
    if (attrs === null || attrs.length < 3)
      return this.fail("MALFORMED_CHALLENGE", "bad server-first")
    const [[r, nonce], [s, saltText], [i, iterationText]] = attrs as [
      [string, string],
      [string, string],
      [string, string],
    ]
    if (r === "m") return this.fail("MALFORMED_CHALLENGE", "mandatory extension not supported")
    if (r !== "r" || s !== "s" || i !== "i") {
      return this.fail("MALFORMED_CHALLENGE", "server-first must be r=, s=, i=")
    }
    if (!nonce.startsWith(this.clientNonce) || nonce.length === this.clientNonce.length) {
      return this.fail("MALFORMED_CHALLENGE", "server nonce does not extend the client nonce")
    }
    if (!PRINTABLE.test(nonce)) return this.fail("MALFORMED_CHALLENGE", "nonce is not printable")
    const salt = decodeBase64(saltText)
    if (salt === null || salt.length === 0) return this.fail("MALFORMED_CHALLENGE", "bad salt")
    if (!/^[1-9][0-9]{0,9}$/.test(iterationText)) {
      return this.fail("MALFORMED_CHALLENGE", "bad iteration count")
    }
    const iterations = Number(iterationText)
    if (iterations > SCRAM_MAX_ITERATIONS) {
      return this.fail("MALFORMED_CHALLENGE", `iteration count over ${SCRAM_MAX_ITERATIONS}`)
    }
    if (iterations < this.minIterations) {
      return this.fail(
        "WEAK_ITERATION_COUNT",
        `the server asked for ${iterations} iterations, fewer than the ${this.minIterations} required (minScramIterations)`,
      )
    }
    const salted = saltPassword(this.algorithm, this.password, salt, iterations)
    const { clientKey, serverKey } = scramKeys(this.algorithm, salted)
    const withoutProof = `c=${encodeBase64(utf8(this.gs2Header))},r=${nonce}`
    const authMessage = utf8(`${this.clientFirstBare},${text},${withoutProof}`)
    const clientSignature = scramHmac(
      this.algorithm,
      scramHash(this.algorithm, clientKey),
      authMessage,
    )
    this.serverSignature = scramHmac(this.algorithm, serverKey, authMessage)
    this.state = "sent-final"
    const proof = encodeBase64(xor(clientKey, clientSignature))
    return { response: utf8(`${withoutProof},p=${proof}`) }
  }

  private serverFinal(challenge: Uint8Array): SaslClientStep {
    const text = decodeUtf8Strict(challenge) ?? ""
    if (text.startsWith("e=")) return this.fail("SERVER_ERROR", `server error ${text.slice(2)}`)
    const verifier = text.startsWith("v=") ? decodeBase64(text.slice(2).split(",")[0]!) : null
    if (verifier === null) return this.fail("MALFORMED_CHALLENGE", "bad server-final")
    if (!timingSafeEqual(verifier, this.serverSignature!)) {
      return this.fail("SERVER_SIGNATURE_MISMATCH", "the server's signature is wrong")
    }
    this.state = "verified"
    return { response: new Uint8Array(0) }
  }
}

type ServerState = "client-first" | "client-final" | "confirm"

/** A SCRAM server (RFC 5802 §5): asks for stored credentials, checks the proof, signs. */
export class ScramServer extends ServerExchange {
  readonly mechanism: ScramMechanismName
  private readonly algorithm: ScramAlgorithm
  private readonly random: RandomSource
  private state: ServerState = "client-first"
  private gs2Header = ""
  private clientFirstBare = ""
  private clientNonce = ""
  private serverFirst = ""
  private nonce = ""
  private username = ""
  private authzid: string | null = null
  private credentials: ScramCredentials | null = null
  private isKnownUser = false
  private readonly unknownUserSecret: Uint8Array | null

  constructor(
    mechanism: ScramMechanismName,
    random: RandomSource = defaultRandom,
    unknownUserSecret?: Uint8Array,
  ) {
    super()
    if (unknownUserSecret !== undefined && unknownUserSecret.length < SCRAM_MIN_SECRET_LENGTH) {
      throw new RangeError(
        `scramUnknownUserSecret needs at least ${SCRAM_MIN_SECRET_LENGTH} bytes, not ${unknownUserSecret.length}`,
      )
    }
    this.mechanism = mechanism
    this.algorithm = algorithmOf(mechanism)
    this.random = random
    this.unknownUserSecret = unknownUserSecret?.slice() ?? null
  }

  protected onStart(initialResponse: Uint8Array | null): SaslServerStep {
    return initialResponse === null
      ? this.challenge(new Uint8Array(0))
      : this.onResponse(initialResponse)
  }

  protected onResponse(response: Uint8Array): SaslServerStep {
    switch (this.state) {
      case "client-first":
        return this.onClientFirst(response)
      case "client-final":
        return this.onClientFinal(response)
      case "confirm":
        return response.length === 0
          ? this.succeed(this.username, this.authzid)
          : this.fail("malformed", "expected an empty response after the server signature")
    }
  }

  protected onAnswer(answer: VerificationAnswer): SaslServerStep {
    const known = answer as ScramCredentials | null
    const length = SCRAM_KEY_LENGTH[this.algorithm]
    this.isKnownUser = known !== null
    this.credentials = known ?? {
      algorithm: this.algorithm,
      salt: unknownUserSalt(
        this.unknownUserSecret ?? defaultUnknownUserSecret(),
        this.algorithm,
        this.username,
      ),
      iterations: DEFAULT_SCRAM_ITERATIONS,
      storedKey: this.random(length),
      serverKey: this.random(length),
    }
    const { salt, iterations } = this.credentials
    this.nonce = this.clientNonce + printableNonce(this.random(SCRAM_NONCE_LENGTH))
    this.serverFirst = `r=${this.nonce},s=${encodeBase64(salt)},i=${iterations}`
    this.state = "client-final"
    return this.challenge(utf8(this.serverFirst))
  }

  private onClientFirst(response: Uint8Array): SaslServerStep {
    const text = decodeUtf8Strict(response)
    const gs2 = text === null ? null : parseGs2Header(text)
    if (gs2 === null) return this.fail("malformed", `${this.mechanism}: bad GS2 header`)
    if (gs2.cbindFlag === "p") {
      return this.fail("unsupported", `${this.mechanism}: channel binding is not supported`)
    }
    const attrs = attributes(gs2.rest)
    if (attrs === null || attrs.length < 2) {
      return this.fail("malformed", `${this.mechanism}: bad client-first`)
    }
    const [[n, name], [r, nonce]] = attrs as [[string, string], [string, string]]
    if (n === "m") return this.fail("unsupported", `${this.mechanism}: mandatory extension`)
    const username = n === "n" ? unescapeSaslname(name) : null
    if (username === null || username === "" || r !== "r" || !PRINTABLE.test(nonce)) {
      return this.fail("malformed", `${this.mechanism}: bad client-first`)
    }
    this.gs2Header = gs2.raw
    this.clientFirstBare = gs2.rest
    this.clientNonce = nonce
    this.username = username
    this.authzid = gs2.authzid
    return this.verify({
      kind: "scram",
      mechanism: this.mechanism,
      username,
      authzid: gs2.authzid,
    })
  }

  private onClientFinal(response: Uint8Array): SaslServerStep {
    const text = decodeUtf8Strict(response)
    const proofAt = text === null ? -1 : text.lastIndexOf(",p=")
    const attrs = proofAt < 0 ? null : attributes(text!.slice(0, proofAt))
    if (attrs === null || attrs.length < 2) {
      return this.fail("malformed", `${this.mechanism}: bad client-final`)
    }
    const withoutProof = text!.slice(0, proofAt)
    const [[c, binding], [r, nonce]] = attrs as [[string, string], [string, string]]
    const bound = c === "c" ? decodeBase64(binding) : null
    if (bound === null || r !== "r") {
      return this.fail("malformed", `${this.mechanism}: bad client-final`)
    }
    if (!timingSafeEqual(bound, utf8(this.gs2Header))) {
      return this.fail("malformed", `${this.mechanism}: channel binding data does not match`)
    }
    if (nonce !== this.nonce) return this.fail("malformed", `${this.mechanism}: wrong nonce`)
    const proof = decodeBase64(text!.slice(proofAt + 3))
    const credentials = this.credentials
    if (proof === null || proof.length !== SCRAM_KEY_LENGTH[this.algorithm]) {
      return this.fail("malformed", `${this.mechanism}: bad proof`)
    }
    const authMessage = utf8(`${this.clientFirstBare},${this.serverFirst},${withoutProof}`)
    const { storedKey, serverKey } = credentials!
    const clientKey = xor(proof, scramHmac(this.algorithm, storedKey, authMessage))
    const matches = timingSafeEqual(scramHash(this.algorithm, clientKey), storedKey)
    if (!matches || !this.isKnownUser) {
      return this.fail("invalid-credentials", "authentication failed")
    }
    const signature = scramHmac(this.algorithm, serverKey, authMessage)
    this.state = "confirm"
    return this.challenge(utf8(`v=${encodeBase64(signature)}`))
  }
}
