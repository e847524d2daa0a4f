/**
 * `SmtpClient`: one SMTP or LMTP client connection over `node:net` / `node:tls`, driving
 * the `@mailwire/smtp` client machine. `connect()` resolves once the session is ready
 * (greeted, upgraded with STARTTLS, authenticated); `send()` runs one mail transaction
 * and resolves with the per-recipient outcome; `quit()` ends politely.
 *
 * Every failure rejects the promise of the call that caused it: `SmtpReplyError` for a
 * negative reply, `ConnectionError` for the connection, `LocalProtocolError` (from
 * `@mailwire/wire`) for a message the server cannot take as asked. No `'error'` event is
 * ever emitted. Bytes of a streamed body are written as they come, with backpressure.
 */
import type { Socket } from "node:net"
import {
  type SmtpCapabilities,
  SmtpClientConnection,
  type SmtpClientEvent,
  type SmtpReply,
  type TransactionResult,
} from "@mailwire/smtp"
import {
  ConnectionError,
  type SmtpRecipientRefusal,
  SmtpReplyError,
  type SmtpReplyErrorOptions,
} from "./errors.js"
import { parseOptions, withoutUndefined } from "./options.js"
import { ReplyDeadline } from "./reply-deadline.js"
import {
  isValidated,
  type ResolvedSmtpClientOptions,
  type SmtpClientOptions,
  smtpClientOptionsSchema,
} from "./smtp-client-options.js"
import { openSocket, upgradeClientSocket, writeBytes, writeChunks } from "./socket-io.js"

/** One message for {@link SmtpClient.send}: the envelope (RFC 5321 §3.3) and the body. */
export interface SmtpSendRequest {
  /** The reverse path; `""` or `null` for `<>`. */
  readonly from: string | null
  readonly to: readonly string[]
  /** The message with CRLF line ends, not dot-stuffed: bytes, or a stream of chunks. */
  readonly body: Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>
}

/** The outcome of a send that at least one recipient accepted. */
export interface SmtpSendResult {
  readonly accepted: readonly string[]
  readonly rejected: readonly string[]
  /** Why each rejected recipient was refused, in the order of `rejected`. */
  readonly rejectedErrors: readonly SmtpReplyError[]
  /** The server's final reply text for the message. */
  readonly response: string
}

/** What {@link SmtpClient.connect} learned. */
export interface SmtpConnectInfo {
  readonly capabilities: SmtpCapabilities
  readonly isSecure: boolean
  /** The SASL mechanism used, or `null`. */
  readonly authenticated: string | null
}

interface Waiter<T> {
  resolve(value: T): void
  reject(error: Error): void
}

/**
 * Who gets the outcome of a send passed to {@link SmtpClient.sendTo}: `resolve` or
 * `reject` is called exactly once.
 */
export type SmtpSendWaiter = Waiter<SmtpSendResult>

interface PendingSend {
  readonly waiter: SmtpSendWaiter
  bodyReady: (() => void) | null
  /** Called once the send is settled, before its waiter (ends a streamed body's wait). */
  settled: (() => void) | null
}

function resolveSend(pending: PendingSend, result: SmtpSendResult): void {
  pending.settled?.()
  pending.waiter.resolve(result)
}

function rejectSend(pending: PendingSend, error: Error): void {
  pending.settled?.()
  pending.waiter.reject(error)
}

/**
 * An SMTP reply as the error that rejects a call; `rejected` goes on a `SmtpReplyError`
 * for a send that no recipient accepted.
 */
export function replyError(
  reply: SmtpReply,
  command: string,
  rejected?: readonly SmtpRecipientRefusal[],
): Error {
  if (reply.synthetic === true) {
    // The machine made this reply up: the server said nothing, the connection ended.
    return new ConnectionError("CLOSED", command, reply.lines.join(" "))
  }
  if (reply.code < 400 || reply.code > 599) {
    return new ConnectionError("PROTOCOL", command, `unexpected reply ${reply.code}`)
  }
  const options: { -readonly [K in keyof SmtpReplyErrorOptions]: SmtpReplyErrorOptions[K] } = {
    command,
    moreLines: reply.lines.slice(1),
  }
  if (reply.enhancedCode !== null) options.enhancedCode = reply.enhancedCode
  if (rejected !== undefined) options.rejected = rejected
  return new SmtpReplyError(reply.code, reply.lines[0] ?? "", options)
}

/**
 * Output up to this size is copied into one buffer before it is written; 16 KiB is well
 * under a loopback or LAN segment burst, and copying that much costs less than handing
 * Node's stream a list of pieces. Bigger output (a large body) is written without a copy.
 */
const JOINED_WRITE_LIMIT = 16 * 1024

/** A reply as one line of text (`250 2.0.0 Ok: queued`), for `SmtpSendResult.response`. */
function replyText(reply: SmtpReply | null): string {
  if (reply === null) return ""
  let text = reply.enhancedCode === null ? `${reply.code}` : `${reply.code} ${reply.enhancedCode}`
  for (const line of reply.lines) text += ` ${line}`
  return text
}

function isByteStream(
  body: SmtpSendRequest["body"],
): body is ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> {
  return !(body instanceof Uint8Array)
}

/**
 * One SMTP/LMTP client connection.
 *
 * @example
 * ```ts
 * const client = new SmtpClient({ host: "smtp.example.com", port: 587, auth: { user, pass } })
 * await client.connect()
 * await client.send({ from: "a@example.com", to: ["b@example.org"], body })
 * await client.quit()
 * ```
 */
export class SmtpClient {
  private readonly options: ResolvedSmtpClientOptions
  private machine: SmtpClientConnection | null = null
  private socket: Socket | null = null
  private connecting: Waiter<SmtpConnectInfo> | null = null
  private readonly sends = new Map<number, PendingSend>()
  private quitting: Waiter<void> | null = null
  private readonly deadline = new ReplyDeadline((stage, ms) => {
    this.fail(new ConnectionError("TIMEOUT", stage, `no reply from the server in ${ms} ms`))
  })
  private failure: Error | null = null
  private isReady = false
  /** The server's bytes are being handled: `receive` writes the answer once at the end. */
  private isReceiving = false

  /** Validates the options; throws a `TypeError` naming a bad field. Nothing is opened yet. */
  constructor(options: SmtpClientOptions = {}) {
    this.options = isValidated(options)
      ? options
      : parseOptions(smtpClientOptionsSchema, options, "SmtpClient")
  }

  /** Whether the session is ready for `send` and has not failed or closed. */
  get isUsable(): boolean {
    return this.isReady && this.failure === null && this.machine?.state !== "closed"
  }

  /** Opens the connection and runs the session up to ready (greeting, STARTTLS, AUTH). */
  async connect(): Promise<SmtpConnectInfo> {
    if (this.machine !== null) throw new ConnectionError("ABORTED", "connect", "connect() twice")
    const o = this.options
    const auth = o.auth
    const credentials =
      auth === undefined
        ? undefined
        : withoutUndefined({
            username: auth.user,
            password: auth.pass,
            accessToken: auth.accessToken,
            authzid: auth.authzid,
          })
    this.machine = new SmtpClientConnection(
      withoutUndefined({
        hostname: o.name,
        lmtp: o.lmtp,
        isSecure: o.secure,
        startTls: o.startTls,
        credentials,
        mechanism: auth?.method,
        allowPlaintextAuth: o.allowPlaintextAuth,
        minScramIterations: o.minScramIterations,
        usePipelining: o.pipelining,
        useChunking: o.chunking,
      }),
    )
    const port = o.port ?? (o.secure ? 465 : 587)
    const socket = await openSocket({
      host: o.host,
      port,
      secure: o.secure,
      tls: o.tls,
      timeout: o.connectionTimeout,
    })
    this.attach(socket)
    this.deadline.wait("greeting", o.greetingTimeout)
    return new Promise((resolve, reject) => {
      this.connecting = { resolve, reject }
    })
  }

  /**
   * Sends one message. Resolves when at least one recipient accepted it; rejects with a
   * `SmtpReplyError` when none did (the first recipient's reply, with every recipient's
   * own refusal in `rejected`), or the connection failed.
   */
  send(request: SmtpSendRequest): Promise<SmtpSendResult> {
    return new Promise((resolve, reject) => this.sendTo(request, { resolve, reject }))
  }

  /**
   * {@link send} with the outcome handed to `waiter` instead of a promise, for a caller
   * that keeps a promise of its own per message (the transport's pool): no promise, and no
   * callbacks chained on one, are made per message. `waiter` is called exactly once; when
   * the send fails before it is queued, not before this call returns. When the outcome
   * comes with the server's reply, the waiter is called while that reply is handled: it may
   * call `sendTo` again, and what that writes goes out with the rest of the reply's answer.
   */
  sendTo(request: SmtpSendRequest, waiter: SmtpSendWaiter): void {
    const machine = this.machine
    if (machine === null || !this.isUsable) {
      const error =
        this.failure ?? new ConnectionError("CLOSED", "send", "the connection is not ready")
      queueMicrotask(() => waiter.reject(error))
      return
    }
    const body = request.body
    const streamed = isByteStream(body)
    let id: number
    try {
      id = streamed
        ? machine.sendMail({ from: request.from, to: request.to })
        : machine.sendMail({ from: request.from, to: request.to, body })
    } catch (error) {
      queueMicrotask(() => waiter.reject(error as Error))
      return
    }
    this.sends.set(id, { waiter, bodyReady: null, settled: null })
    // While replies are handled, `receive` writes once they all are.
    if (!this.isReceiving) this.write()
    // Waiting for an earlier message already: a new one does not restart the clock.
    if (this.sends.size === 1) this.deadline.wait("data", this.options.dataTimeout)
    if (streamed) void this.streamBody(id, body)
  }

  /** Sends QUIT (RFC 5321 §4.1.1.10) after queued messages and closes. Never rejects. */
  async quit(): Promise<void> {
    const machine = this.machine
    // Failed already (perhaps still failing, with the socket not yet destroyed): nothing to quit.
    if (
      machine === null ||
      this.socket === null ||
      this.socket.destroyed ||
      this.failure !== null
    ) {
      this.close()
      return
    }
    const closed = new Promise<void>((resolve, reject) => {
      this.quitting = { resolve, reject }
    })
    machine.quit()
    this.write()
    this.deadline.wait("quit", this.options.commandTimeout)
    await closed.catch(() => {})
    this.close()
  }

  /** Closes the connection at once; pending calls reject with `ABORTED`. */
  close(): void {
    // After a failure (a closed connection, say) `fail` keeps the first error: none is made.
    this.fail(this.failure ?? new ConnectionError("ABORTED", "close", "the client was closed"))
  }

  private attach(socket: Socket): void {
    this.socket = socket
    socket.on("data", (chunk: Uint8Array) => this.receive(socket, chunk))
    socket.once("close", () => {
      if (socket !== this.socket) return
      // Pending calls fail as a hang-up, not with the machine's stand-in 421 reply.
      this.fail(
        this.failure ?? new ConnectionError("CLOSED", "read", "the server closed the connection"),
      )
      this.machine?.receiveEnd()
    })
  }

  private receive(socket: Socket, chunk: Uint8Array): void {
    if (socket !== this.socket || this.machine === null) return
    this.deadline.touch()
    let events: ReadonlyArray<SmtpClientEvent>
    try {
      events = this.machine.receive(chunk)
    } catch (error) {
      this.fail(
        new ConnectionError(
          "PROTOCOL",
          "read",
          `the server broke the protocol: ${String(error)}`,
          error,
        ),
      )
      return
    }
    this.isReceiving = true
    try {
      this.dispatch(events)
    } finally {
      this.isReceiving = false
    }
    this.write()
  }

  /**
   * Writes the machine's output in one write: small output (commands, a short message
   * and the next envelope) copied into one buffer, which costs less than the per-piece
   * bookkeeping of a gathered write; larger output as the pieces it was queued in
   * (commands, the caller's body chunks), corked into one gathered write so a body is
   * not copied.
   */
  private write(): void {
    const chunks = this.machine?.takeOutputChunks()
    const socket = this.socket
    if (chunks === undefined || chunks.length === 0 || socket === null) return
    if (socket.destroyed || !socket.writable) return
    writeChunks(socket, chunks, JOINED_WRITE_LIMIT)
  }

  private dispatch(events: ReadonlyArray<SmtpClientEvent>): void {
    for (const event of events) {
      switch (event.type) {
        case "greeting":
          this.deadline.wait("command", this.options.commandTimeout)
          break
        case "startTls":
          this.upgrade()
          break
        case "ready":
          this.isReady = true
          this.disarmIfIdle()
          this.connecting?.resolve({
            capabilities: event.capabilities,
            isSecure: event.isSecure,
            authenticated: event.authenticated,
          })
          this.connecting = null
          break
        case "readyForBody": {
          const pending = this.sends.get(event.id)
          pending?.bodyReady?.()
          if (pending !== undefined) pending.bodyReady = null
          break
        }
        case "transactionComplete":
          this.complete(event.result)
          break
        case "sessionFailed": {
          const error =
            event.reply === null
              ? new ConnectionError("POLICY", event.stage, event.message)
              : replyError(event.reply, event.stage)
          this.failure ??= error
          this.connecting?.reject(error)
          this.connecting = null
          break
        }
        case "protocolError":
          // Transactions completed before it (earlier events) were already resolved;
          // only the ones still open fail.
          this.fail(
            new ConnectionError(
              "PROTOCOL",
              "read",
              `the server broke the protocol: ${event.error.message}`,
              event.error,
            ),
          )
          break
        case "closed": {
          this.quitting?.resolve()
          this.quitting = null
          // A 421 (RFC 5321 §3.8) is the server's own reason; anything else is a hang-up.
          const reply = event.reply
          this.fail(
            this.failure ??
              (reply !== null && reply.code >= 400 && reply.synthetic !== true
                ? replyError(reply, "session")
                : new ConnectionError("CLOSED", "read", "the server closed the connection")),
          )
          break
        }
      }
    }
  }

  private complete(result: TransactionResult): void {
    const pending = this.sends.get(result.id)
    if (pending === undefined) return
    this.sends.delete(result.id)
    this.disarmIfIdle()
    const accepted: string[] = []
    const rejected: string[] = []
    const rejectedErrors: SmtpReplyError[] = []
    let last: SmtpReply | null = null
    for (const recipient of result.recipients) {
      if (recipient.accepted) {
        accepted.push(recipient.address)
        last = recipient.reply
      } else {
        rejected.push(recipient.address)
        const error = replyError(recipient.reply, "RCPT")
        if (error instanceof SmtpReplyError) rejectedErrors.push(error)
      }
    }
    if (result.acceptedCount === 0) {
      const first = result.recipients[0]
      const refusals = result.recipients.map((r) => ({
        recipient: r.address,
        reply: replyError(r.reply, "RCPT") as SmtpReplyError | ConnectionError,
      }))
      rejectSend(
        pending,
        first === undefined
          ? new ConnectionError("PROTOCOL", "send", "no recipient result")
          : replyError(first.reply, "DATA", refusals),
      )
      return
    }
    resolveSend(pending, { accepted, rejected, rejectedErrors, response: replyText(last) })
  }

  private async streamBody(
    id: number,
    body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  ): Promise<void> {
    const pending = this.sends.get(id)
    if (pending === undefined) return
    await new Promise<void>((resolve) => {
      pending.bodyReady = resolve
      this.sendDone(id, resolve)
    })
    try {
      const iterable =
        Symbol.asyncIterator in body
          ? (body as AsyncIterable<Uint8Array>)
          : readableStreamChunks(body as ReadableStream<Uint8Array>)
      for await (const chunk of iterable) {
        if (!this.sends.has(id) || this.machine === null || this.socket === null) return
        this.machine.writeBody(id, chunk)
        const out = this.machine.takeOutput()
        if (out.length > 0) await writeBytes(this.socket, out)
      }
      this.machine?.endBody(id)
      this.write()
    } catch (error) {
      // The body could not be read: the message must not go out half-written.
      const failed = this.sends.get(id)
      this.sends.delete(id)
      if (failed !== undefined) {
        rejectSend(failed, error instanceof Error ? error : new Error(String(error)))
      }
      this.fail(new ConnectionError("ABORTED", "data", "the message body failed", error))
    }
  }

  /** Calls `done` when send `id` is settled (so a body is not awaited for a failed send). */
  private sendDone(id: number, done: () => void): void {
    const pending = this.sends.get(id)
    if (pending === undefined) done()
    else pending.settled = done
  }

  private upgrade(): void {
    const socket = this.socket
    if (socket === null) return
    const o = this.options
    upgradeClientSocket(socket, o.host, o.tls, o.connectionTimeout).then(
      (secure) => {
        if (this.socket !== socket) {
          secure.destroy()
          return
        }
        this.attach(secure)
        this.dispatch(this.machine!.resumeTls())
        this.write()
      },
      (error: Error) => this.fail(error),
    )
  }

  private disarmIfIdle(): void {
    if (this.sends.size === 0) this.deadline.pause()
  }

  /** Ends the connection: every pending call rejects with `error`. */
  private fail(error: Error): void {
    this.failure ??= error
    this.deadline.stop()
    this.isReady = false
    this.connecting?.reject(this.failure)
    this.connecting = null
    this.quitting?.resolve()
    this.quitting = null
    const sends = [...this.sends.values()]
    this.sends.clear()
    for (const pending of sends) rejectSend(pending, this.failure)
    if (this.socket !== null && !this.socket.destroyed) this.socket.destroy()
  }
}

async function* readableStreamChunks(
  stream: ReadableStream<Uint8Array>,
): AsyncIterable<Uint8Array> {
  const reader = stream.getReader()
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
