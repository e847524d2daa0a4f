/**
 * `@mailwire/maildir` — a Maildir++ mail store for Node (cr.yp.to/proto/maildir.html;
 * Courier's Maildir++ folders):
 *
 * - atomic, durable delivery: tmp/ → fsync → rename into new/ → fsync the directory,
 *   streamed, resolving only once the message is on disk (DESIGN §4, invariant 6)
 * - flags in the `:2,` suffix, a persistent UID list per mailbox with UIDVALIDITY,
 *   UIDNEXT and a modification sequence per message (RFC 9051 §2.3.1.1, RFC 4315,
 *   RFC 7162), subscriptions (RFC 9051 §6.3.7)
 * - a scan that picks up messages other software (Dovecot, procmail) dropped in
 * - user and mailbox names checked before they become paths, modified UTF-7 decoded
 *   first (RFC 3501 §5.1.3; DESIGN §4, invariant 5)
 * - the POP3 `MaildropStore` of `@mailwire/pop3`, with a cross-process lock per
 *   maildrop (RFC 1939 §8)
 *
 * This is not a core package: it uses `node:fs`. What it writes, Dovecot reads.
 *
 * @example
 * ```ts
 * import { MaildirStore } from "@mailwire/maildir"
 *
 * const store = new MaildirStore({ root: "./mail" })
 * await store.deliver("alice", new TextEncoder().encode("Subject: hi\r\n\r\nHello\r\n"))
 * ```
 *
 * @packageDocumentation
 */
export { CrlfSize, withCrlf } from "./crlf.js"
export type { DeliveryResult, MessageSource } from "./delivery.js"
export { deliverToMaildir } from "./delivery.js"
export type { MaildirErrorCode } from "./errors.js"
export { MaildirError } from "./errors.js"
export type { MaildirFileName, UniqueNameSource } from "./filename.js"
export { formatFileName, parseFileName, uniqueBase } from "./filename.js"
export type { MaildirImapFlag } from "./flags.js"
export { flagsFromImap, flagsToImap, MAILDIR_FLAG_LETTERS, normalizeFlags } from "./flags.js"
export type { CheckedMessage, MailboxSettings, MailboxState, MaildirMessage } from "./mailbox.js"
export { MaildirMailbox, READ_CHUNK_BYTES, UIDLIST_FILE } from "./mailbox.js"
export {
  LOCK_TOUCH_INTERVAL_MS,
  MAILDROP_IN_USE,
  POP3_LOCK_FILE,
  pop3UniqueId,
} from "./maildrop.js"
export { decodeMutf7, encodeMutf7 } from "./mutf7.js"
export type { MailboxName, MailboxNameEncoding } from "./names.js"
export {
  MAILBOX_DELIMITER,
  MAX_NAME_BYTES,
  mailboxNameOfFolder,
  parseMailboxName,
  userNameProblem,
  validateUserName,
} from "./names.js"
export type { MaildirStoreOptions } from "./options.js"
export {
  DEFAULT_LOCK_TIMEOUT_MS,
  DEFAULT_STALE_LOCK_MS,
  DEFAULT_STALE_TMP_MS,
  DEFAULT_SYNC_READ_MAX_BYTES,
} from "./options.js"
export type { FileStamp, KeptScan, MaildirStamps } from "./scan-cache.js"
export { DEFAULT_KEPT_SCAN_MESSAGES, MAX_KEPT_SCANS, SETTLED_MTIME_MS } from "./scan-cache.js"
export type { DeliverOptions } from "./store.js"
export { MaildirStore } from "./store.js"
export { SUBSCRIPTIONS_FILE } from "./subscriptions.js"
export type { UidList, UidRecord } from "./uidlist.js"
export { formatUidList, parseUidList, UIDLIST_MAGIC } from "./uidlist.js"
