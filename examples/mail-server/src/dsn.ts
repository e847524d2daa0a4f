/**
 * Bounces: a delivery status notification (RFC 3464) telling the sender which recipients
 * could not be reached and why, as a `multipart/report; report-type=delivery-status`
 * message (RFC 6522) with three parts — a human-readable explanation, the
 * `message/delivery-status` fields (§2.2 per message, §2.3 per recipient), and the
 * original message's header section as `text/rfc822-headers` (RFC 6522 §4), so the
 * sender can tell which message it was without getting a large attachment back.
 *
 * What it does not do: decide when to bounce (the queue does), or bounce a bounce — a
 * message with the null reverse path `<>` gets no DSN (RFC 5321 §4.5.5). Composed by hand:
 * the structure is small and fixed, and every line is ASCII with CRLF ends.
 */
import { foldHeader, formatDate } from "@mailwire/rfc5322"
import { concatBytes, encodeUtf8 } from "@mailwire/wire"

/** Why one recipient failed (RFC 3464 §2.3). */
export interface RecipientFailure {
  readonly recipient: string
  /** An RFC 3463 status code, e.g. `5.1.1`. */
  readonly status: string
  /** The remote server's reply (`550 5.1.1 No such user`) or what went wrong locally. */
  readonly diagnostic: string
  /** Whether the diagnostic is an SMTP reply (`smtp;`) rather than our own words (`x-local;`). */
  readonly isSmtpReply: boolean
  /** The host that answered, if any. */
  readonly remoteMta: string | null
}

/** What a DSN is about. */
export interface DsnInput {
  /** Our name (Reporting-MTA, and the domain of MAILER-DAEMON). */
  readonly hostname: string
  /** The original sender, who gets the DSN. */
  readonly sender: string
  /** The queue id of the original message. */
  readonly id: string
  readonly arrivalDate: Date
  readonly failures: readonly RecipientFailure[]
  /** The original message's header section (up to the empty line). */
  readonly originalHeaders: Uint8Array
  readonly date: Date
  /** The MIME boundary; must not occur in the headers (a random one is safe). */
  readonly boundary: string
}

/**
 * 64 KiB of the original header section go back to the sender: enough for any real
 * header block (Postfix's `header_size_limit` is 100 KB, most are under 10 KB) while a
 * pathological one cannot make the bounce huge.
 */
export const MAX_RETURNED_HEADER_BYTES = 64 * 1024

/** Printable ASCII only: DSN fields are ASCII (RFC 3464 §2.1.1) and text from the network could break the structure. */
function ascii(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?").trim()
}

/** The header section of `message`: everything up to and including the first empty line. */
export function headerSection(message: Uint8Array): Uint8Array {
  for (let i = 0; i + 3 < message.length; i++) {
    if (
      message[i] === 13 &&
      message[i + 1] === 10 &&
      message[i + 2] === 13 &&
      message[i + 3] === 10
    ) {
      return message.subarray(0, Math.min(i + 2, MAX_RETURNED_HEADER_BYTES))
    }
  }
  return message.subarray(0, Math.min(message.length, MAX_RETURNED_HEADER_BYTES))
}

function explanation(input: DsnInput): string {
  const lines = [
    `This is the mail system at ${input.hostname}.`,
    "",
    "Your message could not be delivered to one or more recipients.",
    "It has been returned below (the header section only).",
    "",
  ]
  for (const failure of input.failures) {
    lines.push(`<${ascii(failure.recipient)}>: ${ascii(failure.diagnostic)}`)
  }
  return lines.join("\r\n")
}

function deliveryStatus(input: DsnInput): string {
  const message = [
    `Reporting-MTA: dns; ${input.hostname}`,
    `X-Mailwire-Queue-ID: ${input.id}`,
    `Arrival-Date: ${formatDate(input.arrivalDate)}`,
  ]
  const recipients = input.failures.map((failure) => {
    const fields = [
      `Final-Recipient: rfc822; ${ascii(failure.recipient)}`,
      "Action: failed",
      `Status: ${failure.status}`,
    ]
    if (failure.remoteMta !== null) fields.push(`Remote-MTA: dns; ${ascii(failure.remoteMta)}`)
    const type = failure.isSmtpReply ? "smtp" : "x-local"
    fields.push(foldHeader("Diagnostic-Code", `${type}; ${ascii(failure.diagnostic)}`))
    fields.push(`Last-Attempt-Date: ${formatDate(input.date)}`)
    return fields.join("\r\n")
  })
  return [message.join("\r\n"), ...recipients].join("\r\n\r\n")
}

/** The DSN as bytes, CRLF line ends, ready to deliver to the sender's mailbox. */
export function buildDsn(input: DsnInput): Uint8Array {
  const b = input.boundary
  const head = [
    `From: Mail Delivery System <MAILER-DAEMON@${input.hostname}>`,
    foldHeader("To", `<${ascii(input.sender)}>`),
    "Subject: Undelivered Mail Returned to Sender",
    `Date: ${formatDate(input.date)}`,
    `Message-ID: <${input.id}.dsn@${input.hostname}>`,
    "Auto-Submitted: auto-replied",
    "MIME-Version: 1.0",
    `Content-Type: multipart/report; report-type=delivery-status;\r\n boundary="${b}"`,
    "",
    "This is a MIME-encapsulated message.",
    "",
    `--${b}`,
    "Content-Type: text/plain; charset=us-ascii",
    "",
    explanation(input),
    "",
    `--${b}`,
    "Content-Type: message/delivery-status",
    "",
    deliveryStatus(input),
    "",
    `--${b}`,
    "Content-Type: text/rfc822-headers",
    "",
    "",
  ].join("\r\n")
  return concatBytes([encodeUtf8(head), input.originalHeaders, encodeUtf8(`\r\n--${b}--\r\n`)])
}
