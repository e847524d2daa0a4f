/**
 * LOGIN (draft-murchison-sasl-login-00): the server asks `Username:`, then `Password:`,
 * and the client answers each with the bare value.
 *
 * Not an RFC mechanism, but Outlook, older Thunderbird and many embedded senders only
 * speak LOGIN, so servers offer it and clients fall back to it. The client answers the
 * challenges in order and ignores their text, because servers word them differently
 * (`Username:`, `User Name\0`). It sends no initial response, since servers disagree on
 * whether LOGIN may have one; the server accepts one as the username (the draft §2.1
 * allows it). The password travels in clear: only under TLS.
 * Returned arrays are fresh and owned by the caller.
 */
import { SaslError } from "../errors.js"
import { ServerExchange } from "../server-exchange.js"
import type {
  SaslClient,
  SaslClientStep,
  SaslCredentials,
  SaslServerStep,
  VerificationAnswer,
} from "../types.js"
import { decodeUtf8Strict, utf8 } from "../utf8.js"

/** The challenge texts the draft's §2.1 examples use. */
const USERNAME_PROMPT = utf8("Username:")
const PASSWORD_PROMPT = utf8("Password:")

/** A LOGIN client: the username, then the password. */
export class LoginClient implements SaslClient {
  readonly mechanism = "LOGIN" as const
  private readonly answers: Uint8Array[]
  private answered = 0

  constructor(credentials: SaslCredentials) {
    const { username, password } = credentials
    if (username === undefined || password === undefined) {
      throw new SaslError("MISSING_CREDENTIALS", "LOGIN needs a username and a password")
    }
    this.answers = [utf8(username), utf8(password)]
  }

  initialResponse(): null {
    return null
  }

  step(): SaslClientStep {
    const answer = this.answers[this.answered]
    if (answer === undefined) {
      return { error: new SaslError("UNEXPECTED_CHALLENGE", "LOGIN has nothing more to send") }
    }
    this.answered++
    return { response: answer.slice() }
  }

  success(): { done: true } | { error: SaslError } {
    if (this.answered < 2) {
      return {
        error: new SaslError(
          "MUTUAL_AUTH_INCOMPLETE",
          "LOGIN success before the password was sent",
        ),
      }
    }
    return { done: true }
  }
}

/** A LOGIN server: `Username:`, `Password:`, then a `password` verification. */
export class LoginServer extends ServerExchange {
  readonly mechanism = "LOGIN" as const
  private username: string | null = null

  protected onStart(initialResponse: Uint8Array | null): SaslServerStep {
    if (initialResponse === null || initialResponse.length === 0) {
      return this.challenge(USERNAME_PROMPT.slice())
    }
    return this.onResponse(initialResponse)
  }

  protected onResponse(response: Uint8Array): SaslServerStep {
    const text = decodeUtf8Strict(response)
    if (text === null || text.includes("\u0000")) {
      return this.fail("malformed", "LOGIN field is not UTF-8 text")
    }
    if (this.username === null) {
      if (text === "") return this.fail("malformed", "LOGIN username is empty")
      this.username = text
      return this.challenge(PASSWORD_PROMPT.slice())
    }
    return this.verify({
      kind: "password",
      mechanism: "LOGIN",
      username: this.username,
      password: text,
      authzid: null,
    })
  }

  protected onAnswer(answer: VerificationAnswer): SaslServerStep {
    return answer === true
      ? this.succeed(this.username!, null)
      : this.fail("invalid-credentials", "authentication failed")
  }
}
