/**
 * `createTransport` and `sendMail`: the nodemailer-shaped way to send mail with
 * {@link SmtpClient}s. A message is a `@mailwire/mime` builder spec or raw bytes; the
 * envelope comes from the message when not given (see `smtp-envelope.ts`). With
 * `pool: true` connections are kept and reused (`maxConnections`, `maxMessages`,
 * `idleTimeout`); without it each message gets its own connection. A pooled connection
 * whose server offers PIPELINING carries a few messages at once, each one's envelope
 * written behind the previous one's end of data (RFC 2920 §3.1).
 *
 * Every failure rejects the `sendMail` promise with a typed error; a broken connection
 * fails only the messages on it, and the pool opens a new one for the next.
 */
import { buildMessage, buildMessageStream, type MessageSpec } from "@mailwire/mime"
import { CAP_PIPELINING, hasCapability } from "@mailwire/smtp"
import { encodeUtf8, LocalProtocolError } from "@mailwire/wire"
import { ConnectionError, SmtpReplyError } from "./errors.js"
import { parseOptions } from "./options.js"
import {
  SmtpClient,
  type SmtpConnectInfo,
  type SmtpSendRequest,
  type SmtpSendResult,
} from "./smtp-client.js"
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
   * Quits idle connections now and busy ones once their messages are done; later
   * `sendMail` calls reject with `ABORTED`.
   */
  close(): Promise<void>
}

interface Pooled {
  readonly client: SmtpClient
  /** Messages given to this connection so far (counted against `maxMessages`). */
  assigned: number
  /** Messages on it now: being sent, or queued behind the one being sent. */
  busy: number
  /** Most messages it carries at once: 0 while connecting, more than 1 with PIPELINING. */
  depth: number
  /** A message with a streamed body is on it: nothing is queued behind that one. */
  isExclusive: boolean
  broken: boolean
  /** Checks, once `idleTimeout` is up, whether the connection has been idle that long. */
  idleTimer: ReturnType<typeof setTimeout> | null
  /** When it last became idle, on the `performance.now()` clock. */
  idleSince: number
}

interface Waiting {
  /** The message has a streamed body, so it needs a connection to itself. */
  readonly exclusive: boolean
  resolve(entry: Pooled): void
  reject(error: Error): void
}

/**
 * Messages a pooled connection carries at once when the server offers PIPELINING: the
 * one being sent and two queued behind it, whose envelopes follow its end-of-data in the
 * same write (RFC 2920 §3.1: "the actual transfer of message content is explicitly
 * allowed to be the first 'command' in a group"). Two queued is the fewest that keeps a
 * next envelope ready when a message's final reply and the next one's `354` arrive
 * together; more would only put more messages behind a connection that may break.
 */
const PIPELINED_MESSAGES_PER_CONNECTION = 3

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

/**
 * Connections shared by the messages of a transport. A message goes to an idle
 * connection, else to a new one while fewer than `maxConnections` are open, else behind
 * the messages of a busy connection that pipelines, else it waits. A message with a
 * streamed body gets a connection to itself, so a stream that fails (and so ends the
 * connection) fails no other message.
 */
class Pool {
  private readonly all = new Set<Pooled>()
  private readonly idle: Pooled[] = []
  private readonly waiting: Waiting[] = []
  private isClosed = false
  /** The options every connection is made with, checked at the first one only. */
  private clientOptions: SmtpClientOptions | null = null

  constructor(private readonly options: ResolvedTransportOptions) {}

  /**
   * Sends one message on a connection. Once it is queued on the client, room left on the
   * connection goes to the messages waiting, in the order they came.
   */
  async send(request: SmtpSendRequest): Promise<SmtpSendResult> {
    const entry = await this.acquire(!(request.body instanceof Uint8Array))
    try {
      const sending = entry.client.send(request)
      this.serveWaiters(entry)
      return await sending
    } catch (error) {
      if (!isMessageError(error)) entry.broken = true
      throw error
    } finally {
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

  private async acquire(exclusive: boolean): Promise<Pooled> {
    if (this.isClosed) throw new ConnectionError("ABORTED", "send", "the transport was closed")
    const idle = this.takeIdle()
    if (idle !== null) return this.assign(idle, exclusive)
    if (this.all.size < this.limit()) return this.open(exclusive)
    // Behind messages already waiting, a message waits too: they go first.
    const busy = exclusive || this.waiting.length > 0 ? null : this.leastBusy()
    if (busy !== null) return this.assign(busy, false)
    return new Promise((resolve, reject) => this.waiting.push({ exclusive, resolve, reject }))
  }

  /** The most recently used idle connection that still works; broken ones are retired. */
  private takeIdle(): Pooled | null {
    for (let entry = this.idle.pop(); entry !== undefined; entry = this.idle.pop()) {
      // Its idle check, if pending, finds it busy and stops by itself.
      if (entry.client.isUsable) return entry
      void this.retire(entry)
    }
    return null
  }

  /** The busy connection with the fewest messages that can take one more, if any. */
  private leastBusy(): Pooled | null {
    let best: Pooled | null = null
    for (const entry of this.all) {
      if (entry.busy > 0 && this.hasRoom(entry) && (best === null || entry.busy < best.busy)) {
        best = entry
      }
    }
    return best
  }

  private hasRoom(entry: Pooled): boolean {
    return (
      !this.isClosed &&
      !entry.broken &&
      !entry.isExclusive &&
      entry.busy < entry.depth &&
      entry.assigned < this.messagesPerConnection() &&
      entry.client.isUsable
    )
  }

  private messagesPerConnection(): number {
    return this.options.pool ? this.options.maxMessages : 1
  }

  private assign(entry: Pooled, exclusive: boolean): Pooled {
    entry.busy++
    entry.assigned++
    if (exclusive) entry.isExclusive = true
    return entry
  }

  private async open(exclusive: boolean): Promise<Pooled> {
    if (this.clientOptions === null) {
      const { pool, maxConnections, maxMessages, idleTimeout, ...clientOptions } = this.options
      this.clientOptions = validatedClientOptions(clientOptions)
    }
    const entry: Pooled = {
      client: new SmtpClient(this.clientOptions),
      assigned: 0,
      busy: 0,
      depth: 0,
      isExclusive: false,
      broken: false,
      idleTimer: null,
      idleSince: 0,
    }
    this.all.add(entry)
    this.assign(entry, exclusive)
    let info: SmtpConnectInfo
    try {
      info = await entry.client.connect()
    } catch (error) {
      this.all.delete(entry)
      entry.client.close()
      this.wakeNext()
      throw error
    }
    const pipelines =
      this.options.pool &&
      this.options.pipelining &&
      hasCapability(info.capabilities, CAP_PIPELINING)
    entry.depth = pipelines ? PIPELINED_MESSAGES_PER_CONNECTION : 1
    return entry
  }

  private release(entry: Pooled): void {
    entry.busy--
    if (entry.busy === 0) entry.isExclusive = false
    const spent = entry.assigned >= this.messagesPerConnection()
    if (this.isClosed || spent || entry.broken || !entry.client.isUsable) {
      // The messages still on it finish (or fail) first; then it goes.
      if (entry.busy > 0) return
      void this.retire(entry)
      this.wakeNext()
      return
    }
    this.serveWaiters(entry)
    if (entry.busy > 0) return
    this.idle.push(entry)
    entry.idleSince = performance.now()
    if (this.options.idleTimeout > 0 && entry.idleTimer === null) {
      this.checkIdle(entry, this.options.idleTimeout)
    }
  }

  /**
   * Retires `entry` after `ms` if it has been idle for `idleTimeout` by then. A connection
   * that goes busy and idle again keeps the timer it has (no timer is re-armed for every
   * message): when it fires early it waits again for what is left.
   */
  private checkIdle(entry: Pooled, ms: number): void {
    entry.idleTimer = setTimeout(() => {
      entry.idleTimer = null
      const at = this.idle.indexOf(entry)
      // Busy again (or gone): its next release starts a new check.
      if (at < 0) return
      const left = entry.idleSince + this.options.idleTimeout - performance.now()
      if (left > 0) {
        this.checkIdle(entry, left)
        return
      }
      this.idle.splice(at, 1)
      void this.retire(entry)
    }, ms)
  }

  /**
   * Gives waiting messages to `entry` while it has room, oldest first. A streamed message
   * first in line waits for a connection with nothing on it, and the messages behind it
   * wait too, so busy connections drain for it instead of taking it over.
   */
  private serveWaiters(entry: Pooled): void {
    while (this.waiting.length > 0 && this.hasRoom(entry)) {
      const waiter = this.waiting[0]!
      if (waiter.exclusive && entry.busy > 0) return
      this.waiting.shift()
      waiter.resolve(this.assign(entry, waiter.exclusive))
    }
  }

  private async retire(entry: Pooled): Promise<void> {
    if (entry.idleTimer !== null) clearTimeout(entry.idleTimer)
    entry.idleTimer = null
    this.all.delete(entry)
    await entry.client.quit()
  }

  /** A connection went: a waiting message may open a new one. */
  private wakeNext(): void {
    if (this.isClosed || this.all.size >= this.limit()) return
    const next = this.waiting.shift()
    if (next !== undefined) this.acquire(next.exclusive).then(next.resolve, next.reject)
  }
}

/** What is sent for a message: its bytes (or stream) and its envelope. */
interface MessageParts {
  readonly body: Uint8Array | ReadableStream<Uint8Array>
  readonly envelope: { from: string; to: string[] }
}

function rawParts(message: RawMessage): MessageParts {
  const body = typeof message.raw === "string" ? encodeUtf8(message.raw) : message.raw
  // The headers are parsed only when the caller gave no envelope.
  const envelope =
    message.envelope === undefined ? envelopeFromHeaders(body) : normalizeEnvelope(message.envelope)
  return { body, envelope }
}

function builtParts(message: BuiltMessage): MessageParts {
  const { envelope: given, ...spec } = message
  const body = hasStreamedAttachment(spec) ? buildMessageStream(spec) : buildMessage(spec)
  const derived = envelopeFromSpec(spec)
  return { body, envelope: given === undefined ? derived : normalizeEnvelope(given) }
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
      const { body, envelope } = isRaw(message) ? rawParts(message) : builtParts(message)
      if (envelope.to.length === 0) {
        throw new LocalProtocolError("INVALID_ARGUMENT", "the message has no recipients")
      }
      const result = await pool.send({ from: envelope.from, to: envelope.to, body })
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
