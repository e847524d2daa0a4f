/**
 * One SMTP/LMTP server connection: the `@mailwire/smtp` server machine wired to a socket.
 * Bytes go to the machine one chunk at a time, straight from the socket's `'data'` event
 * when no hook makes a step wait (the socket is paused while a hook runs and more bytes
 * arrive, so a slow application slows the client down); decision events go to the
 * application's hooks and their results become replies; the DATA body goes to `onData`
 * as a `Readable` with backpressure; STARTTLS upgrades the socket in place (RFC 3207 §4)
 * and the bytes pipelined behind it are dropped unread (RFC 3207 §6).
 *
 * What it does not do: accept connections or count them (see `listener.ts`), or keep
 * anything after the connection closes. Body chunks handed to the stream are copies the
 * application owns.
 */
import { reverse } from "node:dns/promises"
import type { Socket } from "node:net"
import {
  formatMailbox,
  formatReply,
  type Mailbox,
  type MessageEndEvent,
  type MessageStartEvent,
  type SmtpEnvelope,
  type SmtpReplyInput,
  SmtpServerConnection,
  type SmtpServerDecision,
  type SmtpServerEvent,
} from "@mailwire/smtp"
import { LocalProtocolError } from "@mailwire/wire"
import { ConnectionError, SmtpReplyError } from "./errors.js"
import { IdleTimer } from "./idle-timer.js"
import type { ListenerSession } from "./listener.js"
import { SessionLog, type SmtpLogEvent, smtpLogEvent } from "./server-log.js"
import {
  answerOf,
  callHook,
  type HookAnswer,
  LOCAL_ERROR,
  perRecipientReplies,
  refusalOf,
} from "./smtp-hook-answer.js"
import { machineOptionsFor } from "./smtp-machine-options.js"
import { type DataOutcome, Deadline, dropMessage, MessageStream } from "./smtp-message-stream.js"
import type {
  ResolvedSmtpServerOptions,
  SmtpServerEnvelope,
  SmtpSessionInfo,
} from "./smtp-server-options.js"
import {
  closeSocket,
  InputPump,
  type PumpStep,
  type ServerTlsContext,
  upgradeServerSocket,
  whenDrained,
  writeBytes,
} from "./socket-io.js"

const DATA_TIMEOUT: SmtpReplyInput = {
  code: 451,
  enhancedCode: "4.4.2",
  text: "Timed out waiting for the message to be stored",
}

/** A hook that is not set, or returns nothing, accepts with the machine's own reply. */
const ACCEPT: HookAnswer = { accept: true, reply: null }

let nextSessionId = 1

function address(mailbox: Mailbox | null): string {
  return mailbox === null ? "" : formatMailbox(mailbox)
}

function toEnvelope(raw: SmtpEnvelope): SmtpServerEnvelope {
  return { from: address(raw.from), to: raw.recipients.map((r) => address(r.to)), raw }
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()
}

/** Runs one accepted connection to its end. */
export class SmtpServerSession implements ListenerSession {
  readonly closed: Promise<void>
  private socket: Socket
  private conn: SmtpServerConnection | null = null
  private pump: InputPump | null = null
  private body: MessageStream | null = null
  private readonly idle = new IdleTimer()
  /** Bounds the waits for `onData` (its reader, its outcome); see `dataTimeout`. */
  private readonly dataDeadline: Deadline
  private readonly info: {
    -readonly [K in keyof SmtpSessionInfo]: SmtpSessionInfo[K]
  }
  private isClosing = false
  private isFinished = false
  private shutdownRequested = false
  private readonly log: SessionLog<SmtpLogEvent>
  private closeReason: Extract<SmtpLogEvent, { type: "close" }>["reason"] = "disconnected"
  private resolveClosed!: () => void

  constructor(
    socket: Socket,
    private readonly options: ResolvedSmtpServerOptions,
    private readonly tls: ServerTlsContext | null,
  ) {
    this.socket = socket
    this.dataDeadline = new Deadline(options.dataTimeout)
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve
    })
    this.info = {
      id: `smtp-${nextSessionId++}`,
      remoteAddress: socket.remoteAddress ?? "",
      remotePort: socket.remotePort ?? 0,
      reverseName: null,
      isSecure: false,
      clientHostname: null,
      user: null,
    }
    this.log = new SessionLog<SmtpLogEvent>(
      options.onLog,
      () => ({ sessionId: this.info.id, remoteAddress: this.info.remoteAddress }),
      (error) => this.report(error),
    )
    socket.once("close", () => this.finish())
    void this.start()
  }

  /** Says `421` and closes, now or once the current step is done (graceful close). */
  shutdown(): void {
    if (this.conn === null || this.pump === null) {
      this.destroy()
      return
    }
    if (this.pump.isBusy) {
      this.shutdownRequested = true
      return
    }
    this.runShutdown()
  }

  destroy(): void {
    this.socket.destroy()
    this.finish()
  }

  private async start(): Promise<void> {
    try {
      if (this.options.secure && this.tls !== null) {
        this.socket = await upgradeServerSocket(
          this.socket,
          this.tls,
          this.options.tlsHandshakeTimeout,
        )
        this.socket.once("close", () => this.finish())
        this.info.isSecure = true
      }
      if (this.options.reverseLookup) {
        this.info.reverseName = await reverse(this.info.remoteAddress).then(
          (names) => names[0] ?? null,
          () => null,
        )
      }
      const conn = new SmtpServerConnection(machineOptionsFor(this.options, this.tls !== null))
      this.conn = conn
      const { remotePort, isSecure } = this.info
      this.log.write({ type: "connect", remotePort, isSecure })
      const hooked = callHook(() => this.options.onConnect?.(this.info), this.reportError)
      // Without an async onConnect hook, the greeting goes out in this tick.
      const connected = hooked instanceof Promise ? await hooked : hooked
      if (!connected.accept) {
        this.closeReason = "refused"
        conn.takeOutput()
        await writeBytes(this.socket, formatReply(connected.reply))
        closeSocket(this.socket)
        return
      }
      const greeting = this.flush()
      if (greeting !== undefined) await greeting
      this.idle.start(this.options.idleTimeout, this.onIdle)
      this.pump = new InputPump(
        this.socket,
        (chunk) => this.receive(chunk),
        () => this.handle(() => conn.receiveEnd()),
      )
    } catch (error) {
      this.report(error)
      this.destroy()
    }
  }

  private readonly onIdle = () => {
    if (this.pump?.isBusy) return
    this.report(new ConnectionError("TIMEOUT", "idle", `${this.info.id}: idle timeout`))
    this.runShutdown("Idle timeout, closing connection")
  }

  private runShutdown(text?: string): void {
    const conn = this.conn
    if (conn === null) return
    void this.handle(() => conn.shutdown(text))
  }

  /**
   * Runs a machine call, answers every event it leads to, writes the replies and, when the
   * message stream is full, waits for its reader. Each step runs at once when it can (no
   * hook promise, room in the socket and the stream), so most commands are handled within
   * the socket's `'data'` event; a promise is returned only once some step has to wait.
   */
  private handle(call: () => ReadonlyArray<SmtpServerEvent>): PumpStep {
    let processing: PumpStep
    try {
      processing = this.process(call())
    } catch (error) {
      this.fail(error)
      return undefined
    }
    return this.afterProcessing(processing)
  }

  /** {@link handle} for a chunk from the socket, the most frequent call (no closure). */
  private receive(chunk: Uint8Array): PumpStep {
    this.idle.touch()
    let processing: PumpStep
    try {
      processing = this.process(this.conn!.receive(chunk))
    } catch (error) {
      this.fail(error)
      return undefined
    }
    return this.afterProcessing(processing)
  }

  private afterProcessing(processing: PumpStep): PumpStep {
    if (processing === undefined) return this.finishStep()
    return processing.then(this.finishAfterWait, this.fail)
  }

  /** A step whose hook made it wait is done: the reply goes out now, idle time starts over. */
  private readonly finishAfterWait = (): PumpStep => {
    this.idle.touch()
    return this.finishStep()
  }

  /**
   * What follows the events (see {@link afterEvents}); a throw there ends the session.
   * A step that had to wait restarts the idle timeout when it is done.
   */
  private finishStep(): PumpStep {
    try {
      return this.afterEvents()?.then(this.touchAfterWait, this.fail)
    } catch (error) {
      this.fail(error)
      return undefined
    }
  }

  private readonly touchAfterWait = (): void => this.idle.touch()

  /** `next()` now when nothing waits, or once `waiting` settles. */
  private afterStep(waiting: PumpStep, next: () => PumpStep): PumpStep {
    return waiting === undefined ? next() : waiting.then(next)
  }

  /** A graceful close asked for while the events ran, then the replies. */
  private afterEvents(): PumpStep {
    if (this.shutdownRequested && !this.isClosing) {
      this.shutdownRequested = false
      return this.afterStep(this.process(this.conn!.shutdown()), () => this.writeReplies())
    }
    return this.writeReplies()
  }

  private writeReplies(): PumpStep {
    const flushing = this.flush()
    if (flushing === undefined) return this.waitForReader()
    return flushing.then(() => this.waitForReader())
  }

  /** Reads no more of the socket while the message stream is full and its reader lags. */
  private waitForReader(): PumpStep {
    const body = this.body
    if (!body?.needsReader) {
      this.closeIfDone()
      return undefined
    }
    return body.waitForReader().then((inTime) => {
      if (!inTime) {
        this.report(
          new ConnectionError(
            "TIMEOUT",
            "data",
            `${this.info.id}: the message stream was not read`,
          ),
        )
      }
      this.closeIfDone()
    })
  }

  private closeIfDone(): void {
    if (!this.isClosing) return
    this.pump?.stop()
    closeSocket(this.socket)
  }

  /** Reports an unexpected error and ends the session. */
  private readonly fail = (error: unknown): void => {
    this.report(error)
    this.destroy()
  }

  /** Writes the replies; a promise only when the socket asks to wait for `'drain'`. */
  private flush(): Promise<void> | undefined {
    const out = this.conn!.takeOutputToWrite()
    if (out.length === 0 || this.socket.destroyed || !this.socket.writable) return undefined
    if (this.socket.write(out)) return undefined
    return whenDrained(this.socket)
  }

  /**
   * Answers the events in order, and those they lead to. Steps that need no waiting (a
   * MAIL or RCPT with no hook, or a hook that returns a plain value) run at once; a
   * promise is returned only once some step has to wait.
   */
  private process(events: ReadonlyArray<SmtpServerEvent>): Promise<void> | undefined {
    return this.run([...events])
  }

  private run(queue: SmtpServerEvent[]): Promise<void> | undefined {
    for (let event = queue.shift(); event !== undefined; event = queue.shift()) {
      const line = this.log.isOn ? smtpLogEvent(event) : null
      if (line !== null) this.log.write(line)
      const waiting = this.step(event, queue)
      if (waiting !== undefined) return waiting.then(() => this.run(queue))
    }
    return undefined
  }

  private step(event: SmtpServerEvent, queue: SmtpServerEvent[]): Promise<void> | undefined {
    const conn = this.conn!
    switch (event.type) {
      case "helo":
        this.info.clientHostname = event.domain
        queue.push(...conn.accept(event))
        return undefined
      case "auth":
        return this.pushEvents(queue, this.answerAuth(event))
      case "authenticated":
        this.info.user = event.username
        return undefined
      case "mailFrom": {
        const hook = this.options.onMailFrom
        if (hook === undefined) return this.pushAnswer(queue, event, ACCEPT)
        return this.pushAnswer(
          queue,
          event,
          callHook(() => hook(address(event.from), this.info, event.parameters), this.reportError),
        )
      }
      case "rcptTo": {
        const hook = this.options.onRcptTo
        if (hook === undefined) return this.pushAnswer(queue, event, ACCEPT)
        return this.pushAnswer(
          queue,
          event,
          callHook(
            () => hook(address(event.to), this.info, event.parameters, toEnvelope(event.envelope)),
            this.reportError,
          ),
        )
      }
      case "messageStart":
        this.startBody(event)
        return undefined
      case "messageChunk":
        this.body?.push(event.bytes)
        return undefined
      case "messageAborted":
        this.abortBody()
        return undefined
      case "messageEnd":
        return this.pushEvents(queue, this.endBody(event))
      case "startTls":
        return this.pushEvents(queue, this.startTls())
      case "close":
        this.closeReason = event.reason
        this.isClosing = true
        this.abortBody()
        return undefined
      case "authFailure":
        // DESIGN §4 invariant 7: each failure waits longer before its reply goes out.
        return sleep(this.options.authFailureDelay * event.failures)
      case "protocolError":
      case "reset":
        return undefined
    }
  }

  /** Queues events that are known now, or once their promise settles. */
  private pushEvents(
    queue: SmtpServerEvent[],
    events: ReadonlyArray<SmtpServerEvent> | Promise<ReadonlyArray<SmtpServerEvent>>,
  ): PumpStep {
    if (!(events instanceof Promise)) {
      queue.push(...events)
      return undefined
    }
    return events.then((settled) => {
      queue.push(...settled)
    })
  }

  /** Queues the answer to a decision, now, or once a hook's promise settles. */
  private pushAnswer(
    queue: SmtpServerEvent[],
    event: SmtpServerDecision,
    answer: HookAnswer | Promise<HookAnswer>,
  ): Promise<void> | undefined {
    if (!(answer instanceof Promise)) {
      queue.push(...this.answer(event, answer))
      return undefined
    }
    return answer.then((settled) => {
      queue.push(...this.answer(event, settled))
    })
  }

  private async answerAuth(event: Extract<SmtpServerEvent, { type: "auth" }>) {
    const conn = this.conn!
    const hook = this.options.onAuth
    if (hook === undefined) return conn.reject(event)
    try {
      return conn.answerAuth(event, await hook(event.request, this.info))
    } catch (error) {
      if (!(error instanceof SmtpReplyError)) this.report(error)
      return conn.reject(event)
    }
  }

  /**
   * Answers a decision as a hook chose. A positive reply the machine cannot send (not a
   * 2xx for this decision, CR/LF/NUL in its text) goes to `onError` and the decision is
   * refused with `451 4.3.0`, so a bad hook never leaves the client waiting.
   */
  private answer(event: SmtpServerDecision, answer: HookAnswer): ReadonlyArray<SmtpServerEvent> {
    const conn = this.conn!
    if (!answer.accept) return this.reject(event, answer.reply)
    try {
      const events = answer.reply === null ? conn.accept(event) : conn.accept(event, answer.reply)
      this.logDecision(event, answer.reply?.code ?? 250)
      return events
    } catch (error) {
      if (!(error instanceof LocalProtocolError)) throw error
      this.report(error)
      return this.reject(event, LOCAL_ERROR)
    }
  }

  private reject(event: SmtpServerDecision, reply: SmtpReplyInput): ReadonlyArray<SmtpServerEvent> {
    const events = this.conn!.reject(event, reply)
    this.logDecision(event, reply.code)
    return events
  }

  /** Logs the answer to MAIL, RCPT or the end of a message (others log themselves). */
  private logDecision(event: SmtpServerDecision, code: number, accepted = code < 400): void {
    if (!this.log.isOn) return
    if (event.type === "mailFrom" || event.type === "rcptTo") {
      const mailbox = event.type === "mailFrom" ? event.from : event.to
      this.log.write({ type: event.type, address: address(mailbox), accepted, code })
    } else if (event.type === "messageEnd") {
      const { from, recipients } = event.envelope
      const size = event.size
      const entry = { from: address(from), recipients: recipients.length, size }
      this.log.write({ type: "message", accepted, code, ...entry })
    }
  }

  private startBody(event: MessageStartEvent): void {
    const envelope = toEnvelope(event.envelope)
    const onData = this.options.onData ?? dropMessage
    this.body = new MessageStream(
      (stream) => onData(envelope, stream, this.info),
      this.dataDeadline,
    )
  }

  private abortBody(): void {
    this.body?.destroy()
    this.body = null
  }

  /**
   * Answers the end of a message with how `onData` settled: at once when it already has,
   * else once it does (or `dataTimeout` passes).
   */
  private endBody(
    event: MessageEndEvent,
  ): ReadonlyArray<SmtpServerEvent> | Promise<ReadonlyArray<SmtpServerEvent>> {
    const body = this.body
    this.body = null
    if (body === null) return this.reject(event, LOCAL_ERROR)
    if (body.isAbandoned) return this.reject(event, DATA_TIMEOUT)
    body.end()
    const flushing = this.flush()
    if (flushing !== undefined) return flushing.then(() => this.answerOutcome(event, body))
    return this.answerOutcome(event, body)
  }

  private answerOutcome(
    event: MessageEndEvent,
    body: MessageStream,
  ): ReadonlyArray<SmtpServerEvent> | Promise<ReadonlyArray<SmtpServerEvent>> {
    const outcome = body.result()
    if (outcome instanceof Promise) {
      return outcome.then((settled) => this.answerData(event, body, settled))
    }
    return this.answerData(event, body, outcome)
  }

  /** The reply to a message from `onData`'s outcome (`null`: it did not settle in time). */
  private answerData(
    event: MessageEndEvent,
    body: MessageStream,
    outcome: DataOutcome | null,
  ): ReadonlyArray<SmtpServerEvent> {
    const conn = this.conn!
    if (outcome === null) {
      body.destroy()
      this.report(new ConnectionError("TIMEOUT", "data", `${this.info.id}: onData did not settle`))
      return this.reject(event, DATA_TIMEOUT)
    }
    if ("error" in outcome) {
      const refusal = refusalOf(outcome.error)
      if (refusal === null) this.report(outcome.error)
      return this.reject(event, refusal ?? LOCAL_ERROR)
    }
    if (this.options.lmtp) {
      const replies = perRecipientReplies(outcome.value, event.envelope.recipients.length)
      try {
        const events = conn.answerMessage(event, replies)
        const accepted = replies.some((reply) => reply === null || reply.code < 400)
        this.logDecision(event, replies[0]?.code ?? 250, accepted)
        return events
      } catch (error) {
        if (!(error instanceof LocalProtocolError)) throw error
        this.report(error)
        return this.reject(event, LOCAL_ERROR)
      }
    }
    return this.answer(event, answerOf(outcome.value))
  }

  private async startTls(): Promise<ReadonlyArray<SmtpServerEvent>> {
    const conn = this.conn!
    const plain = this.socket
    // The 220 goes out now, in the same tick as the upgrade begins (RFC 3207 §4).
    plain.write(conn.takeOutput())
    const secure = await upgradeServerSocket(plain, this.tls!, this.options.tlsHandshakeTimeout)
    this.socket = secure
    this.info.isSecure = true
    secure.once("close", () => this.finish())
    this.pump!.switchTo(secure)
    this.log.write({ type: "startTls" })
    return conn.resumeTls()
  }

  private readonly reportError = (error: unknown): void => this.report(error)

  private report(error: unknown): void {
    const hook = this.options.onError
    if (hook === undefined) return
    try {
      hook(error instanceof Error ? error : new Error(String(error)), this.info)
    } catch {
      // A logging hook that throws must not take the connection down.
    }
  }

  private finish(): void {
    if (this.isFinished) return
    this.isFinished = true
    this.dataDeadline.dispose()
    this.idle.stop()
    this.pump?.stop()
    this.abortBody()
    if (!this.socket.destroyed) this.socket.destroy()
    this.log.write({ type: "close", reason: this.closeReason })
    try {
      this.options.onClose?.(this.info)
    } catch (error) {
      this.report(error)
    }
    this.resolveClosed()
  }
}
