/**
 * The state every server mechanism shares: one exchange, started once, that waits either
 * for the client's next response or for the application's answer to a verification
 * request, and ends in success or failure (RFC 4422 §3.3–§3.6).
 *
 * This is where "a server never throws on what the peer sends" is enforced: a step out of
 * order, a step after the end, or an exception inside a mechanism's parser all become
 * `{ type: "failure" }`. What the application gets wrong (answering when nothing is
 * pending, or with the wrong kind of value) throws a {@link SaslError} `INVALID_ANSWER`,
 * because that is a bug in the caller, not something a client can trigger.
 */
import { SaslError } from "./errors.js"
import type { SaslMechanismName } from "./mechanism-names.js"
import { SCRAM_KEY_LENGTH } from "./scram-credentials.js"
import type {
  SaslServer,
  SaslServerStep,
  ScramCredentials,
  VerificationAnswer,
  VerificationRequest,
} from "./types.js"

type Phase = "initial" | "awaiting-response" | "awaiting-answer" | "finished"
type FailureReason = Extract<SaslServerStep, { type: "failure" }>["reason"]

/** Whether a value is usable {@link ScramCredentials}: the right types and key lengths. */
export function isScramCredentials(value: unknown): value is ScramCredentials {
  if (typeof value !== "object" || value === null) return false
  const c = value as Partial<ScramCredentials>
  return (
    (c.algorithm === "SHA-1" || c.algorithm === "SHA-256") &&
    c.salt instanceof Uint8Array &&
    c.storedKey instanceof Uint8Array &&
    c.serverKey instanceof Uint8Array &&
    c.salt.length > 0 &&
    c.storedKey.length === SCRAM_KEY_LENGTH[c.algorithm] &&
    c.serverKey.length === SCRAM_KEY_LENGTH[c.algorithm] &&
    Number.isSafeInteger(c.iterations) &&
    c.iterations! >= 1
  )
}

function answerFits(request: VerificationRequest, answer: VerificationAnswer): boolean {
  switch (request.kind) {
    case "secret":
      return (
        answer === null ||
        (typeof answer === "object" &&
          typeof (answer as { password?: unknown }).password === "string")
      )
    case "scram":
      return (
        answer === null ||
        (isScramCredentials(answer) &&
          answer.algorithm === (request.mechanism === "SCRAM-SHA-1" ? "SHA-1" : "SHA-256"))
      )
    default:
      return typeof answer === "boolean"
  }
}

/** The base of every server mechanism; subclasses implement the three `on…` hooks. */
export abstract class ServerExchange implements SaslServer {
  abstract readonly mechanism: SaslMechanismName
  private phase: Phase = "initial"
  private pending: VerificationRequest | null = null

  start(initialResponse: Uint8Array | null): SaslServerStep {
    if (this.phase !== "initial") return this.fail("malformed", "the exchange was already started")
    this.phase = "awaiting-response"
    return this.guard(() => this.onStart(initialResponse))
  }

  step(response: Uint8Array): SaslServerStep {
    if (this.phase !== "awaiting-response") {
      return this.fail("malformed", "no response was expected at this point of the exchange")
    }
    return this.guard(() => this.onResponse(response))
  }

  answer(answer: VerificationAnswer): SaslServerStep {
    const request = this.pending
    if (this.phase !== "awaiting-answer" || request === null) {
      throw new SaslError("INVALID_ANSWER", "answer() called with no verification pending")
    }
    if (!answerFits(request, answer)) {
      throw new SaslError(
        "INVALID_ANSWER",
        `the answer to a "${request.kind}" verification of ${request.mechanism} has the wrong type`,
      )
    }
    this.pending = null
    this.phase = "awaiting-response"
    return this.guard(() => this.onAnswer(answer))
  }

  cancel(): SaslServerStep {
    return this.fail("cancelled", "the client cancelled the exchange")
  }

  /** The exchange begins; `initialResponse` is null when the client sent none. */
  protected abstract onStart(initialResponse: Uint8Array | null): SaslServerStep
  /** The client answered the last challenge. */
  protected abstract onResponse(response: Uint8Array): SaslServerStep
  /** The application answered the pending request; the answer's type already fits its kind. */
  protected abstract onAnswer(answer: VerificationAnswer): SaslServerStep

  protected challenge(challenge: Uint8Array): SaslServerStep {
    this.phase = "awaiting-response"
    return { type: "challenge", challenge }
  }

  protected verify(request: VerificationRequest): SaslServerStep {
    this.phase = "awaiting-answer"
    this.pending = request
    return { type: "verify", request }
  }

  protected succeed(username: string, authzid: string | null): SaslServerStep {
    this.phase = "finished"
    return { type: "success", username, authzid }
  }

  protected fail(reason: FailureReason, message: string): SaslServerStep {
    this.phase = "finished"
    this.pending = null
    return { type: "failure", reason, message }
  }

  private guard(run: () => SaslServerStep): SaslServerStep {
    try {
      return run()
    } catch (error) {
      if (error instanceof SaslError && error.code === "INVALID_ANSWER") throw error
      return this.fail("malformed", error instanceof Error ? error.message : String(error))
    }
  }
}
