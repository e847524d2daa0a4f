/**
 * The envelope of a message to send (RFC 5321 §3.3), worked out from the message when
 * the caller gives none: the reverse path from `Sender`, else the first `From`
 * (RFC 5322 §3.6.2); the recipients from `To`, `Cc` and `Bcc` (§3.6.3), group members
 * included, duplicates removed. Read from a `@mailwire/mime` builder spec, or from the
 * header section of raw bytes with `@mailwire/rfc5322`.
 *
 * What it does not do: look at `Resent-*` fields, or change the message.
 */
import type { AddressSpec, MessageSpec } from "@mailwire/mime"
import { type Group, type Mailbox, parseAddressList, parseHeaders } from "@mailwire/rfc5322"

/** Who a message goes from and to on the wire (RFC 5321 §3.3). */
export interface SmtpEnvelopeSpec {
  /** The reverse path; `""` or `null` for `<>` (bounces, RFC 5321 §4.5.5). */
  readonly from: string | null
  readonly to: string | readonly string[]
}

function mailboxes(list: ReadonlyArray<Mailbox | Group>): string[] {
  return list.flatMap((entry) =>
    entry.type === "group" ? entry.members.map((m) => m.address) : [entry.address],
  )
}

function specAddresses(value: AddressSpec | readonly AddressSpec[] | undefined): string[] {
  if (value === undefined) return []
  const list = Array.isArray(value) ? (value as readonly AddressSpec[]) : [value as AddressSpec]
  return list.flatMap((entry) =>
    typeof entry === "string" ? mailboxes(parseAddressList(entry).addresses) : [entry.address],
  )
}

function unique(addresses: readonly string[]): string[] {
  // Most messages have one recipient: no set to build for it.
  if (addresses.length === 1) return addresses[0] === "" ? [] : [addresses[0]!]
  return [...new Set(addresses.filter((address) => address !== ""))]
}

/** The envelope of a builder spec. */
export function envelopeFromSpec(spec: MessageSpec): { from: string; to: string[] } {
  const from = specAddresses(spec.sender)[0] ?? specAddresses(spec.from)[0] ?? ""
  const to = unique([
    ...specAddresses(spec.to),
    ...specAddresses(spec.cc),
    ...specAddresses(spec.bcc),
  ])
  return { from, to }
}

/** The envelope read from a message's header section. */
export function envelopeFromHeaders(message: Uint8Array): { from: string; to: string[] } {
  const headers = parseHeaders(message)
  const read = (name: string) =>
    headers.getAll(name).flatMap((field) => mailboxes(parseAddressList(field.value).addresses))
  const from = read("sender")[0] ?? read("from")[0] ?? ""
  const to = unique([...read("to"), ...read("cc"), ...read("bcc")])
  return { from, to }
}

/** The envelope as given by the caller, recipients as a list. */
export function normalizeEnvelope(envelope: SmtpEnvelopeSpec): { from: string; to: string[] } {
  const to = typeof envelope.to === "string" ? [envelope.to] : [...envelope.to]
  return { from: envelope.from ?? "", to: unique(to) }
}
