/**
 * PLAIN (RFC 4616): `[authzid] NUL authcid NUL passwd`, in one message.
 *
 * The client sends it as its initial response, or as the answer to the server's empty
 * challenge when the protocol has no SASL-IR. The server splits the three fields and asks
 * the application to check the password (`kind: "password"`). The password travels in
 * clear: use PLAIN only under TLS (RFC 4616 §6), see `chooseMechanism`.
 * Returned arrays are fresh and owned by the caller.
 */
import { SaslError } from "../errors.js"
import { OneMessageClient } from "../one-message-client.js"
import { ServerExchange } from "../server-exchange.js"
import type { SaslCredentials, SaslServerStep, VerificationAnswer } from "../types.js"
import { decodeUtf8Strict, utf8 } from "../utf8.js"

/** The RFC 4616 §2 message: authzid NUL authcid NUL passwd. */
export function plainMessage(authzid: string, username: string, password: string): Uint8Array {
  return utf8(`${authzid}\u0000${username}\u0000${password}`)
}

/** A PLAIN client: the message as initial response, or as the answer to the first challenge. */
export class PlainClient extends OneMessageClient {
  readonly mechanism = "PLAIN" as const

  constructor(credentials: SaslCredentials) {
    const { username, password } = credentials
    if (username === undefined || password === undefined) {
      throw new SaslError("MISSING_CREDENTIALS", "PLAIN needs a username and a password")
    }
    super(plainMessage(credentials.authzid ?? "", username, password))
  }
}

/** A PLAIN server: one message, then a `password` verification. */
export class PlainServer extends ServerExchange {
  readonly mechanism = "PLAIN" as const
  private identity: { username: string; authzid: string | null } | null = null

  protected onStart(initialResponse: Uint8Array | null): SaslServerStep {
    return initialResponse === null
      ? this.challenge(new Uint8Array(0))
      : this.onResponse(initialResponse)
  }

  protected onResponse(response: Uint8Array): SaslServerStep {
    const text = decodeUtf8Strict(response)
    if (text === null) return this.fail("malformed", "PLAIN message is not UTF-8")
    const fields = text.split("\u0000")
    if (fields.length !== 3) {
      return this.fail("malformed", "PLAIN message must have exactly three NUL-separated fields")
    }
    const [authzid, username, password] = fields as [string, string, string]
    if (username === "" || password === "") {
      return this.fail("malformed", "PLAIN authcid and passwd must not be empty")
    }
    this.identity = { username, authzid: authzid === "" ? null : authzid }
    return this.verify({
      kind: "password",
      mechanism: "PLAIN",
      username,
      password,
      authzid: this.identity.authzid,
    })
  }

  protected onAnswer(answer: VerificationAnswer): SaslServerStep {
    const identity = this.identity!
    return answer === true
      ? this.succeed(identity.username, identity.authzid)
      : this.fail("invalid-credentials", "authentication failed")
  }
}
