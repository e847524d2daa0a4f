/**
 * ANONYMOUS (RFC 4505): the client sends optional trace information (RFC 4505 §2: an
 * email address or an opaque token, at most 255 characters) and is let in as nobody.
 *
 * The server asks the application (`kind: "anonymous"`) whether anonymous access is
 * allowed; on success the username is `anonymous`. Returned arrays are fresh and owned
 * by the caller.
 */
import { SaslError } from "../errors.js"
import { OneMessageClient } from "../one-message-client.js"
import { ServerExchange } from "../server-exchange.js"
import type { SaslCredentials, SaslServerStep, VerificationAnswer } from "../types.js"
import { decodeUtf8Strict, utf8 } from "../utf8.js"

/** RFC 4505 §3: `message = [ email / token ]`, each `1*255TCHAR` / `1*255UTF8-char`. */
export const ANONYMOUS_MAX_TRACE_CHARACTERS = 255

/** An ANONYMOUS client: the trace (or nothing) as its only message. */
export class AnonymousClient extends OneMessageClient {
  readonly mechanism = "ANONYMOUS" as const

  constructor(credentials: SaslCredentials) {
    const trace = credentials.trace ?? ""
    if ([...trace].length > ANONYMOUS_MAX_TRACE_CHARACTERS || trace.includes("\u0000")) {
      throw new SaslError(
        "MISSING_CREDENTIALS",
        `ANONYMOUS trace must be at most ${ANONYMOUS_MAX_TRACE_CHARACTERS} characters without NUL`,
      )
    }
    super(utf8(trace))
  }
}

/** An ANONYMOUS server: one message, then an `anonymous` verification. */
export class AnonymousServer extends ServerExchange {
  readonly mechanism = "ANONYMOUS" as const

  protected onStart(initialResponse: Uint8Array | null): SaslServerStep {
    return initialResponse === null
      ? this.challenge(new Uint8Array(0))
      : this.onResponse(initialResponse)
  }

  protected onResponse(response: Uint8Array): SaslServerStep {
    const trace = decodeUtf8Strict(response)
    if (
      trace === null ||
      trace.includes("\u0000") ||
      [...trace].length > ANONYMOUS_MAX_TRACE_CHARACTERS
    ) {
      return this.fail("malformed", "ANONYMOUS trace must be up to 255 UTF-8 characters")
    }
    return this.verify({ kind: "anonymous", mechanism: "ANONYMOUS", trace })
  }

  protected onAnswer(answer: VerificationAnswer): SaslServerStep {
    return answer === true
      ? this.succeed("anonymous", null)
      : this.fail("invalid-credentials", "anonymous access refused")
  }
}
