/**
 * The AUTHORIZATION state's logins (RFC 1939 §7 `USER`/`PASS` and `APOP`, RFC 5034
 * `AUTH`): which are offered, what the application must check, and the SASL exchange
 * line by line. It turns each step into an {@link LoginOutcome} that the connection
 * writes or emits; it never writes bytes itself.
 *
 * Policy: `USER`/`PASS`, PLAIN, LOGIN and the bearer-token mechanisms (XOAUTH2,
 * OAUTHBEARER) are offered only under TLS unless plaintext is allowed (RFC 2595 §2.1,
 * RFC 7628 §5, DESIGN §4.3). Secrets handed over for APOP are compared by
 * digest in constant time.
 */
import {
  createSaslServer,
  decodeSaslResponse,
  encodeBase64,
  SASL_MECHANISMS,
  type SaslMechanismName,
  type SaslServer,
  type SaslServerStep,
  SCRAM_MIN_SECRET_LENGTH,
  sendsSecretInClear,
  timingSafeEqual,
  type VerificationAnswer,
} from "@mailwire/sasl"
import { encodeUtf8, LocalProtocolError } from "@mailwire/wire"
import { apopDigest } from "../apop.js"
import { formatCapabilities, type Pop3Capabilities } from "../capabilities.js"
import { toHex } from "../md5.js"
import type { Pop3LoginMethod, Pop3VerificationRequest } from "./events.js"
import { DEFAULT_MAX_FAILED_LOGINS, defaultRandom, type Pop3ServerOptions } from "./options.js"

/** What the connection does next for a login step. */
export type LoginOutcome =
  | {
      readonly type: "reply"
      readonly ok: boolean
      readonly code: string | null
      readonly text: string
    }
  | { readonly type: "challenge"; readonly line: string }
  | {
      readonly type: "verify"
      readonly method: Pop3LoginMethod
      readonly request: Pop3VerificationRequest
    }
  | {
      readonly type: "success"
      readonly method: Pop3LoginMethod
      readonly mechanism: SaslMechanismName | null
      readonly username: string
      readonly authzid: string | null
    }
  | {
      readonly type: "failure"
      readonly text: string
      /** Wrong credentials, as opposed to a refused or malformed attempt: counts toward the limit. */
      readonly counted: boolean
    }
  | { readonly type: "mechanisms"; readonly names: readonly string[] }

const FAILED = "Authentication failed"
const PLAINTEXT_REFUSED = "Plaintext authentication disallowed without TLS"

export class LoginFlow {
  private username: string | null = null
  private sasl: SaslServer | null = null
  private pending: {
    method: Pop3LoginMethod
    request: Pop3VerificationRequest
    digest?: string
  } | null = null
  private failures = 0
  private readonly hostname: string
  private readonly random: (length: number) => Uint8Array
  /** The APOP timestamp of the greeting (RFC 1939 §7), or `null` when APOP is not offered. */
  readonly timestamp: string | null

  constructor(private readonly options: Pop3ServerOptions) {
    this.hostname = options.hostname ?? "localhost"
    if (!/^[\x21-\x3b\x3d\x3f-\x7e]+$/.test(this.hostname)) {
      throw new LocalProtocolError(
        "INVALID_ARGUMENT",
        "hostname must be ASCII without <, > or space",
      )
    }
    const secret = options.scramUnknownUserSecret
    if (secret !== undefined && secret.length < SCRAM_MIN_SECRET_LENGTH) {
      throw new RangeError(
        `scramUnknownUserSecret needs at least ${SCRAM_MIN_SECRET_LENGTH} bytes, not ${secret.length}`,
      )
    }
    this.random = options.random ?? defaultRandom
    const stamp = options.apop === true ? toHex(this.random(12)) : null
    this.timestamp = stamp === null ? null : `<${stamp}@${this.hostname}>`
  }

  /** The capabilities `CAPA` lists (RFC 2449 §5), which change with the state and TLS. */
  capabilities(isAuthorization: boolean, isSecure: boolean): Pop3Capabilities {
    const o = this.options
    const lines: string[] = []
    const caps: Pop3Capabilities = {
      top: true,
      uidl: true,
      user: isAuthorization && this.offersUser(isSecure),
      sasl: isAuthorization ? this.mechanisms(isSecure) : null,
      respCodes: true,
      authRespCode: true,
      pipelining: true,
      expire: o.expire ?? null,
      loginDelay: o.loginDelay ?? null,
      stls: isAuthorization && o.tls === true && !isSecure,
      utf8: o.utf8 === true ? { user: false } : null,
      implementation: o.implementation ?? null,
      lines,
    }
    lines.push(...formatCapabilities(caps))
    return caps
  }

  /** Failed logins so far (wrong credentials only). */
  get failedLogins(): number {
    return this.failures
  }

  /**
   * The `-ERR` for a failed login, counting wrong credentials, and whether the limit of
   * failures is reached so the connection must close (DESIGN §4.7).
   */
  failureReply(outcome: LoginOutcome & { type: "failure" }): {
    text: string
    code: string | null
    close: boolean
  } {
    const code = outcome.counted || outcome.text === PLAINTEXT_REFUSED ? "AUTH" : null
    if (!outcome.counted) return { text: outcome.text, code, close: false }
    this.failures++
    const close = this.failures >= (this.options.maxFailedLogins ?? DEFAULT_MAX_FAILED_LOGINS)
    return {
      text: close ? `${outcome.text}; too many failures, closing` : outcome.text,
      code,
      close,
    }
  }

  /** A SASL exchange is waiting for the client's next line. */
  get isExchanging(): boolean {
    return this.sasl !== null && this.pending === null
  }

  /** Whether plaintext logins are offered on a channel that is (or is not) secure. */
  allowsPlaintext(isSecure: boolean): boolean {
    return isSecure || this.options.allowPlaintextAuth === true
  }

  /** `USER` is listed in CAPA (RFC 2449 §6.2). */
  offersUser(isSecure: boolean): boolean {
    return this.options.user !== false && this.allowsPlaintext(isSecure)
  }

  /** The SASL mechanisms listed in CAPA and accepted by AUTH (RFC 5034 §3). */
  mechanisms(isSecure: boolean): SaslMechanismName[] {
    return (this.options.saslMechanisms ?? ["PLAIN"]).filter(
      (name) => this.allowsPlaintext(isSecure) || !sendsSecretInClear(name),
    )
  }

  /** Any command other than PASS forgets the name given by USER (RFC 1939 §7). */
  forgetUser(): void {
    this.username = null
  }

  user(args: readonly string[], isSecure: boolean): LoginOutcome {
    if (!this.offersUser(isSecure))
      return refuse(this.options.user !== false ? PLAINTEXT_REFUSED : "USER not supported")
    const name = args.join(" ")
    if (name.length === 0)
      return { type: "reply", ok: false, code: null, text: "USER needs a name" }
    this.username = name
    return { type: "reply", ok: true, code: null, text: "Send PASS" }
  }

  pass(rest: string, isSecure: boolean): LoginOutcome {
    const username = this.username
    this.username = null
    if (!this.offersUser(isSecure)) return refuse(PLAINTEXT_REFUSED)
    if (username === null) return { type: "reply", ok: false, code: null, text: "USER first" }
    const request = {
      kind: "password",
      mechanism: "USER",
      username,
      password: rest,
      authzid: null,
    } as const
    this.pending = { method: "USER", request }
    return { type: "verify", method: "USER", request }
  }

  apop(args: readonly string[]): LoginOutcome {
    if (this.timestamp === null)
      return { type: "reply", ok: false, code: null, text: "APOP not supported" }
    const [username, digest] = args
    if (
      username === undefined ||
      digest === undefined ||
      args.length !== 2 ||
      !/^[0-9a-fA-F]{32}$/.test(digest)
    ) {
      return { type: "reply", ok: false, code: null, text: "APOP needs a name and an MD5 digest" }
    }
    const request = { kind: "secret", mechanism: "APOP", username } as const
    this.pending = { method: "APOP", request, digest: digest.toLowerCase() }
    return { type: "verify", method: "APOP", request }
  }

  auth(args: readonly string[], isSecure: boolean): LoginOutcome {
    const offered = this.mechanisms(isSecure)
    if (args.length === 0) return { type: "mechanisms", names: offered }
    const name = args[0]!.toUpperCase()
    const mechanism = offered.find((m) => m === name)
    if (mechanism === undefined || args.length > 2) {
      const known = (SASL_MECHANISMS as readonly string[]).includes(name)
      return refuse(known && sendsSecretInClear(name) ? PLAINTEXT_REFUSED : "Unsupported mechanism")
    }
    let initial: Uint8Array | null = null
    if (args[1] !== undefined) {
      const decoded = decodeSaslResponse(args[1])
      if (decoded.type !== "response") return refuse("Invalid initial response")
      initial = decoded.bytes
    }
    const secret = this.options.scramUnknownUserSecret
    this.sasl = createSaslServer(mechanism, {
      random: this.random,
      hostname: this.hostname,
      ...(secret === undefined ? {} : { scramUnknownUserSecret: secret }),
    })
    return this.saslStep(this.sasl.start(initial))
  }

  /** The client's line during an AUTH exchange: base64, or `*` to cancel (RFC 5034 §4). */
  saslLine(line: string): LoginOutcome {
    const sasl = this.sasl!
    const decoded = decodeSaslResponse(line)
    if (decoded.type === "cancel") return this.saslStep(sasl.cancel())
    if (decoded.type === "invalid") {
      this.sasl = null
      return refuse("Invalid base64 in SASL response")
    }
    return this.saslStep(sasl.step(decoded.bytes))
  }

  /** The application's answer to the pending `verify`. */
  answer(answer: VerificationAnswer): LoginOutcome {
    const pending = this.pending
    if (pending === null) {
      throw new LocalProtocolError("INVALID_STATE", "no login is waiting for an answer")
    }
    if (pending.method === "AUTH") {
      let step: SaslServerStep
      try {
        step = this.sasl!.answer(answer)
      } catch (error) {
        if (error instanceof LocalProtocolError) throw error
        const message = error instanceof Error ? error.message : String(error)
        throw new LocalProtocolError("INVALID_ARGUMENT", message, { cause: error })
      }
      this.pending = null
      return this.saslStep(step)
    }
    const request = pending.request
    if (request.kind === "password") {
      if (typeof answer !== "boolean") {
        throw new LocalProtocolError(
          "INVALID_ARGUMENT",
          "a USER/PASS login is answered with a boolean",
        )
      }
      this.pending = null
      return answer ? success("USER", null, request.username, null) : refuse(FAILED, true)
    }
    if (answer !== null && (typeof answer !== "object" || !("password" in answer))) {
      throw new LocalProtocolError(
        "INVALID_ARGUMENT",
        "an APOP login is answered with { password } or null",
      )
    }
    this.pending = null
    if (answer === null || request.kind !== "secret") return refuse(FAILED, true)
    const expected = encodeUtf8(apopDigest(this.timestamp!, answer.password))
    const matches = timingSafeEqual(expected, encodeUtf8(pending.digest!))
    return matches ? success("APOP", null, request.username, null) : refuse(FAILED, true)
  }

  /** The application rejected the pending login outright. */
  reject(): void {
    this.pending = null
    this.sasl = null
  }

  private saslStep(step: SaslServerStep): LoginOutcome {
    switch (step.type) {
      case "challenge":
        return { type: "challenge", line: `+ ${encodeBase64(step.challenge)}` }
      case "verify":
        this.pending = { method: "AUTH", request: step.request }
        return { type: "verify", method: "AUTH", request: step.request }
      case "success": {
        const mechanism = this.sasl!.mechanism
        this.sasl = null
        return success("AUTH", mechanism, step.username, step.authzid)
      }
      case "failure":
        this.sasl = null
        return step.reason === "cancelled"
          ? refuse("Authentication cancelled")
          : refuse(FAILED, step.reason === "invalid-credentials")
    }
  }
}

function refuse(text: string, counted = false): LoginOutcome {
  return { type: "failure", text, counted }
}

function success(
  method: Pop3LoginMethod,
  mechanism: SaslMechanismName | null,
  username: string,
  authzid: string | null,
): LoginOutcome {
  return { type: "success", method, mechanism, username, authzid }
}
