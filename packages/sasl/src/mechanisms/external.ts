/**
 * EXTERNAL (RFC 4422 Appendix A): the identity comes from outside SASL — a TLS client
 * certificate, a Unix socket's peer credentials — and the message is only the requested
 * authorization identity, possibly empty.
 *
 * The server asks the application (`kind: "external"`) whether the externally established
 * identity may act as that authzid (an empty one meaning "as itself"). On success the
 * reported `username` is the authzid, or "" when none was requested: the application
 * already knows the external identity. Returned arrays are fresh and owned by the caller.
 */
import { OneMessageClient } from "../one-message-client.js"
import { ServerExchange } from "../server-exchange.js"
import type { SaslCredentials, SaslServerStep, VerificationAnswer } from "../types.js"
import { decodeUtf8Strict, utf8 } from "../utf8.js"

/** An EXTERNAL client: the authzid (or nothing) as its only message. */
export class ExternalClient extends OneMessageClient {
  readonly mechanism = "EXTERNAL" as const

  constructor(credentials: SaslCredentials) {
    super(utf8(credentials.authzid ?? ""))
  }
}

/** An EXTERNAL server: one message, then an `external` verification. */
export class ExternalServer extends ServerExchange {
  readonly mechanism = "EXTERNAL" as const
  private authzid: string | null = null

  protected onStart(initialResponse: Uint8Array | null): SaslServerStep {
    return initialResponse === null
      ? this.challenge(new Uint8Array(0))
      : this.onResponse(initialResponse)
  }

  protected onResponse(response: Uint8Array): SaslServerStep {
    const text = decodeUtf8Strict(response)
    if (text === null || text.includes("\u0000")) {
      return this.fail("malformed", "EXTERNAL authzid is not UTF-8 text")
    }
    this.authzid = text === "" ? null : text
    return this.verify({ kind: "external", mechanism: "EXTERNAL", authzid: this.authzid })
  }

  protected onAnswer(answer: VerificationAnswer): SaslServerStep {
    return answer === true
      ? this.succeed(this.authzid ?? "", this.authzid)
      : this.fail("invalid-credentials", "external authentication refused")
  }
}
