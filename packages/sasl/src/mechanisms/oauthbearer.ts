/**
 * OAUTHBEARER (RFC 7628): an OAuth 2.0 bearer token behind a GS2 header, with key/value
 * pairs separated by ^A (RFC 7628 §3.1):
 *
 *     n,a=user@example.com,^Ahost=server.example.com^Aport=143^Aauth=Bearer <token>^A^A
 *
 * On refusal the server sends a JSON error challenge (§3.2.2), the client answers with a
 * single ^A (§3.2.3) and the server reports failure. The `a=` of the GS2 header is what
 * clients (Thunderbird, imapflow, nodemailer) fill with the user name, so the server
 * reports it as `username`; the token is what proves who the user is. The token travels
 * in clear: only under TLS. Returned arrays are fresh and owned by the caller.
 */
import { SaslError } from "../errors.js"
import { formatGs2Header, parseGs2Header } from "../gs2-header.js"
import type { SaslClientOptions, SaslCredentials, SaslServerStep } from "../types.js"
import { decodeUtf8Strict, utf8 } from "../utf8.js"
import type { OAuthError } from "./oauth-error.js"
import { type BearerMessage, OAuthClientExchange, OAuthServerExchange } from "./oauth-exchange.js"

const SEPARATOR = "\u0001"
/** RFC 7628 §3.1 `key = 1*(ALPHA)`; `value = *(VCHAR / SP / HTAB / CR / LF)`. */
const KVPAIR = /^([A-Za-z]+)=([\x21-\x7E \t\r\n]*)$/

/** An OAUTHBEARER client: the message as initial response; ^A in answer to an error. */
export class OAuthBearerClient extends OAuthClientExchange {
  readonly mechanism = "OAUTHBEARER" as const

  constructor(credentials: SaslCredentials, options: SaslClientOptions = {}) {
    const { accessToken } = credentials
    if (accessToken === undefined) {
      throw new SaslError("MISSING_CREDENTIALS", "OAUTHBEARER needs an access token")
    }
    const pairs: string[] = []
    if (options.host !== undefined) pairs.push(`host=${options.host}`)
    if (options.port !== undefined) pairs.push(`port=${options.port}`)
    pairs.push(`auth=Bearer ${accessToken}`)
    if (!pairs.every((pair) => KVPAIR.test(pair))) {
      throw new SaslError(
        "PROHIBITED_CHARACTER",
        "OAUTHBEARER host and token must be printable ASCII",
      )
    }
    const gs2 = formatGs2Header(credentials.authzid ?? credentials.username)
    super(
      utf8(`${gs2}${SEPARATOR}${pairs.join(SEPARATOR)}${SEPARATOR}${SEPARATOR}`),
      utf8(SEPARATOR),
    )
  }
}

/** An OAUTHBEARER server: one message, a `token` verification, an error challenge on refusal. */
export class OAuthBearerServer extends OAuthServerExchange {
  readonly mechanism = "OAUTHBEARER" as const

  protected readMessage(response: Uint8Array): BearerMessage | SaslServerStep {
    const text = decodeUtf8Strict(response)
    const gs2 = text === null ? null : parseGs2Header(text)
    if (gs2 === null) return this.fail("malformed", "OAUTHBEARER: bad GS2 header")
    if (gs2.cbindFlag === "p") {
      return this.fail("unsupported", "OAUTHBEARER: channel binding is not supported")
    }
    const body = gs2.rest
    if (!body.startsWith(SEPARATOR) || !body.endsWith(SEPARATOR + SEPARATOR) || body.length < 3) {
      return this.fail("malformed", "OAUTHBEARER: message must be ^A key=value … ^A^A")
    }
    const fields = new Map<string, string>()
    for (const pair of body.slice(1, -2).split(SEPARATOR)) {
      const match = KVPAIR.exec(pair)
      if (match === null) return this.fail("malformed", "OAUTHBEARER: bad key=value pair")
      fields.set(match[1]!, match[2]!)
    }
    const auth = /^Bearer +([\x21-\x7E]+)$/i.exec(fields.get("auth") ?? "")
    if (auth === null) return this.fail("malformed", "OAUTHBEARER needs auth=Bearer <token>")
    return { username: gs2.authzid ?? "", token: auth[1]! }
  }

  protected refusal(): OAuthError {
    return {
      status: "invalid_token",
      ...(this.scope === undefined ? {} : { scope: this.scope }),
    }
  }
}
