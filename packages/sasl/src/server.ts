/**
 * `createSaslServer`: the server side of every mechanism, behind one factory.
 *
 * A server is one exchange (RFC 4422 §3): `start()` with the initial response (or null),
 * then `step()` with each decoded client response, and `answer()` whenever a step asks
 * the application to verify something; the application may answer after an `await`.
 * `cancel()` is the client's `*`. Nothing a client sends makes a server throw: bad
 * bytes, missing fields, wrong proofs, replays and steps out of order all end in
 * `{ type: "failure" }`. Only the application's own mistakes throw (see `answer()`).
 */
import { type SaslMechanismName, toMechanismName } from "./mechanism-names.js"
import { AnonymousServer } from "./mechanisms/anonymous.js"
import { CramMd5Server } from "./mechanisms/cram-md5.js"
import { ExternalServer } from "./mechanisms/external.js"
import { LoginServer } from "./mechanisms/login.js"
import { OAuthBearerServer } from "./mechanisms/oauthbearer.js"
import { PlainServer } from "./mechanisms/plain.js"
import { ScramServer } from "./mechanisms/scram.js"
import { XOAuth2Server } from "./mechanisms/xoauth2.js"
import { defaultRandom } from "./random.js"
import type { SaslServer, SaslServerOptions, SaslServerStep } from "./types.js"

/** A server for a name outside {@link SASL_MECHANISMS}: every call fails as unsupported. */
class UnsupportedServer implements SaslServer {
  readonly mechanism: SaslMechanismName

  constructor(mechanism: SaslMechanismName) {
    this.mechanism = mechanism
  }

  private failure(): SaslServerStep {
    return {
      type: "failure",
      reason: "unsupported",
      message: `unsupported SASL mechanism ${this.mechanism}`,
    }
  }

  start(): SaslServerStep {
    return this.failure()
  }

  step(): SaslServerStep {
    return this.failure()
  }

  answer(): SaslServerStep {
    return this.failure()
  }

  cancel(): SaslServerStep {
    return { type: "failure", reason: "cancelled", message: "the client cancelled the exchange" }
  }
}

/**
 * Creates the server side of one exchange of `mechanism` (any case, as clients send it).
 * A name that is not one of
 * {@link SASL_MECHANISMS} (the client chose it) gives a server whose `start()` fails with
 * reason `unsupported`, so the protocol can answer it like any other failure.
 *
 * @example
 * ```ts
 * const server = createSaslServer("PLAIN")
 * let step = server.start(initialResponseBytes)
 * if (step.type === "verify" && step.request.kind === "password") {
 *   step = server.answer(await checkPassword(step.request.username, step.request.password))
 * }
 * // step.type is now "success" or "failure"
 * ```
 */
export function createSaslServer(
  mechanism: SaslMechanismName,
  options: SaslServerOptions = {},
): SaslServer {
  const random = options.random ?? defaultRandom
  const name = toMechanismName(mechanism)
  switch (name) {
    case "PLAIN":
      return new PlainServer()
    case "LOGIN":
      return new LoginServer()
    case "CRAM-MD5":
      return new CramMd5Server({
        random,
        ...(options.hostname === undefined ? {} : { hostname: options.hostname }),
        ...(options.now === undefined ? {} : { now: options.now }),
      })
    case "SCRAM-SHA-1":
    case "SCRAM-SHA-256":
      return new ScramServer(name, random, options.scramUnknownUserSecret)
    case "XOAUTH2":
      return new XOAuth2Server(options.oauthScope)
    case "OAUTHBEARER":
      return new OAuthBearerServer(options.oauthScope)
    case "EXTERNAL":
      return new ExternalServer()
    case "ANONYMOUS":
      return new AnonymousServer()
    default:
      return new UnsupportedServer(mechanism)
  }
}
