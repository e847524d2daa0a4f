/**
 * `parseMessage`: a whole message, from bytes or a stream, into the fields mail
 * software needs (RFC 5322 §3.6, RFC 2045–2049, RFC 2183, RFC 2387, RFC 2392), with the
 * full part tree and every defect. It never throws on bad input.
 *
 * Choosing the body is done as mail clients do (RFC 2046 §5.1.4): within a
 * `multipart/alternative` the HTML and plain-text alternatives are taken together as one
 * block; standalone inline text parts are blocks of their own; blocks are joined with a
 * line break. When some blocks have HTML and others only text (or the reverse), the
 * missing form of a block is derived from the other; a message with no plain-text part
 * at all has no `text`, one with no HTML part no `html`. A part with
 * `Content-Disposition: attachment`, and any leaf that is not text/plain or text/html,
 * is an attachment; one with a Content-ID inside `multipart/related` is marked
 * `related` (an inline image). A `message/rfc822` part is an attachment (its raw bytes)
 * when its disposition says so, and is shown inline otherwise. uuencode blocks inside
 * plain text become attachments.
 *
 * Bytes: every `content` is a new array owned by the caller. A `Uint8Array` input is
 * read but not kept or modified.
 */
import {
  type Defect,
  type Group,
  type Mailbox,
  parseAddressList,
  parseDate,
  parseMessageIds,
} from "@mailwire/rfc5322"
import { decodeBase64 } from "./base64.js"
import { ByteCollector } from "./byte-collector.js"
import { decodeCharset } from "./charsets.js"
import type { DefectSink, MimeDefect } from "./defects.js"
import { decodeEncodedWords } from "./encoded-words.js"
import { MimeParser } from "./parser.js"
import type { MimeEvent, MimeParserOptions } from "./parser-events.js"
import type { MimePart } from "./part.js"
import { decodeQuotedPrintable } from "./quoted-printable.js"
import { htmlToText, textToHtml } from "./text-conversion.js"
import { extractUuencoded } from "./uuencode.js"

/** A mailbox or group with its display name decoded (RFC 5322 §3.4, RFC 2047 §5). */
export type Address = Mailbox | Group

/** A header field with its name lowercased and its value's encoded-words decoded (RFC 2047 §6). */
export interface DecodedHeader {
  /** The name lowercased, for look-up. */
  readonly key: string
  /** The name as written. */
  readonly name: string
  readonly value: string
}

/** A file carried by the message (RFC 2183 §2, RFC 2387, RFC 2392). */
export interface Attachment {
  /** From `Content-Disposition: filename` or `Content-Type: name` (RFC 2183 §2.3), decoded. */
  readonly filename?: string
  readonly mimeType: string
  /** `attachment` or `inline`, when the part says (RFC 2183 §2.1). */
  readonly disposition?: string
  /** The Content-ID with its angle brackets (RFC 2392 §2). */
  readonly contentId?: string
  /** The decoded content. */
  readonly content: Uint8Array
  /** True for a part with a Content-ID inside `multipart/related` (RFC 2387): an inline resource. */
  readonly related?: boolean
  /** Where the part is in the tree; `undefined` for a uuencode block inside a text part. */
  readonly part?: MimePart
}

/** A defect and the path of the part where it was found. */
export interface MessageDefect extends Defect {
  readonly path: readonly number[]
}

/** The result of {@link parseMessage}. */
export interface ParsedMessage {
  /** Every top-level header field in order, encoded-words decoded. */
  readonly headers: readonly DecodedHeader[]
  /** The Subject, decoded (RFC 5322 §3.6.5, RFC 2047). */
  readonly subject: string | undefined
  /** The From mailboxes (RFC 5322 §3.6.2). */
  readonly from: readonly Address[]
  /** The `Sender` mailbox (RFC 5322 §3.6.2). */
  readonly sender: Mailbox | undefined
  /** Reply-To, To, Cc and Bcc (RFC 5322 §3.6.2–3), from every field of that name. */
  readonly replyTo: readonly Address[]
  readonly to: readonly Address[]
  readonly cc: readonly Address[]
  readonly bcc: readonly Address[]
  /** The `Date` (RFC 5322 §3.3), or `undefined` when missing or unreadable. */
  readonly date: Date | undefined
  /** The Message-ID with angle brackets (RFC 5322 §3.6.4). */
  readonly messageId: string | undefined
  /** The first In-Reply-To id, and every References id, with angle brackets (RFC 5322 §3.6.4). */
  readonly inReplyTo: string | undefined
  readonly references: readonly string[]
  /** The plain-text body, as mail clients choose it; `undefined` when there is no text part. */
  readonly text: string | undefined
  /** The HTML body, as mail clients choose it; `undefined` when there is no HTML part. */
  readonly html: string | undefined
  /** Attachments and inline resources, in tree order. */
  readonly attachments: readonly Attachment[]
  /** The whole part tree with offsets and line counts. */
  readonly root: MimePart
  /** Every defect in the tree, with the path of its part. */
  readonly defects: readonly MessageDefect[]
}

/** Options of {@link parseMessage}: the parser's limits. */
export type ParseMessageOptions = Omit<MimeParserOptions, "bodies">

/** What {@link parseMessage} reads: bytes, a web stream, or any async iterable of chunks. */
export type MessageSource = Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>

interface TextBlock {
  readonly plain: string[]
  readonly html: string[]
}

interface Context {
  readonly alternative: TextBlock | null
  readonly isRelated: boolean
  /** Inside a message/rfc822 taken whole as an attachment: nothing below is looked at. */
  readonly isOpaque: boolean
}

/**
 * Parses a whole message. Never throws on bad input (a failing stream still rejects).
 *
 * @example
 * ```ts
 * const message = await parseMessage(new TextEncoder().encode("Subject: hi\r\n\r\nHello"))
 * message.subject // "hi"
 * message.text    // "Hello"
 * ```
 */
export async function parseMessage(
  input: MessageSource,
  options: ParseMessageOptions = {},
): Promise<ParsedMessage> {
  if (input instanceof Uint8Array) return parseMessageBytes(input, options)
  const collector = new MessageCollector(null)
  const parser = new MimeParser(options)
  for await (const chunk of iterate(input)) {
    collector.chunk(chunk)
    collector.handle(parser.push(chunk))
  }
  collector.handle(parser.end())
  return collector.result()
}

/** The synchronous form of {@link parseMessage} for a message already in memory. */
export function parseMessageBytes(
  input: Uint8Array,
  options: ParseMessageOptions = {},
): ParsedMessage {
  const collector = new MessageCollector(input)
  const parser = new MimeParser({ ...options, bodies: "raw" })
  collector.handle(parser.push(input))
  collector.handle(parser.end())
  return collector.result()
}

async function* iterate(
  input: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  if (Symbol.asyncIterator in input) {
    yield* input as AsyncIterable<Uint8Array>
    return
  }
  const reader = (input as ReadableStream<Uint8Array>).getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    reader.releaseLock()
  }
}

/** Turns parser events into a {@link ParsedMessage}. */
class MessageCollector {
  /** The whole input when it was given at once; bodies are then decoded from it at the end of each part. */
  private readonly whole: Uint8Array | null
  private readonly contexts: Context[] = []
  private readonly bodies = new Map<MimePart, ByteCollector>()
  private readonly blocks: TextBlock[] = []
  private readonly attachments: Attachment[] = []
  /** Recent input chunks with their offsets, kept while a message/rfc822 is captured raw. */
  private recent: { start: number; bytes: Uint8Array }[] = []
  private captures = 0
  private current: { start: number; bytes: Uint8Array } | null = null
  private offset = 0
  private root: MimePart | null = null

  constructor(whole: Uint8Array | null) {
    this.whole = whole
  }

  /** Notes the next input chunk; it is copied only while an enclosed message is captured. */
  chunk(bytes: Uint8Array): void {
    this.current = { start: this.offset, bytes }
    this.offset += bytes.length
    if (this.captures > 0) this.recent.push({ start: this.current.start, bytes: bytes.slice() })
    else this.recent = []
  }

  handle(events: MimeEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case "partStart":
          this.start(event.part)
          break
        case "body":
          this.bodies.get(event.part)?.push(event.bytes)
          break
        case "partEnd":
          this.finish(event.part)
          break
        case "end":
          this.root = event.root
          break
      }
    }
  }

  private start(part: MimePart): void {
    const parent = this.contexts[this.contexts.length - 1] ?? {
      alternative: null,
      isRelated: false,
      isOpaque: false,
    }
    const { type, subtype } = part.contentType
    let context = parent
    if (parent.isOpaque) {
      context = parent
    } else if (type === "multipart") {
      if (subtype === "alternative" && parent.alternative === null) {
        const block: TextBlock = { plain: [], html: [] }
        this.blocks.push(block)
        context = { ...parent, alternative: block }
      } else if (subtype === "related") {
        context = { ...parent, isRelated: true }
      }
    } else if (isAttachedMessage(part)) {
      context = { ...parent, isOpaque: true }
      if (this.captures++ === 0 && this.current !== null) {
        this.recent.push({ start: this.current.start, bytes: this.current.bytes.slice() })
      }
    }
    if (this.whole === null && type !== "multipart" && !parent.isOpaque) {
      this.bodies.set(part, new ByteCollector())
    }
    this.contexts.push(context)
  }

  private finish(part: MimePart): void {
    const context = this.contexts.pop()!
    const parent = this.contexts[this.contexts.length - 1]
    if (parent?.isOpaque === true) return
    const { type, subtype, mimeType } = part.contentType
    if (type === "multipart") return
    const isMessage = type === "message" && (subtype === "rfc822" || subtype === "global")
    if (isMessage && part.children.length > 0) {
      if (!context.isOpaque) return
      this.captures--
      this.attachments.push(this.attachment(part, this.rawBody(part), context))
      return
    }
    if (isMessage && context.isOpaque) this.captures--
    const content = this.body(part)
    if (isInlineText(part)) {
      const charset = part.contentType.parameters.charset ?? "utf-8"
      const sink = (d: MimeDefect) => part.defects.push(d)
      let text = decodeCharset(content, charset === "us-ascii" ? "utf-8" : charset, sink)
      const block = context.alternative ?? { plain: [], html: [] }
      if (context.alternative === null) this.blocks.push(block)
      if (mimeType === "text/html") {
        block.html.push(text)
      } else {
        const found = extractUuencoded(text)
        text = found.text
        for (const file of found.files) {
          this.attachments.push({
            filename: file.filename,
            mimeType: "application/octet-stream",
            disposition: "attachment",
            content: file.content,
          })
        }
        block.plain.push(text)
      }
      return
    }
    this.attachments.push(this.attachment(part, content, context))
  }

  private attachment(part: MimePart, content: Uint8Array, context: Context): Attachment {
    const filename = part.disposition?.parameters.filename ?? part.contentType.parameters.name
    const contentId = part.headers.get("content-id")?.trim()
    const disposition = part.disposition?.value
    const isRelated = context.isRelated && contentId !== undefined && contentId !== ""
    return {
      mimeType: part.contentType.mimeType,
      content,
      part,
      ...(filename === undefined ? {} : { filename }),
      ...(disposition === undefined || disposition === "" ? {} : { disposition }),
      ...(contentId === undefined || contentId === "" ? {} : { contentId }),
      ...(isRelated ? { related: true } : {}),
    }
  }

  /** The decoded body of a leaf part. */
  private body(part: MimePart): Uint8Array {
    if (this.whole === null) return this.bodies.get(part)?.take() ?? new Uint8Array(0)
    this.bodies.delete(part)
    return decodeTransfer(
      this.whole.subarray(part.bodyStart, part.bodyEnd),
      part.transferEncoding,
      (d) => part.defects.push(d),
    )
  }

  /** The raw body of an enclosed message taken whole. */
  private rawBody(part: MimePart): Uint8Array {
    if (this.whole !== null) return this.whole.slice(part.bodyStart, part.bodyEnd)
    const out = new Uint8Array(part.bodyEnd - part.bodyStart)
    for (const { start, bytes } of this.recent) {
      const from = Math.max(part.bodyStart, start)
      const to = Math.min(part.bodyEnd, start + bytes.length)
      if (from < to) out.set(bytes.subarray(from - start, to - start), from - part.bodyStart)
    }
    return out
  }

  result(): ParsedMessage {
    const root = this.root!
    const headers = root.headers.fields.map((f) => ({
      key: f.name.toLowerCase(),
      name: f.name,
      value: decodeEncodedWords(f.value),
    }))
    const raw = (name: string) => root.headers.get(name)
    const defects: MessageDefect[] = []
    const walk = (part: MimePart) => {
      for (const d of part.defects) defects.push({ ...d, path: part.path })
      for (const child of part.children) walk(child)
    }
    const addresses = (name: string): Address[] => {
      const out: Address[] = []
      for (const value of root.headers.getAll(name)) {
        const parsed = parseAddressList(value)
        for (const d of parsed.defects)
          root.defects.push({ code: "INVALID_ADDRESS", message: `${name}: ${d.message}` })
        for (const a of parsed.addresses) out.push(decodeAddress(a))
      }
      return out
    }
    const subject = raw("subject")
    const dateText = raw("date")
    const date = dateText === undefined ? null : parseDate(dateText).date
    const firstId = (name: string) => {
      const value = raw(name)
      if (value === undefined) return undefined
      const id = parseMessageIds(value).ids[0]
      return id === undefined ? undefined : `<${id}>`
    }
    const referencesText = root.headers.getAll("references").join(" ")
    const senderList = addresses("sender")
    const sender = senderList.flatMap((a) => (a.type === "group" ? a.members : [a]))[0]
    const message: ParsedMessage = {
      headers,
      subject: subject === undefined ? undefined : decodeEncodedWords(subject).trim(),
      from: addresses("from"),
      sender,
      replyTo: addresses("reply-to"),
      to: addresses("to"),
      cc: addresses("cc"),
      bcc: addresses("bcc"),
      date: date ?? undefined,
      messageId: firstId("message-id"),
      inReplyTo: firstId("in-reply-to"),
      references: parseMessageIds(referencesText).ids.map((id) => `<${id}>`),
      ...this.texts(),
      attachments: this.attachments,
      root,
      defects,
    }
    walk(root)
    return message
  }

  private texts(): { text: string | undefined; html: string | undefined } {
    const plain: string[] = []
    const html: string[] = []
    let hasPlain = false
    let hasHtml = false
    for (const block of this.blocks) {
      if (block.plain.length === 0 && block.html.length === 0) continue
      hasPlain ||= block.plain.length > 0
      hasHtml ||= block.html.length > 0
      plain.push(
        block.plain.length > 0 ? block.plain.join("\n") : htmlToText(block.html.join("\n")),
      )
      html.push(block.html.length > 0 ? block.html.join("\n") : textToHtml(block.plain.join("\n")))
    }
    return {
      text: hasPlain ? plain.join("\n") : undefined,
      html: hasHtml ? html.join("\n") : undefined,
    }
  }
}

function isInlineText(part: MimePart): boolean {
  if (part.disposition?.value === "attachment") return false
  const { mimeType } = part.contentType
  return mimeType === "text/plain" || mimeType === "text/html"
}

function isAttachedMessage(part: MimePart): boolean {
  const { type, subtype } = part.contentType
  return (
    type === "message" &&
    (subtype === "rfc822" || subtype === "global") &&
    part.disposition?.value === "attachment"
  )
}

/** Removes the content-transfer-encoding (RFC 2045 §6) of a whole body. */
export function decodeTransfer(
  body: Uint8Array,
  encoding: string,
  onDefect?: DefectSink,
): Uint8Array {
  switch (encoding) {
    case "base64":
      return decodeBase64(body, onDefect)
    case "quoted-printable":
      return decodeQuotedPrintable(body, onDefect)
    default:
      return body.slice()
  }
}

function decodeAddress(address: Address): Address {
  if (address.type === "group") {
    return {
      type: "group",
      name: decodeEncodedWords(address.name),
      members: address.members.map((m) => decodeMailbox(m)),
    }
  }
  return decodeMailbox(address)
}

function decodeMailbox(mailbox: Mailbox): Mailbox {
  return { type: "mailbox", name: decodeEncodedWords(mailbox.name), address: mailbox.address }
}
