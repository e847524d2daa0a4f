/**
 * The IMAP error codes and reply hints (RFC 9051 §7.1, RFC 5530 response codes).
 *
 * Errors from reading are `RemoteProtocolError`s of `@mailwire/wire`; errors from
 * encoding are `LocalProtocolError`s. This module only names their codes and builds
 * them with the reply a server should send.
 */
import { LocalProtocolError, RemoteProtocolError } from "@mailwire/wire"

/** Machine-readable codes of the errors this package raises. */
export type ImapErrorCode =
  | "SYNTAX"
  | "LINE_TOO_LONG"
  | "BARE_LF"
  | "LITERAL_TOO_LARGE"
  | "TOO_DEEP"
  | "TOO_MANY_ITEMS"
  | "INVALID_ARGUMENT"

/** A syntax error in what the peer sent; the server answers `BAD [CLIENTBUG]` and goes on. */
export function syntaxError(message: string): RemoteProtocolError {
  return new RemoteProtocolError("SYNTAX", message, {
    hint: { imap: `BAD [CLIENTBUG] ${message}` },
  })
}

/** A limit was passed; `isFatal` limits end the connection (`* BYE`), others get `BAD`. */
export function limitError(
  code: ImapErrorCode,
  message: string,
  isFatal: boolean,
): RemoteProtocolError {
  return new RemoteProtocolError(code, message, {
    hint: { imap: isFatal ? `BYE [TOOBIG] ${message}` : `BAD [TOOBIG] ${message}` },
  })
}

/** The caller asked the encoder for something IMAP cannot carry. */
export function invalidArgument(message: string): LocalProtocolError {
  return new LocalProtocolError("INVALID_ARGUMENT", message)
}
