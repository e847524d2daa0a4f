/**
 * `@mailwire/rfc5322` — the message-format layer: header blocks, addresses, dates and
 * message identifiers (RFC 5322, its obsolete syntax of §4, and RFC 6532 UTF-8
 * headers). Strict to write, tolerant to read: writers throw `LocalProtocolError` on
 * anything that could corrupt a message, readers never throw and record defects.
 *
 * - {@link HeaderParser} / {@link parseHeaders} / {@link HeaderList}: header blocks.
 * - {@link parseAddressList}, {@link formatAddress}, {@link formatAddressList}.
 * - {@link parseDate}, {@link formatDate}.
 * - {@link parseMessageIds}.
 * - {@link unfold}, {@link foldHeader}.
 *
 * No Node APIs, no clock, no I/O: it runs in Node, Deno, Bun, browsers and Workers.
 *
 * @example
 * ```ts
 * import { parseAddressList, parseHeaders } from "@mailwire/rfc5322"
 *
 * const headers = parseHeaders(new TextEncoder().encode("To: Jane <jane@example.test>\r\n\r\n"))
 * parseAddressList(headers.get("to")!.value).addresses[0]
 * // { type: "mailbox", name: "Jane", address: "jane@example.test" }
 * ```
 *
 * @packageDocumentation
 */
export type { AddressListData, Group, Mailbox } from "./address.js"
export { parseAddressList, parseMailbox } from "./address.js"
export { formatAddress, formatAddressList } from "./address-format.js"
export type { DateData } from "./date.js"
export { formatDate, MAX_DATE_LENGTH, parseDate } from "./date.js"
export type { Defect, DefectCode } from "./defect.js"
export { FOLD_TARGET_LENGTH, foldHeader, MAX_LINE_OCTETS, unfold } from "./fold.js"
export type { HeaderField } from "./header-field.js"
export type { HeaderListInit } from "./header-list.js"
export { HeaderList, parseHeaders } from "./header-list.js"
export type { HeaderParserOptions, HeaderPushResult } from "./header-parser.js"
export { DEFAULT_MAX_HEADER_BYTES, HeaderParser } from "./header-parser.js"
export type { MessageIdsData } from "./message-id.js"
export { parseMessageIds } from "./message-id.js"
