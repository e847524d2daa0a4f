/**
 * Options of {@link SmtpClientConnection} and the mail request it sends. Policy only:
 * which extensions to use when offered, TLS and AUTH rules. Nothing here opens a socket.
 */
import type { SaslCredentials, SaslMechanismName } from "@mailwire/sasl"
import type { Mailbox } from "../types.js"
import type { BodyType, DsnNotify, OriginalRecipient } from "../wire/parameters.js"

/**
 * STARTTLS policy (RFC 3207, DESIGN §5): `"opportunistic"` (default) upgrades whenever
 * the server offers it, `"required"` fails the session when it does not, `"never"` stays
 * in plaintext.
 */
export type StartTlsPolicy = "opportunistic" | "required" | "never"

/** Options of {@link SmtpClientConnection}. All fields are optional. */
export interface SmtpClientOptions {
  /** The name sent with EHLO/HELO/LHLO (RFC 5321 §4.1.1.1). Default `"localhost"`. */
  readonly hostname?: string
  /** Speak LMTP (RFC 2033): LHLO and one final reply per recipient. */
  readonly lmtp?: boolean
  /** The connection is already under TLS (implicit TLS, RFC 8314 §3.3). Default false. */
  readonly isSecure?: boolean
  /** Default `"opportunistic"`. */
  readonly startTls?: StartTlsPolicy
  /** Authenticate with these after EHLO (and STARTTLS), with AUTH (RFC 4954). */
  readonly credentials?: SaslCredentials
  /** Use this mechanism instead of the strongest one both sides support. */
  readonly mechanism?: SaslMechanismName
  /**
   * Allow PLAIN, LOGIN and bearer tokens (XOAUTH2, OAUTHBEARER) without TLS (DESIGN §4
   * invariant 3). Default false.
   */
  readonly allowPlaintextAuth?: boolean
  /** Use PIPELINING (RFC 2920) when offered. Default true. */
  readonly usePipelining?: boolean
  /** Use BDAT (RFC 3030) when CHUNKING is offered. Default true. */
  readonly useChunking?: boolean
  /** Random bytes for SASL nonces. Default `crypto.getRandomValues`. */
  readonly random?: (length: number) => Uint8Array
  /**
   * The fewest SCRAM iterations (`i=`, RFC 7677 §4) the client accepts from the server;
   * fewer fails AUTH before a proof is sent. Default `@mailwire/sasl`'s
   * `DEFAULT_MIN_SCRAM_ITERATIONS` (4,096).
   */
  readonly minScramIterations?: number
  /** Longest reply line accepted. Default `DEFAULT_MAX_REPLY_LINE_LENGTH`. */
  readonly maxReplyLineLength?: number
  /** Most lines in one reply. Default `DEFAULT_MAX_REPLY_LINES`. */
  readonly maxReplyLines?: number
}

/** A recipient with its DSN parameters (RFC 3461 §4.1, §4.2). */
export interface SmtpRecipientRequest {
  readonly address: string | Mailbox
  readonly notify?: readonly DsnNotify[]
  readonly orcpt?: OriginalRecipient
}

/** One message to send: the envelope (RFC 5321 §3.3) and, optionally, the whole body. */
export interface SmtpMailRequest {
  /** The reverse path; `null` or `""` for `<>` (bounces, RFC 5321 §4.5.5). */
  readonly from: string | Mailbox | null
  readonly to: readonly (string | Mailbox | SmtpRecipientRequest)[]
  /**
   * The whole message, or leave it out and stream it with `writeBody` / `endBody`. When
   * given, SIZE, 8BITMIME and SMTPUTF8 (non-ASCII header bytes) are worked out from it.
   */
  readonly body?: Uint8Array
  /** Declared size (RFC 1870); defaults to the length of `body` when given. */
  readonly size?: number
  /**
   * BODY type (RFC 6152, RFC 3030). `8BITMIME` needs the server's 8BITMIME, `BINARYMIME`
   * its CHUNKING and BINARYMIME; the client never downgrades silently. Default: `8BITMIME`
   * when `body` has a byte above 127, else none.
   */
  readonly bodyType?: BodyType
  /**
   * The message needs SMTPUTF8 (RFC 6531): set it when a streamed body has UTF-8 headers.
   * It is set for you when an address is non-ASCII, or `body`'s header has 8-bit bytes.
   */
  readonly smtpUtf8?: boolean
  /** RFC 3461 §4.3. */
  readonly ret?: "FULL" | "HDRS"
  /** RFC 3461 §4.4. */
  readonly envid?: string
  /** RFC 8689: the message may only travel over TLS. */
  readonly requireTls?: boolean
}
