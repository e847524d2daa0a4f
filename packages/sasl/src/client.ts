/**
 * `createSaslClient`: the client side of every mechanism, behind one factory.
 *
 * A client is one exchange (RFC 4422 §3): call `initialResponse()` when the protocol has
 * SASL-IR (RFC 4959; SMTP and POP3 always, IMAP with the SASL-IR capability), then
 * `step()` with each decoded challenge, then `success()` when the server reports success.
 * Credentials a mechanism cannot use throw a {@link SaslError} here, before anything is
 * sent; what the server sends never throws. The protocol packages do the base64.
 */
import { SaslError } from "./errors.js"
import { type SaslMechanismName, toMechanismName } from "./mechanism-names.js"
import { AnonymousClient } from "./mechanisms/anonymous.js"
import { CramMd5Client } from "./mechanisms/cram-md5.js"
import { ExternalClient } from "./mechanisms/external.js"
import { LoginClient } from "./mechanisms/login.js"
import { OAuthBearerClient } from "./mechanisms/oauthbearer.js"
import { PlainClient } from "./mechanisms/plain.js"
import { ScramClient } from "./mechanisms/scram.js"
import { XOAuth2Client } from "./mechanisms/xoauth2.js"
import { defaultRandom } from "./random.js"
import type { SaslClient, SaslClientOptions, SaslCredentials } from "./types.js"

/**
 * Creates the client side of one exchange of `mechanism`.
 * Throws a {@link SaslError} when the credentials lack what the mechanism needs
 * (`MISSING_CREDENTIALS`), or SASLprep rejects them (SCRAM).
 *
 * @example
 * ```ts
 * const client = createSaslClient("PLAIN", { username: "tim", password: "tanstaaftanstaaf" })
 * const ir = client.initialResponse()         // send as `AUTH PLAIN <base64>`
 * // …server replies 235:
 * client.success()                            // { done: true }
 * ```
 */
export function createSaslClient(
  mechanism: SaslMechanismName,
  credentials: SaslCredentials,
  options: SaslClientOptions = {},
): SaslClient {
  const random = options.random ?? defaultRandom
  const name = toMechanismName(mechanism)
  switch (name) {
    case "PLAIN":
      return new PlainClient(credentials)
    case "LOGIN":
      return new LoginClient(credentials)
    case "CRAM-MD5":
      return new CramMd5Client(credentials)
    case "SCRAM-SHA-1":
    case "SCRAM-SHA-256":
      return new ScramClient(name, credentials, random, options.minScramIterations)
    case "XOAUTH2":
      return new XOAuth2Client(credentials)
    case "OAUTHBEARER":
      return new OAuthBearerClient(credentials, options)
    case "EXTERNAL":
      return new ExternalClient(credentials)
    case "ANONYMOUS":
      return new AnonymousClient(credentials)
    case null:
      throw new SaslError("UNSUPPORTED_MECHANISM", `unsupported SASL mechanism ${mechanism}`)
  }
}
