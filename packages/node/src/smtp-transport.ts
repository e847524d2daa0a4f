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
  type SmtpSendWaiter,
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

/**
 * A message given to the pool, waiting for room on a connection or on one. It is the
 * connection's waiter for the message's outcome (`SmtpClient.sendTo`): settled, it
 * releases the connection it was on and settles the promise `sendMail` returned, so no
 * promise of its own, nor callbacks chained on one, are made per message.
 */
class PoolMessage implements SmtpSendWaiter {
  /** The connection the message was given to, released once it is settled. */
  entry: Pooled | null = null

  constructor(
    private readonly pool: Pool,
    /** The message has a streamed body, so it needs a connection to itself. */
    readonly exclusive: boolean,
    readonly request: SmtpSendRequest,
    /** The envelope as `sendMail` resolves with it. */
    private readonly envelope: SentMessageInfo["envelope"],
    private readonly resolveResult: (info: SentMessageInfo) => void,
    private readonly rejectResult: (error: unknown) => void,
  ) {}

  resolve(result: SmtpSendResult): void {
    const entry = this.entry
    if (entry !== null) this.pool.release(entry)
    const { accepted, rejected, rejectedErrors, response } = result
    this.resolveResult({ accepted, rejected, rejectedErrors, response, envelope: this.envelope })
  }

  /** Fails the message; the connection is marked broken unless the message itself failed. */
  reject(error: unknown): void {
    const entry = this.entry
    if (entry !== null) {
      if (!isMessageError(error)) entry.broken = true
      this.pool.release(entry)
    }
    this.rejectResult(error)
  }
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
  private readonly waiting: PoolMessage[] = []
  private isClosed = false
  /** The options every connection is made with, checked at the first one only. */
  private clientOptions: SmtpClientOptions | null = null

  constructor(private readonly options: ResolvedTransportOptions) {}

  /**
   * Sends one message on a connection. Once it is queued on the client, room left on the
   * connection goes to the messages waiting, in the order they came.
   */
  send(parts: MessageParts): Promise<SentMessageInfo> {
    const { body, envelope } = parts
    const request: SmtpSendRequest = { from: envelope.from, to: envelope.to, body }
    const exclusive = !(body instanceof Uint8Array)
    return new Promise((resolve, reject) =>
      this.place(new PoolMessage(this, exclusive, request, envelope, resolve, reject)),
    )
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

  /**
   * Puts a message on a connection: an idle one, else a new one while fewer than
   * `maxConnections` are open, else behind the messages of a busy one that pipelines, else
   * it waits. A message that finds a connection is handed to it at once, and settled
   * straight from the client's outcome: no promise for the connection, and none chained
   * per step, as this runs for every message sent.
   */
  private place(message: PoolMessage): void {
    if (this.isClosed) {
      message.reject(new ConnectionError("ABORTED", "send", "the transport was closed"))
      return
    }
    const exclusive = message.exclusive
    const idle = this.takeIdle()
    if (idle !== null) {
      this.sendOn(this.assign(idle, exclusive), message)
    } else if (this.all.size < this.limit()) {
      this.open(exclusive).then(
        (entry) => this.sendOn(entry, message),
        (error: unknown) => message.reject(error),
      )
    } else {
      // Behind messages already waiting, a message waits too: they go first.
      const busy = exclusive || this.waiting.length > 0 ? null : this.leastBusy()
      if (busy !== null) this.sendOn(this.assign(busy, false), message)
      else this.waiting.push(message)
    }
  }

  /**
   * Sends `message` on `entry`, which already counts it (`assign`); the room left on the
   * connection goes to the messages waiting. The message releases the connection once it
   * is settled (see {@link PoolMessage}).
   */
  private sendOn(entry: Pooled, message: PoolMessage): void {
    message.entry = entry
    entry.client.sendTo(message.request, message)
    this.serveWaiters(entry)
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

  /**
   * A message on `entry` is settled: the connection takes waiting messages, goes idle, or
   * is retired when spent, broken or closing.
   */
  release(entry: Pooled): void {
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
      this.sendOn(this.assign(entry, waiter.exclusive), waiter)
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
    if (next !== undefined) this.place(next)
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
    // Not `async`: the pool's promise is returned as it is, with no second one around it.
    sendMail(message) {
      let parts: MessageParts
      try {
        parts = isRaw(message) ? rawParts(message) : builtParts(message)
      } catch (error) {
        return Promise.reject(error)
      }
      if (parts.envelope.to.length === 0) {
        return Promise.reject(
          new LocalProtocolError("INVALID_ARGUMENT", "the message has no recipients"),
        )
      }
      return pool.send(parts)
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
