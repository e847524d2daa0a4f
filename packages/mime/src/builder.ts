/**
 * `buildMessage` and `buildMessageStream`: a message from a plain description
 * (RFC 5322 §3.6, RFC 2045–2047, RFC 2183, RFC 2231, RFC 2387, RFC 2392, RFC 6532).
 *
 * The structure follows the content: text and HTML become `multipart/alternative`,
 * inline images with a Content-ID go with the HTML into `multipart/related`, other
 * attachments wrap everything in `multipart/mixed`, and a lone body is a single part.
 * Each part's transfer encoding is chosen from its bytes (see `transfer-encoding.ts`).
 * Non-ASCII header text becomes RFC 2047 encoded-words, non-ASCII domains IDNA
 * A-labels, and non-ASCII filenames RFC 2231 parameters — unless `smtputf8: true`, when
 * UTF-8 is written as it is (RFC 6532 §3). Boundaries and the Message-ID come from an
 * injectable random source; the Date from an injectable clock.
 *
 * It is strict: CR, LF or NUL in any header field, a bad field name or content type,
 * or a streamed attachment given to the synchronous `buildMessage`, throw
 * `LocalProtocolError` before any output is produced. The bytes returned are new.
 */
import {
  foldHeader,
  formatAddress,
  formatDate,
  type Group,
  type Mailbox,
  parseAddressList,
} from "@mailwire/rfc5322"
import { encodeUtf8, LocalProtocolError } from "@mailwire/wire"
import { Base64Encoder } from "./base64.js"
import { encodeEncodedWords, encodeWords, isPlainHeaderText } from "./encoded-words.js"
import { formatStructuredValue } from "./parameters.js"
import {
  applyTransferEncoding,
  canonicalLineBreaks,
  chooseTransferEncoding,
  type TransferEncoding,
} from "./transfer-encoding.js"

/** A mailbox as text (`"Name <a@example.com>"`) or as parts (RFC 5322 §3.4). */
export type AddressSpec = string | { readonly name?: string; readonly address: string }

/** A file to attach (RFC 2183) or an inline resource for the HTML (RFC 2387, RFC 2392). */
export interface AttachmentSpec {
  readonly filename?: string
  /** Bytes, text (written as UTF-8), or a stream (always base64, never held whole). */
  readonly content: Uint8Array | string | ReadableStream<Uint8Array>
  /** The MIME type; `application/octet-stream` by default. */
  readonly contentType?: string
  /** A Content-ID (with or without `<>`): the part is inline, in `multipart/related` with the HTML. */
  readonly contentId?: string
  /** `attachment` (default) or `inline`. */
  readonly disposition?: "attachment" | "inline"
}

/** A message to build (RFC 5322 §3.6). */
export interface MessageSpec {
  /** Authors (RFC 5322 §3.6.2); the first one's domain names a generated Message-ID. */
  readonly from?: AddressSpec | readonly AddressSpec[]
  readonly sender?: AddressSpec
  /** Recipients and reply addresses (RFC 5322 §3.6.2–3). */
  readonly replyTo?: AddressSpec | readonly AddressSpec[]
  readonly to?: AddressSpec | readonly AddressSpec[]
  readonly cc?: AddressSpec | readonly AddressSpec[]
  /** Written only with `keepBcc: true`; otherwise left to the envelope, as RFC 5322 §3.6.3 allows. */
  readonly bcc?: AddressSpec | readonly AddressSpec[]
  /** Write the Bcc field into the message. Default `false`. */
  readonly keepBcc?: boolean
  /** The Subject; non-ASCII becomes encoded-words unless `smtputf8`. */
  readonly subject?: string
  /** The Date; the clock's time when omitted. */
  readonly date?: Date
  /** The Message-ID (with or without `<>`); a random one at the From domain when omitted. */
  readonly messageId?: string
  /** In-Reply-To and References ids, with or without `<>` (RFC 5322 §3.6.4). */
  readonly inReplyTo?: string
  readonly references?: string | readonly string[]
  /** The plain-text and HTML bodies; line breaks are written as CRLF. */
  readonly text?: string
  readonly html?: string
  /** Files and inline resources. */
  readonly attachments?: readonly AttachmentSpec[]
  /** More header fields, in order. Non-ASCII values are encoded as encoded-words unless `smtputf8`. */
  readonly headers?: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>
  /** Write UTF-8 headers as they are (RFC 6532): only for SMTPUTF8 transports. Default `false`. */
  readonly smtputf8?: boolean
  /** Allow `8bit` bodies (RFC 6152 8BITMIME). Default `false`. */
  readonly allow8bit?: boolean
  /** Fills an array with random bytes; `crypto.getRandomValues` by default. */
  readonly random?: (bytes: Uint8Array) => void
  /** The current time, for a missing `date`; `() => new Date()` by default. */
  readonly now?: () => Date
}

type Content = Uint8Array | ReadableStream<Uint8Array>

interface LeafNode {
  readonly kind: "leaf"
  readonly headers: string[]
  readonly content: Content
  readonly encoding: TransferEncoding
}

interface MultipartNode {
  readonly kind: "multipart"
  readonly headers: string[]
  readonly boundary: string
  readonly children: Node[]
}

type Node = LeafNode | MultipartNode

/** A piece of output: bytes to write, or a stream to base64-encode. */
type Piece = Uint8Array | ReadableStream<Uint8Array>

const CRLF = encodeUtf8("\r\n")
const SOFT_BREAK = encodeUtf8("=\r\n")

/**
 * Builds a whole message in memory. Streamed attachments need {@link buildMessageStream}.
 *
 * @example
 * ```ts
 * const bytes = buildMessage({ from: "a@example.com", to: "b@example.com", subject: "Hi", text: "Hello" })
 * ```
 */
export function buildMessage(spec: MessageSpec): Uint8Array {
  const pieces = toPieces(spec)
  let size = 0
  for (const piece of pieces) {
    if (!(piece instanceof Uint8Array)) {
      throw new LocalProtocolError(
        "STREAM_ATTACHMENT",
        "buildMessage cannot read a streamed attachment; use buildMessageStream",
      )
    }
    size += piece.length
  }
  const out = new Uint8Array(size)
  let at = 0
  for (const piece of pieces as Uint8Array[]) {
    out.set(piece, at)
    at += piece.length
  }
  return out
}

/**
 * Builds a message as a stream: streamed attachments are read and base64-encoded as the
 * output is pulled, so they are never held whole. Invalid specs throw before the stream exists.
 */
export function buildMessageStream(spec: MessageSpec): ReadableStream<Uint8Array> {
  const pieces = toPieces(spec)
  let index = 0
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null
  let encoder: Base64Encoder | null = null
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (reader !== null && encoder !== null) {
          const { done, value } = await reader.read()
          if (done) {
            controller.enqueue(encoder.end())
            reader.releaseLock()
            reader = null
            encoder = null
            return
          }
          const out = encoder.update(value)
          if (out.length > 0) {
            controller.enqueue(out)
            return
          }
          continue
        }
        const piece = pieces[index++]
        if (piece === undefined) {
          controller.close()
          return
        }
        if (piece instanceof Uint8Array) {
          controller.enqueue(piece)
          return
        }
        reader = piece.getReader()
        encoder = new Base64Encoder()
      }
    },
    async cancel(reason) {
      await reader?.cancel(reason)
      for (const piece of pieces.slice(index)) {
        if (!(piece instanceof Uint8Array)) await piece.cancel(reason)
      }
    },
  })
}

function toPieces(spec: MessageSpec): Piece[] {
  const random = spec.random ?? ((bytes: Uint8Array) => crypto.getRandomValues(bytes))
  const context: BuildContext = { spec, random, isUtf8: spec.smtputf8 === true }
  const root = messageBody(context)
  const top = messageHeaders(context)
  root.headers.unshift(...top, "MIME-Version: 1.0")
  const pieces: Piece[] = []
  serialize(root, pieces)
  return pieces
}

interface BuildContext {
  readonly spec: MessageSpec
  readonly random: (bytes: Uint8Array) => void
  readonly isUtf8: boolean
}

function randomHex(context: BuildContext, length: number): string {
  const bytes = new Uint8Array(length)
  context.random(bytes)
  let hex = ""
  for (const b of bytes) hex += b.toString(16).padStart(2, "0")
  return hex
}

function list<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return []
  return Array.isArray(value) ? (value as readonly T[]) : [value as T]
}

function toAddresses(specs: readonly AddressSpec[]): Array<Mailbox | Group> {
  const out: Array<Mailbox | Group> = []
  for (const spec of specs) {
    if (typeof spec === "string") {
      if (/[\r\n\0]/.test(spec))
        throw new LocalProtocolError("INVALID_ADDRESS", "an address must not contain CR, LF or NUL")
      const parsed = parseAddressList(spec)
      if (parsed.addresses.length === 0)
        throw new LocalProtocolError("INVALID_ADDRESS", `no address in ${JSON.stringify(spec)}`)
      out.push(...parsed.addresses)
    } else {
      out.push({ type: "mailbox", name: spec.name ?? "", address: spec.address })
    }
  }
  return out
}

function encodeMailbox(mailbox: Mailbox, context: BuildContext): Mailbox {
  let { name, address } = mailbox
  if (/[\r\n\0]/.test(name) || /[\r\n\0]/.test(address)) {
    throw new LocalProtocolError("INVALID_ADDRESS", "an address must not contain CR, LF or NUL")
  }
  if (!context.isUtf8) {
    if (!isPlainHeaderText(name)) name = encodeWords(name)
    const at = address.lastIndexOf("@")
    const local = address.slice(0, at)
    let domain = address.slice(at + 1)
    if (!/^[\x20-\x7e]*$/.test(local)) {
      throw new LocalProtocolError(
        "UTF8_ADDRESS",
        `the address ${JSON.stringify(address)} needs SMTPUTF8; set smtputf8: true`,
      )
    }
    if (at !== -1 && !/^[\x20-\x7e]*$/.test(domain)) domain = aLabels(domain)
    address = at === -1 ? address : `${local}@${domain}`
  }
  return { type: "mailbox", name, address }
}

/**
 * An international domain as IDNA A-labels (RFC 5891), through the platform's URL host
 * parser. Only letters, digits, hyphens, dots and non-ASCII may go in: the host parser
 * would otherwise cut the name at `/`, `?`, `#` or `:` and percent-decode `%`, writing
 * a different domain than the one given (`a@ü.test?.evil.test` became `a@xn--tda.test`),
 * and throws a bare `TypeError` on what it cannot parse.
 */
function aLabels(domain: string): string {
  const refuse = () =>
    new LocalProtocolError(
      "INVALID_ADDRESS",
      `the domain ${JSON.stringify(domain)} is not an international domain name`,
    )
  if (!/^[A-Za-z0-9.\-\u0080-\u{10ffff}]+$/u.test(domain)) throw refuse()
  let host: string
  try {
    host = new URL(`http://${domain}`).hostname
  } catch {
    throw refuse()
  }
  if (!/^[a-z0-9.-]+$/.test(host)) throw refuse()
  return host
}

function addressHeader(
  name: string,
  specs: readonly AddressSpec[],
  context: BuildContext,
): string[] {
  if (specs.length === 0) return []
  const formatted = toAddresses(specs).map((a) => {
    if (a.type === "group") {
      const groupName = !context.isUtf8 && !isPlainHeaderText(a.name) ? encodeWords(a.name) : a.name
      return formatAddress({
        type: "group",
        name: groupName,
        members: a.members.map((m) => encodeMailbox(m, context)),
      })
    }
    return formatAddress(encodeMailbox(a, context))
  })
  return [foldHeader(name, formatted.join(", "))]
}

function messageId(value: string): string {
  const id = value.trim().replace(/^<|>$/g, "")
  if (!/^[\x21-\x7e]+$/.test(id) || id.includes("<") || id.includes(">")) {
    throw new LocalProtocolError(
      "INVALID_MESSAGE_ID",
      `invalid message id ${JSON.stringify(value)}`,
    )
  }
  return `<${id}>`
}

/**
 * An unstructured value (Subject, extra fields) ready to fold. CR, LF and NUL are
 * refused before encoding: inside an encoded-word they would not break the header,
 * but every reader would decode them back into the field (DESIGN §3).
 */
function text(name: string, value: string, context: BuildContext): string {
  if (/[\r\n\0]/.test(value)) {
    throw new LocalProtocolError(
      "INVALID_FIELD_VALUE",
      `header ${name} must not contain CR, LF or NUL`,
    )
  }
  return context.isUtf8 ? value : encodeEncodedWords(value)
}

function messageHeaders(context: BuildContext): string[] {
  const { spec } = context
  const headers: string[] = []
  const date = spec.date ?? (spec.now ?? (() => new Date()))()
  headers.push(foldHeader("Date", formatDate(date, 0)))
  headers.push(...addressHeader("From", list(spec.from), context))
  if (spec.sender !== undefined) headers.push(...addressHeader("Sender", [spec.sender], context))
  headers.push(...addressHeader("Reply-To", list(spec.replyTo), context))
  headers.push(...addressHeader("To", list(spec.to), context))
  headers.push(...addressHeader("Cc", list(spec.cc), context))
  if (spec.keepBcc === true) headers.push(...addressHeader("Bcc", list(spec.bcc), context))
  let id = spec.messageId
  if (id === undefined) {
    const first = toAddresses(list(spec.from))[0]
    const address = first?.type === "mailbox" ? first.address : ""
    const domain = address.includes("@")
      ? address.slice(address.lastIndexOf("@") + 1)
      : "mailwire.invalid"
    const ascii = /^[\x21-\x7e]+$/.test(domain) ? domain : "mailwire.invalid"
    id = `${randomHex(context, 16)}@${ascii}`
  }
  headers.push(foldHeader("Message-ID", messageId(id)))
  if (spec.inReplyTo !== undefined)
    headers.push(foldHeader("In-Reply-To", messageId(spec.inReplyTo)))
  const references = list(spec.references)
  if (references.length > 0)
    headers.push(foldHeader("References", references.map(messageId).join(" ")))
  if (spec.subject !== undefined) {
    headers.push(foldHeader("Subject", text("Subject", spec.subject, context)))
  }
  const extra =
    spec.headers === undefined
      ? []
      : Array.isArray(spec.headers)
        ? spec.headers
        : Object.entries(spec.headers)
  for (const [name, value] of extra as ReadonlyArray<readonly [string, string]>) {
    if (/^(content-|mime-version$)/i.test(name)) {
      throw new LocalProtocolError(
        "INVALID_FIELD_NAME",
        `${name} is written by the builder; it cannot be set`,
      )
    }
    headers.push(foldHeader(name, text(name, value, context)))
  }
  return headers
}

function leafForText(body: string, subtype: "plain" | "html", context: BuildContext): LeafNode {
  const bytes = canonicalLineBreaks(encodeUtf8(body))
  const encoding = chooseTransferEncoding(bytes, true, context.spec.allow8bit === true)
  return {
    kind: "leaf",
    headers: [
      `Content-Type: text/${subtype}; charset=utf-8`,
      `Content-Transfer-Encoding: ${encoding}`,
    ],
    content: bytes,
    encoding,
  }
}

function leafForAttachment(attachment: AttachmentSpec): LeafNode {
  const mimeType = (attachment.contentType ?? "application/octet-stream").toLowerCase()
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(mimeType)) {
    throw new LocalProtocolError(
      "INVALID_CONTENT_TYPE",
      `invalid content type ${JSON.stringify(attachment.contentType)}`,
    )
  }
  const content =
    typeof attachment.content === "string" ? encodeUtf8(attachment.content) : attachment.content
  const encoding: TransferEncoding =
    content instanceof Uint8Array ? chooseTransferEncoding(content, false, false) : "base64"
  const typeParams: Record<string, string> = {}
  const dispositionParams: Record<string, string> = {}
  if (attachment.filename !== undefined) {
    typeParams.name = attachment.filename
    dispositionParams.filename = attachment.filename
  }
  const disposition =
    attachment.disposition ?? (attachment.contentId === undefined ? "attachment" : "inline")
  // The type says "attachment" | "inline", but plain JavaScript callers can pass anything.
  if (!/^[A-Za-z0-9!#$&^_.+-]+$/.test(disposition)) {
    throw new LocalProtocolError(
      "INVALID_DISPOSITION",
      `invalid content disposition ${JSON.stringify(disposition)}`,
    )
  }
  const headers = [
    `Content-Type: ${formatStructuredValue("Content-Type", mimeType, typeParams)}`,
    `Content-Transfer-Encoding: ${encoding}`,
    `Content-Disposition: ${formatStructuredValue("Content-Disposition", disposition, dispositionParams)}`,
  ]
  if (attachment.contentId !== undefined)
    headers.push(foldHeader("Content-ID", messageId(attachment.contentId)))
  return { kind: "leaf", headers, content, encoding }
}

function multipart(subtype: string, children: Node[], context: BuildContext): MultipartNode {
  const boundary = `=_mw_${randomHex(context, 12)}`
  return {
    kind: "multipart",
    headers: [`Content-Type: multipart/${subtype};\r\n boundary="${boundary}"`],
    boundary,
    children,
  }
}

function messageBody(context: BuildContext): Node {
  const { spec } = context
  const attachments = spec.attachments ?? []
  const inline = spec.html === undefined ? [] : attachments.filter((a) => a.contentId !== undefined)
  const regular = attachments.filter((a) => !inline.includes(a))
  let html: Node | null = spec.html === undefined ? null : leafForText(spec.html, "html", context)
  if (html !== null && inline.length > 0) {
    html = multipart("related", [html, ...inline.map((a) => leafForAttachment(a))], context)
  }
  const plain = spec.text === undefined ? null : leafForText(spec.text, "plain", context)
  let body: Node | null =
    plain !== null && html !== null
      ? multipart("alternative", [plain, html], context)
      : (html ?? plain)
  if (body === null && regular.length === 0) body = leafForText("", "plain", context)
  if (regular.length === 0) return body!
  const children = regular.map((a) => leafForAttachment(a))
  return multipart("mixed", body === null ? children : [body, ...children], context)
}

/**
 * Writes `node`. In a multipart, the CRLF before a boundary belongs to the boundary
 * (RFC 2046 §5.1.1), so a body gets one more CRLF unless it is base64 (whose lines all
 * end in CRLF); the message itself just ends with a line break.
 */
function serialize(node: Node, pieces: Piece[], isRoot = true): void {
  pieces.push(encodeUtf8(`${node.headers.join("\r\n")}\r\n\r\n`))
  if (node.kind === "leaf") {
    if (node.content instanceof Uint8Array) {
      const body = applyTransferEncoding(node.content, node.encoding)
      pieces.push(body)
      const endsWithLf = body.length > 0 && body[body.length - 1] === 0x0a
      if (body.length > 0 && !isRoot && node.encoding !== "base64") pieces.push(CRLF)
      // The message ends with a line break; a quoted-printable soft break adds no content.
      if (isRoot && !endsWithLf && body.length > 0) {
        pieces.push(node.encoding === "quoted-printable" ? SOFT_BREAK : CRLF)
      }
    } else {
      pieces.push(node.content)
    }
    return
  }
  for (const child of node.children) {
    pieces.push(encodeUtf8(`--${node.boundary}\r\n`))
    serialize(child, pieces, false)
  }
  pieces.push(encodeUtf8(`--${node.boundary}--\r\n`))
}
