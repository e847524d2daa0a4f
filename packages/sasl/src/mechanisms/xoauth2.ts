/**
 * XOAUTH2, Google's OAuth 2.0 mechanism (developers.google.com/gmail/imap/xoauth2-protocol),
 * also spoken by Microsoft 365, Yahoo and Dovecot:
 *
 *     user=<username>^Aauth=Bearer <token>^A^A
 *
 * When the token is refused, the server sends a JSON error as a challenge
 * (`{"status":"401","schemes":"Bearer","scope":"…"}`); the client answers with an empty
 * response and the server then reports failure. The token travels in clear, like a
 * password: only under TLS. Returned arrays are fresh and owned by the caller.
 */
import { SaslError } from "../errors.js"
import type { SaslCredentials, SaslServerStep } from "../types.js"
import { decodeUtf8Strict, utf8 } from "../utf8.js"
import type { OAuthError } from "./oauth-error.js"
import { type BearerMessage, OAuthClientExchange, OAuthServerExchange } from "./oauth-exchange.js"

/** Whether a value may sit between ^A separators: no ^A, no NUL. */
function isFieldSafe(value: string): boolean {
  return !/[\u0000\u0001]/.test(value)
}

/** An XOAUTH2 client: the message as initial response; an empty answer to an error. */
export class XOAuth2Client extends OAuthClientExchange {
  readonly mechanism = "XOAUTH2" as const

  constructor(credentials: SaslCredentials) {
    const { username, accessToken } = credentials
    if (username === undefined || accessToken === undefined) {
      throw new SaslError("MISSING_CREDENTIALS", "XOAUTH2 needs a username and an access token")
    }
    if (!isFieldSafe(username) || !isFieldSafe(accessToken)) {
      throw new SaslError("PROHIBITED_CHARACTER", "XOAUTH2 fields must not contain ^A or NUL")
    }
    super(utf8(`user=${username}\u0001auth=Bearer ${accessToken}\u0001\u0001`), new Uint8Array(0))
  }
}

/** An XOAUTH2 server: one message, a `token` verification, an error challenge on refusal. */
export class XOAuth2Server extends OAuthServerExchange {
  readonly mechanism = "XOAUTH2" as const

  protected readMessage(response: Uint8Array): BearerMessage | SaslServerStep {
    const text = decodeUtf8Strict(response)
    if (text === null || !text.endsWith("\u0001\u0001")) {
      return this.fail("malformed", "XOAUTH2 message must end with ^A^A")
    }
    const fields = new Map<string, string>()
    for (const pair of text.slice(0, -2).split("\u0001")) {
      const equals = pair.indexOf("=")
      if (equals <= 0) return this.fail("malformed", "XOAUTH2 field must be key=value")
      fields.set(pair.slice(0, equals), pair.slice(equals + 1))
    }
    const username = fields.get("user") ?? ""
    const auth = /^Bearer +(\S+)$/i.exec(fields.get("auth") ?? "")
    if (username === "" || auth === null || text.includes("\u0000")) {
      return this.fail("malformed", "XOAUTH2 needs user= and auth=Bearer <token>")
    }
    return { username, token: auth[1]! }
  }

  protected refusal(): OAuthError {
    return {
      status: "401",
      schemes: "Bearer",
      ...(this.scope === undefined ? {} : { scope: this.scope }),
    }
  }
}
