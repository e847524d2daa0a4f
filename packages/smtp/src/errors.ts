/**
 * The SMTP package's error codes and the replies that go with them (RFC 5321 §4.2.3,
 * RFC 3463). The classes are `@mailwire/wire`'s; this module only builds them with a
 * `hint.smtp` a server can send back as it stands.
 */
import { LocalProtocolError, RemoteProtocolError } from "@mailwire/wire"

/** Machine-readable codes of the errors this package raises. */
export type SmtpErrorCode =
  | "UNKNOWN_COMMAND"
  | "SYNTAX"
  | "INVALID_UTF8"
  | "BAD_SEQUENCE"
  | "INVALID_REPLY"
  | "UNEXPECTED_REPLY"
  | "INVALID_ARGUMENT"
  | "INVALID_STATE"
  | "SMTPUTF8_REQUIRED"
  | "EXTENSION_REQUIRED"

/** A peer's line broke the grammar; `reply` is what a server answers (RFC 5321 §4.2.3). */
export function remoteError(
  code: SmtpErrorCode,
  message: string,
  reply = "501 5.5.4 Syntax error in parameters or arguments",
): RemoteProtocolError {
  return new RemoteProtocolError(code, message, { hint: { smtp: reply } })
}

/** The caller asked for something the protocol cannot carry. */
export function localError(code: SmtpErrorCode, message: string): LocalProtocolError {
  return new LocalProtocolError(code, message)
}
