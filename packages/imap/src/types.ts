/**
 * Values shared by IMAP commands and responses, client and server: sequence sets,
 * dates, envelopes, body structures, response codes and the generic value tree.
 *
 * What it does: declares types. What it does not do: parse or encode (see `wire/`).
 * Byte fields (`Uint8Array`) in these values are owned by whoever built the value; the
 * decoder hands out copies that stay valid for good.
 */

/** A message number or UID, or `*`: the largest one in use (RFC 9051 §9 `seq-number`). */
export type SeqNumber = number | "*"

/** One element of a sequence set: `start:end`, or a single number when they are equal (RFC 9051 §9 `seq-range`). */
export interface SeqRange {
  readonly start: SeqNumber
  readonly end: SeqNumber
}

/**
 * A `sequence-set` (RFC 9051 §9), or `"$"`: the result saved by the last SEARCH with
 * `RETURN (SAVE)` (SEARCHRES, RFC 5182 §2.1).
 */
export type SequenceSet = "$" | readonly SeqRange[]

/**
 * A `date-time` (RFC 9051 §9), e.g. `"17-Jul-1996 02:44:25 -0700"`: the instant, and the
 * zone it was written in, as minutes east of UTC, so it re-encodes unchanged.
 */
export interface DateTime {
  readonly date: Date
  readonly offsetMinutes: number
}

/** A `date` without time, as used by SEARCH keys (RFC 9051 §6.4.4, §9 `date`). */
export interface CalendarDate {
  readonly year: number
  /** 1 to 12. */
  readonly month: number
  readonly day: number
}

/**
 * An `address` of an ENVELOPE (RFC 9051 §7.5.2). `host: null` with a `mailbox` marks
 * the start of an RFC 5322 group (mailbox is the group name); all four `null` but the
 * mailbox ends it. Strings are as the server sent them: RFC 2047 words are not decoded.
 */
export interface Address {
  readonly name: string | null
  readonly adl: string | null
  readonly mailbox: string | null
  readonly host: string | null
}

/** The ENVELOPE fetch item (RFC 9051 §7.5.2, §9 `envelope`). */
export interface Envelope {
  readonly date: string | null
  readonly subject: string | null
  readonly from: readonly Address[] | null
  readonly sender: readonly Address[] | null
  readonly replyTo: readonly Address[] | null
  readonly to: readonly Address[] | null
  readonly cc: readonly Address[] | null
  readonly bcc: readonly Address[] | null
  readonly inReplyTo: string | null
  readonly messageId: string | null
}

/** One `attribute value` pair of `body-fld-param` (RFC 9051 §9). */
export interface BodyParam {
  readonly name: string
  readonly value: string
}

/** `body-fld-dsp` (RFC 9051 §9): Content-Disposition and its parameters. */
export interface BodyDisposition {
  readonly type: string
  readonly params: readonly BodyParam[] | null
}

/**
 * The extension data that may follow a body part (RFC 9051 §9 `body-ext-1part`,
 * `body-ext-mpart`). Each field is present only when the server sent it (and every field
 * before it); `extra` holds any `body-extension` values after `location`.
 */
export interface BodyExtension {
  readonly md5?: string | null
  readonly disposition?: BodyDisposition | null
  readonly language?: readonly string[] | null
  readonly location?: string | null
  readonly extra?: readonly ImapValue[]
}

/** A non-multipart body (RFC 9051 §9 `body-type-1part`). */
export interface SinglePartBody {
  readonly kind: "single"
  /** `media-basic` type, e.g. `TEXT`, as sent (case preserved). */
  readonly type: string
  readonly subtype: string
  readonly params: readonly BodyParam[] | null
  readonly id: string | null
  readonly description: string | null
  readonly encoding: string
  readonly size: number
  /** Size in lines: `TEXT/*` and `MESSAGE/RFC822` (and `MESSAGE/GLOBAL`) parts only. */
  readonly lines?: number
  /** The encapsulated message of a `MESSAGE/RFC822` part. */
  readonly envelope?: Envelope
  readonly body?: BodyStructure
  /** BODYSTRUCTURE only; `md5` is the first field of `body-ext-1part`. */
  readonly extension?: BodyExtension
}

/** A multipart body (RFC 9051 §9 `body-type-mpart`). */
export interface MultiPartBody {
  readonly kind: "multipart"
  readonly parts: readonly BodyStructure[]
  readonly subtype: string
  /** BODYSTRUCTURE only: the parameters, then `body-ext-1part`'s fields but `md5`. */
  readonly params?: readonly BodyParam[] | null
  readonly extension?: Omit<BodyExtension, "md5">
}

/** BODY / BODYSTRUCTURE (RFC 9051 §7.5.2, §9 `body`). */
export type BodyStructure = SinglePartBody | MultiPartBody

/**
 * A value of the generic IMAP data grammar, for items this package does not type
 * (an unknown FETCH item, an unknown response code's data, `body-extension`).
 * Atoms and numbers are `{ atom }`; strings (quoted or literal) are `string`; `NIL` is
 * `null`; parenthesised lists are arrays.
 */
export type ImapValue = null | string | { readonly atom: string } | readonly ImapValue[]

/**
 * A response code (RFC 9051 §7.1, §9 `resp-text-code`, and the extensions). Codes
 * without data share one shape; unknown codes keep their data as text.
 */
export type ResponseCode =
  | { readonly type: SimpleResponseCode }
  | { readonly type: "BADCHARSET"; readonly charsets: readonly string[] }
  | { readonly type: "CAPABILITY"; readonly capabilities: readonly string[] }
  | { readonly type: "PERMANENTFLAGS"; readonly flags: readonly string[] }
  | { readonly type: "UIDNEXT" | "UIDVALIDITY" | "UNSEEN"; readonly value: number }
  /** RFC 7162 §3.1.2.1; `NOMODSEQ` is a simple code. */
  | { readonly type: "HIGHESTMODSEQ"; readonly modseq: bigint }
  /** RFC 7162 §3.1.3: messages a conditional STORE did not change. */
  | { readonly type: "MODIFIED"; readonly set: SequenceSet }
  /** RFC 4315 §3 (UIDPLUS). */
  | { readonly type: "APPENDUID"; readonly uidValidity: number; readonly uids: SequenceSet }
  | {
      readonly type: "COPYUID"
      readonly uidValidity: number
      readonly sourceUids: SequenceSet
      readonly destinationUids: SequenceSet
    }
  /** Any other code: its name and the raw text after it, if any. */
  | { readonly type: "other"; readonly name: string; readonly text: string | null }

/** Response codes that carry no data (RFC 9051 §7.1, RFC 5530, RFC 4315, RFC 7162, RFC 4978, RFC 8474…). */
export type SimpleResponseCode =
  | "ALERT"
  | "ALREADYEXISTS"
  | "AUTHENTICATIONFAILED"
  | "AUTHORIZATIONFAILED"
  | "CANNOT"
  | "CLIENTBUG"
  | "CLOSED"
  | "COMPRESSIONACTIVE"
  | "CONTACTADMIN"
  | "CORRUPTION"
  | "EXPIRED"
  | "EXPUNGEISSUED"
  | "HASCHILDREN"
  | "INUSE"
  | "LIMIT"
  | "NOMODSEQ"
  | "NONEXISTENT"
  | "NOPERM"
  | "NOTSAVED"
  | "OVERQUOTA"
  | "PARSE"
  | "PRIVACYREQUIRED"
  | "READ-ONLY"
  | "READ-WRITE"
  | "SERVERBUG"
  | "TRYCREATE"
  | "UIDNOTSTICKY"
  | "UNAVAILABLE"
  | "UNKNOWN-CTE"
  | "USEATTR"

/** Every {@link SimpleResponseCode}, for lookups. */
export const SIMPLE_RESPONSE_CODES: ReadonlySet<string> = new Set<SimpleResponseCode>([
  "ALERT",
  "ALREADYEXISTS",
  "AUTHENTICATIONFAILED",
  "AUTHORIZATIONFAILED",
  "CANNOT",
  "CLIENTBUG",
  "CLOSED",
  "COMPRESSIONACTIVE",
  "CONTACTADMIN",
  "CORRUPTION",
  "EXPIRED",
  "EXPUNGEISSUED",
  "HASCHILDREN",
  "INUSE",
  "LIMIT",
  "NOMODSEQ",
  "NONEXISTENT",
  "NOPERM",
  "NOTSAVED",
  "OVERQUOTA",
  "PARSE",
  "PRIVACYREQUIRED",
  "READ-ONLY",
  "READ-WRITE",
  "SERVERBUG",
  "TRYCREATE",
  "UIDNOTSTICKY",
  "UNAVAILABLE",
  "UNKNOWN-CTE",
  "USEATTR",
])

/**
 * A literal whose bytes were streamed as `literal-chunk` events instead of being kept
 * in the value (FETCH `BODY[…]`, `BINARY[…]`, `RFC822*`, APPEND messages).
 * `index` counts streamed literals within the response or command, from 0.
 */
export interface StreamedLiteral {
  readonly kind: "streamed"
  readonly size: number
  readonly index: number
}

/** A body section's content: bytes, `NIL`, or a literal that was streamed. */
export type SectionContent = Uint8Array | null | StreamedLiteral

/**
 * A body section (RFC 9051 §6.4.5, §9 `section-spec`): a part path (`1.2`, empty for the
 * whole message) and an optional text specifier. `fields` is set for `HEADER.FIELDS`
 * and `HEADER.FIELDS.NOT`.
 */
export interface Section {
  readonly part: readonly number[]
  readonly text?: "HEADER" | "HEADER.FIELDS" | "HEADER.FIELDS.NOT" | "TEXT" | "MIME"
  readonly fields?: readonly string[]
}
