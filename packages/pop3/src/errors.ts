/**
 * The errors the POP3 machines raise, as `@mailwire/wire` protocol errors with POP3
 * codes and a `-ERR` reply hint (DESIGN §3).
 *
 * The server never throws at its peer: it answers `-ERR` and reports the error in a
 * `CommandError` event. The client throws a {@link RemoteProtocolError} from `receive`
 * when the server breaks the protocol, and a `LocalProtocolError` from `send` when the
 * caller does.
 */
import { RemoteProtocolError } from "@mailwire/wire"

/** Machine-readable codes of POP3 protocol errors (RFC 1939 §3). */
export type Pop3ErrorCode =
  | "UNKNOWN_COMMAND"
  | "BAD_SEQUENCE"
  | "SYNTAX"
  | "UNEXPECTED_RESPONSE"
  | "SASL_SERVER_NOT_VERIFIED"
  | "NO_LOGIN_METHOD"
  | "PLAINTEXT_REFUSED"

/** A `RemoteProtocolError` whose hint is the `-ERR` line a server answers with. */
export function remoteError(code: Pop3ErrorCode, message: string): RemoteProtocolError {
  return new RemoteProtocolError(code, message, { hint: { pop3: `-ERR ${message}` } })
}
