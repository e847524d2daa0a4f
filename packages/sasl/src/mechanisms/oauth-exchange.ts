/**
 * The exchange XOAUTH2 and OAUTHBEARER (RFC 7628 §3.2) share: the client sends one
 * message holding the bearer token; the server asks the application to check the token;
 * on refusal the server sends a JSON error challenge (see `oauth-error.ts`), the client
 * answers it with a dummy response, and the server reports failure. The mechanisms differ
 * only in how the message is written and read, the dummy response and the error's fields.
 * Returned arrays are fresh and owned by the caller.
 */
import { SaslError } from "../errors.js"
import { ServerExchange } from "../server-exchange.js"
import type { SaslClient, SaslClientStep, SaslServerStep, VerificationAnswer } from "../types.js"
import { formatOAuthError, type OAuthError, parseOAuthError } from "./oauth-error.js"

type OAuthMechanism = "XOAUTH2" | "OAUTHBEARER"

/** A client that sends `message` first and `refusalResponse` in answer to an error challenge. */
export abstract class OAuthClientExchange implements SaslClient {
  abstract readonly mechanism: OAuthMechanism
  private state: "initial" | "sent" | "refused" = "initial"

  protected constructor(
    private readonly message: Uint8Array,
    private readonly refusalResponse: Uint8Array,
  ) {}

  initialResponse(): Uint8Array {
    this.state = "sent"
    return this.message.slice()
  }

  step(challenge: Uint8Array): SaslClientStep {
    if (this.state === "initial") return { response: this.initialResponse() }
    if (this.state === "sent" && parseOAuthError(challenge) !== null) {
      this.state = "refused"
      return { response: this.refusalResponse.slice() }
    }
    return {
      error: new SaslError("UNEXPECTED_CHALLENGE", `${this.mechanism} has nothing more to send`),
    }
  }

  success(): { done: true } {
    return { done: true }
  }
}

/** What a mechanism read from the client's message: the user it names and the token. */
export interface BearerMessage {
  readonly username: string
  readonly token: string
}

/** A server: read the message, ask for a `token` verification, challenge with an error on refusal. */
export abstract class OAuthServerExchange extends ServerExchange {
  abstract override readonly mechanism: OAuthMechanism
  private username = ""
  private refused = false

  constructor(protected readonly scope: string | undefined) {
    super()
  }

  /** The user and token in the client's message, or the failure step for a malformed one. */
  protected abstract readMessage(response: Uint8Array): BearerMessage | SaslServerStep

  /** The error challenge sent when the application refuses the token. */
  protected abstract refusal(): OAuthError

  protected onStart(initialResponse: Uint8Array | null): SaslServerStep {
    return initialResponse === null
      ? this.challenge(new Uint8Array(0))
      : this.onResponse(initialResponse)
  }

  protected onResponse(response: Uint8Array): SaslServerStep {
    if (this.refused) return this.fail("invalid-credentials", "the access token was refused")
    const message = this.readMessage(response)
    if ("type" in message) return message
    this.username = message.username
    return this.verify({
      kind: "token",
      mechanism: this.mechanism,
      username: message.username,
      token: message.token,
      authzid: null,
    })
  }

  protected onAnswer(answer: VerificationAnswer): SaslServerStep {
    if (answer === true) return this.succeed(this.username, null)
    this.refused = true
    return this.challenge(formatOAuthError(this.refusal()))
  }
}
