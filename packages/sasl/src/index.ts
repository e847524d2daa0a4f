/**
 * `@mailwire/sasl`: SASL mechanisms (RFC 4422) for clients and servers, as pure steps on
 * raw bytes. PLAIN (RFC 4616), LOGIN, CRAM-MD5 (RFC 2195), SCRAM-SHA-1 (RFC 5802),
 * SCRAM-SHA-256 (RFC 7677), XOAUTH2, OAUTHBEARER (RFC 7628), EXTERNAL (RFC 4422 App. A),
 * ANONYMOUS (RFC 4505); SASLprep (RFC 4013); the base64 and `*` handling of SMTP AUTH
 * (RFC 4954), POP3 AUTH (RFC 5034), IMAP AUTHENTICATE (RFC 9051) and SASL-IR (RFC 4959).
 */
export { decodeBase64, decodeSaslResponse, encodeBase64, type SaslResponseLine } from "./base64.js"
export { type ChooseMechanismOptions, chooseMechanism } from "./choose-mechanism.js"
export { createSaslClient } from "./client.js"
export { SaslError, type SaslErrorCode } from "./errors.js"
export {
  isPlaintextMechanism,
  SASL_MECHANISMS,
  type SaslMechanismName,
  sendsSecretInClear,
} from "./mechanism-names.js"
export { ANONYMOUS_MAX_TRACE_CHARACTERS } from "./mechanisms/anonymous.js"
export { CRAM_MD5_CHALLENGE_DIGITS } from "./mechanisms/cram-md5.js"
export { type OAuthError, parseOAuthError } from "./mechanisms/oauth-error.js"
export {
  DEFAULT_MIN_SCRAM_ITERATIONS,
  SCRAM_MAX_ITERATIONS,
  SCRAM_MIN_SECRET_LENGTH,
  SCRAM_NONCE_LENGTH,
} from "./mechanisms/scram.js"
export { saslprep } from "./saslprep.js"
export {
  DEFAULT_SCRAM_ITERATIONS,
  DEFAULT_SCRAM_SALT_LENGTH,
  type DeriveScramOptions,
  deriveScramCredentials,
  formatScramCredentials,
  parseScramCredentials,
} from "./scram-credentials.js"
export { createSaslServer } from "./server.js"
export { timingSafeEqual } from "./timing-safe-equal.js"
export type {
  SaslClient,
  SaslClientOptions,
  SaslClientStep,
  SaslCredentials,
  SaslServer,
  SaslServerOptions,
  SaslServerStep,
  ScramCredentials,
  VerificationAnswer,
  VerificationRequest,
} from "./types.js"
