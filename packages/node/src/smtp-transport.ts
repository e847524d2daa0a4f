/**
 * `createTransport` and `sendMail`: the nodemailer-shaped way to send mail with
 * {@link SmtpClient}s. A message is a `@mailwire/mime` builder spec or raw bytes; the
 * envelope comes from the message when not given (see `smtp-envelope.ts`). With
 * `pool: true` connections are kept and reused (`maxConnections`, `maxMessages`,
 * `idleTimeout`); without it each message gets its own connection.
 *
 * Every failure rejects the `sendMail` promise with a typed error; a broken connection
 * fails only the messages on it, and the pool opens a new one for the next.
 */
import { buildMessage, buildMessageStream, type MessageSpec } from "@mailwire/mime"
import { encodeUtf8, LocalProtocolError } from "@mailwire/wire"
import { ConnectionError, SmtpReplyError } from "./errors.js"
import { parseOptions } from "./options.js"
import { SmtpClient, type SmtpSendResult } from "./smtp-client.js"
import {
  type ResolvedTransportOptions,
  type SmtpClientOptions,
  type TransportOptions,
  transportOptionsSchema,
  validatedClientOptions,
} from "./smtp-client-options.js"
import {
  envelopeFromHeaders,
  envelopeFromSpec,
  normalizeEnvelope,
  type SmtpEnvelopeSpec,
} from "./smtp-envelope.js"

/** A message built by `@mailwire/mime` from a spec, with an optional envelope. */
export type BuiltMessage = MessageSpec & { readonly envelope?: SmtpEnvelopeSpec }

/** A message given as bytes (CRLF line ends, not dot-stuffed), with an optional envelope. */
export interface RawMessage {
  readonly raw: Uint8Array | string
  readonly envelope?: SmtpEnvelopeSpec
}

/** What {@link SmtpTransport.sendMail} takes. */
export type MailMessage = BuiltMessage | RawMessage

/** What {@link SmtpTransport.sendMail} resolves with. */
export interface SentMessageInfo extends SmtpSendResult {
  readonly envelope: { readonly from: string; readonly to: readonly string[] }
}

/** Sends messages over one or more SMTP connections. */
export interface SmtpTransport {
  /**
   * Sends one message. Resolves once at least one recipient accepted it; rejects with
   * `SmtpReplyError` (no recipient accepted, or the message was refused),
   * `ConnectionError`, or `LocalProtocolError` (a message the server cannot take).
   */
  sendMail(message: MailMessage): Promise<SentMessageInfo>
  /** Connects, greets (and upgrades and authenticates), then quits: checks the settings. */
  verify(): Promise<void>
  /**
   * Quits idle connections now and busy ones once their message is done; later
   * `sendMail` calls reject with `ABORTED`.
   */
  close(): Promise<void>
}

interface Pooled {
  readonly client: SmtpClient
  sent: number
  broken: boolean
  idleTimer: ReturnType<typeof setTimeout> | null
}

interface Waiting {
  resolve(entry: Pooled): void
  reject(error: Error): void
}

function isRaw(message: MailMessage): message is RawMessage {
  return "raw" in message
}

function hasStreamedAttachment(spec: MessageSpec): boolean {
  return (spec.attachments ?? []).some(
    (attachment) =>
      typeof attachment.content !== "string" && !(attachment.content instanceof Uint8Array),
  )
}

/** Whether an error leaves the connection usable for the next message. */
function isMessageError(error: unknown): boolean {
  return error instanceof SmtpReplyError || error instanceof LocalProtocolError
}

/** Connections shared by the messages of a transport. */
class Pool {
  private readonly all = new Set<Pooled>()
  private readonly idle: Pooled[] = []
  private readonly waiting: Waiting[] = []
  private isClosed = false
  /** The options every connection is made with, checked at the first one only. */
  private clientOptions: SmtpClientOptions | null = null

  constructor(private readonly options: ResolvedTransportOptions) {}

  async run<T>(job: (client: SmtpClient) => Promise<T>): Promise<T> {
    const entry = await this.acquire()
    try {
      return await job(entry.client)
    } catch (error) {
      if (!isMessageError(error)) entry.broken = true
      throw error
    } finally {
      entry.sent++
      this.release(entry)
    }
  }

  async close(): Promise<void> {
    this.isClosed = true
    for (const waiter of this.waiting.splice(0)) {
      waiter.reject(new ConnectionError("ABORTED", "close", "the transport was closed"))
    }
    const idle = this.idle.splice(0)
    await Promise.all(idle.map((entry) => this.retire(entry)))
  }

  private limit(): number {
    return this.options.pool ? this.options.maxConnections : Number.POSITIVE_INFINITY
  }

  private async acquire(): Promise<Pooled> {
    if (this.isClosed) throw new ConnectionError("ABORTED", "send", "the transport was closed")
    for (let entry = this.idle.pop(); entry !== undefined; entry = this.idle.pop()) {
      if (entry.idleTimer !== null) clearTimeout(entry.idleTimer)
      entry.idleTimer = null
      if (entry.client.isUsable) return entry
      void this.retire(entry)
    }
    if (this.all.size >= this.limit()) {
      return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }))
    }
    if (this.clientOptions === null) {
      const { pool, maxConnections, maxMessages, idleTimeout, ...clientOptions } = this.options
      this.clientOptions = validatedClientOptions(clientOptions)
    }
    const entry: Pooled = {
      client: new SmtpClient(this.clientOptions),
      sent: 0,
      broken: false,
      idleTimer: null,
    }
    this.all.add(entry)
    try {
      await entry.client.connect()
    } catch (error) {
      this.all.delete(entry)
      entry.client.close()
      this.wakeNext()
      throw error
    }
    return entry
  }

  private release(entry: Pooled): void {
    const spent = !this.options.pool || entry.sent >= this.options.maxMessages
    if (this.isClosed || spent || entry.broken || !entry.client.isUsable) {
      void this.retire(entry)
      this.wakeNext()
      return
    }
    const next = this.waiting.shift()
    if (next !== undefined) {
      next.resolve(entry)
      return
    }
    this.idle.push(entry)
    if (this.options.idleTimeout > 0) {
      entry.idleTimer = setTimeout(() => {
        const at = this.idle.indexOf(entry)
        if (at >= 0) this.idle.splice(at, 1)
        void this.retire(entry)
      }, this.options.idleTimeout)
    }
  }

  private async retire(entry: Pooled): Promise<void> {
    if (entry.idleTimer !== null) clearTimeout(entry.idleTimer)
    entry.idleTimer = null
    this.all.delete(entry)
    await entry.client.quit()
  }

  private wakeNext(): void {
    if (this.isClosed || this.all.size >= this.limit()) return
    const next = this.waiting.shift()
    if (next !== undefined) this.acquire().then(next.resolve, next.reject)
  }
}

/**
 * Creates a transport. Throws a `TypeError` naming the field for a bad option.
 *
 * @example
 * ```ts
 * const transport = createTransport({ host: "smtp.example.com", port: 587, auth: { user, pass } })
 * await transport.sendMail({ from: "a@example.com", to: "b@example.org", subject: "Hi", text: "Hello" })
 * await transport.close()
 * ```
 */
export function createTransport(options: TransportOptions = {}): SmtpTransport {
  const resolved = parseOptions(transportOptionsSchema, options, "createTransport")
  const pool = new Pool(resolved)
  return {
    async sendMail(message) {
      let body: Uint8Array | ReadableStream<Uint8Array>
      let derive: () => { from: string; to: string[] }
      if (isRaw(message)) {
        const raw = typeof message.raw === "string" ? encodeUtf8(message.raw) : message.raw
        body = raw
        // The headers are parsed only when the caller gave no envelope.
        derive = () => envelopeFromHeaders(raw)
      } else {
        const { envelope: _envelope, ...spec } = message
        body = hasStreamedAttachment(spec) ? buildMessageStream(spec) : buildMessage(spec)
        const derived = envelopeFromSpec(spec)
        derive = () => derived
      }
      const envelope =
        message.envelope === undefined ? derive() : normalizeEnvelope(message.envelope)
      if (envelope.to.length === 0) {
        throw new LocalProtocolError("INVALID_ARGUMENT", "the message has no recipients")
      }
      const result = await pool.run((client) =>
        client.send({ from: envelope.from, to: envelope.to, body }),
      )
      return { ...result, envelope }
    },
    async verify() {
      const {
        pool: _p,
        maxConnections: _c,
        maxMessages: _m,
        idleTimeout: _i,
        ...clientOptions
      } = resolved
      const client = new SmtpClient(clientOptions)
      try {
        await client.connect()
      } finally {
        await client.quit()
      }
    },
    close: () => pool.close(),
  }
}
