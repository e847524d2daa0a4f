/**
 * The ENVELOPE fetch item (RFC 9051 §7.5.2, §9 `envelope`, `address`).
 *
 * Strings are returned as sent; RFC 2047 encoded words and group syntax are left to the
 * caller (`@mailwire/mime` decodes them).
 */
import type { Address, Envelope } from "../../types.js"
import type { Decoder } from "../decoder.js"
import type { Encoder } from "../encoder.js"

/** `envelope = "(" env-date SP env-subject SP env-from SP … SP env-message-id ")"`. */
export function envelope(d: Decoder): Envelope {
  d.expect(0x28, "(")
  d.enter()
  const date = d.nstring()
  d.sp()
  const subject = d.nstring()
  d.sp()
  const from = addressList(d)
  d.sp()
  const sender = addressList(d)
  d.sp()
  const replyTo = addressList(d)
  d.sp()
  const to = addressList(d)
  d.sp()
  const cc = addressList(d)
  d.sp()
  const bcc = addressList(d)
  d.sp()
  const inReplyTo = d.nstring()
  d.sp()
  const messageId = d.nstring()
  d.skipSpaces()
  d.expect(0x29, ")")
  d.leave()
  return { date, subject, from, sender, replyTo, to, cc, bcc, inReplyTo, messageId }
}

/**
 * `"(" 1*address ")" / nil`. Leniency: an empty list `()` is read as `NIL`; some servers
 * send it for an empty header (jakartaee/mail-api#82).
 */
export function addressList(d: Decoder): Address[] | null {
  const list = d.nilOrList(() => address(d))
  return list !== null && list.length === 0 ? null : list
}

/** `address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"`. */
export function address(d: Decoder): Address {
  d.expect(0x28, "(")
  const name = d.nstring()
  d.sp()
  const adl = d.nstring()
  d.sp()
  const mailbox = d.nstring()
  d.sp()
  const host = d.nstring()
  d.expect(0x29, ")")
  return { name, adl, mailbox, host }
}

/** Writes an `envelope`; an empty address list is written as `NIL`. */
export function encodeEnvelope(e: Encoder, env: Envelope): void {
  e.raw("(").nstring(env.date).sp().nstring(env.subject)
  for (const list of [env.from, env.sender, env.replyTo, env.to, env.cc, env.bcc]) {
    e.sp()
    if (list === null || list.length === 0) {
      e.raw("NIL")
      continue
    }
    e.raw("(")
    for (const a of list) {
      e.raw("(").nstring(a.name).sp().nstring(a.adl).sp().nstring(a.mailbox).sp()
      e.nstring(a.host).raw(")")
    }
    e.raw(")")
  }
  e.sp().nstring(env.inReplyTo).sp().nstring(env.messageId).raw(")")
}
