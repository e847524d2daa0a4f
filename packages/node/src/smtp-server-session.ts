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
  formatReply,
  type SmtpServerOptions as MachineOptions,
  type MessageEndEvent,
  type MessageStartEvent,
  SmtpServerConnection,
  type SmtpServerDecision,
  type SmtpServerEvent,
} from "@mailwire/smtp"
import { ConnectionError } from "./errors.js"
import { IdleTimer } from "./idle-timer.js"
import type { ListenerSession } from "./listener.js"
import { SessionLog, type SmtpLogEvent, smtpLogEvent } from "./server-log.js"
import { callHook, type HookAnswer, LOCAL_ERROR } from "./smtp-hook-answer.js"
import { Deadline, dropMessage, MessageStream } from "./smtp-message-stream.js"
import { address, DATA_TIMEOUT, SmtpDecisions, toEnvelope } from "./smtp-server-decisions.js"
import type { ResolvedSmtpServerOptions, SmtpSessionInfo } from "./smtp-server-options.js"
import {
  asPromise,
  closeSocket,
  Handoff,
  InputPump,
  type PumpStep,
  type PumpWait,
  type ServerTlsContext,
  upgradeServerSocket,
  whenDrained,
  writeBytes,
} from "./socket-io.js"

/** A hook that is not set, or returns nothing, accepts with the machine's own reply. */
const ACCEPT: HookAnswer = { accept: true, reply: null }

let nextSessionId = 1

/** The log of every session of a server without `onLog`: it writes nothing, so one serves all. */
const LOG_OFF = new SessionLog<SmtpLogEvent>(
  undefined,
  () => ({ sessionId: "", remoteAddress: "" }),
  () => {},
)

/**
 * Adds `events` to the end of `queue`. A plain loop: `queue.push(...events)` goes through
 * the iterator protocol, which costs more than the copy itself for these short arrays.
 */
function appendEvents(queue: SmtpServerEvent[], events: ReadonlyArray<SmtpServerEvent>): void {
  for (let i = 0; i < events.length; i++) queue.push(events[i]!)
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()
}

/** Runs one accepted connection to its end. */
export class SmtpServerSession implements ListenerSession {
  readonly closed: Promise<void>
  private socket: Socket
  private conn: SmtpServerConnection | null = null
  private decisions: SmtpDecisions | null = null
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
    /** The machine's options, the same (frozen) object for every connection of the server. */
    private readonly machineOptions: MachineOptions,
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
    this.log =
      options.onLog === undefined
        ? LOG_OFF
        : new SessionLog<SmtpLogEvent>(
            options.onLog,
            () => ({ sessionId: this.info.id, remoteAddress: this.info.remoteAddress }),
            this.reportError,
          )
    // `on`, not `once`: a socket closes once, and `finish` runs once anyway; `once` would
    // wrap the listener in a bound function for every connection.
    socket.on("close", () => this.finish())
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
      const conn = new SmtpServerConnection(this.machineOptions)
      this.conn = conn
      this.decisions = new SmtpDecisions(conn, this.options, this.info, this.log, this.reportError)
      if (this.log.isOn) {
        const { remotePort, isSecure } = this.info
        this.log.write({ type: "connect", remotePort, isSecure })
      }
      const onConnect = this.options.onConnect
      const hooked =
        onConnect === undefined ? ACCEPT : callHook(() => onConnect(this.info), this.reportError)
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
   * the socket's `'data'` event. Once some step has to wait it returns a promise, or a
   * {@link Handoff} when the end of a message waits for `onData` (see {@link PumpWait}).
   */
  private handle(call: () => ReadonlyArray<SmtpServerEvent>): PumpWait {
    try {
      return this.process(call())
    } catch (error) {
      this.fail(error)
      return undefined
    }
  }

  /** {@link handle} for a chunk from the socket, the most frequent call (no closure). */
  private receive(chunk: Uint8Array): PumpWait {
    this.idle.touch()
    try {
      return this.process(this.conn!.receive(chunk))
    } catch (error) {
      this.fail(error)
      return undefined
    }
  }

  /**
   * What follows the events (see {@link afterEvents}); a throw there ends the session.
   * A step that had to wait restarts the idle timeout when it is done.
   */
  private finishStep(): PumpWait {
    try {
      const waiting = this.afterEvents()
      // A handoff (a graceful close that ended a message) restarts the idle time itself.
      if (waiting instanceof Handoff) return waiting
      return waiting?.then(this.touchAfterWait, this.fail)
    } catch (error) {
      this.fail(error)
      return undefined
    }
  }

  private readonly touchAfterWait = (): void => this.idle.touch()

  /**
   * The replies, or, when a graceful close was asked for while the events ran, the events
   * of that close (their step writes the replies).
   */
  private afterEvents(): PumpWait {
    if (this.shutdownRequested && !this.isClosing) {
      this.shutdownRequested = false
      return this.process(this.conn!.shutdown())
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
   * Answers the events in order, and those they lead to, then finishes the step (see
   * {@link finishStep}). Steps that need no waiting (a MAIL or RCPT with no hook, or a
   * hook that returns a plain value) run at once; once some step has to wait, a promise
   * or a {@link Handoff} is returned, and it settles when the whole step is done.
   */
  private process(events: ReadonlyArray<SmtpServerEvent>): PumpWait {
    return this.run(events.slice())
  }

  private run(queue: SmtpServerEvent[]): PumpWait {
    for (let event = queue.shift(); event !== undefined; event = queue.shift()) {
      const line = this.log.isOn ? smtpLogEvent(event) : null
      if (line !== null) this.log.write(line)
      const waiting = this.step(event, queue)
      if (waiting === undefined) continue
      // A handoff runs the rest of the queue itself, once its wait is over.
      if (waiting instanceof Handoff) return waiting
      return waiting.then(() => asPromise(this.resume(queue)), this.fail)
    }
    return this.finishStep()
  }

  /**
   * A step that had to wait (a hook, `onData`) is done: the rest of the queue runs, and
   * idle time starts over. It goes on from the promise the step waited for, one hop, not
   * through a chain of promises for each level of the wait.
   */
  private resume(queue: SmtpServerEvent[]): PumpWait {
    this.idle.touch()
    try {
      return this.run(queue)
    } catch (error) {
      this.fail(error)
      return undefined
    }
  }

  /**
   * Answers one event. A promise means: run the rest of the queue once it settles; a
   * {@link Handoff} runs the rest of the queue itself before it finishes.
   */
  private step(event: SmtpServerEvent, queue: SmtpServerEvent[]): PumpWait {
    const conn = this.conn!
    switch (event.type) {
      case "helo":
        this.info.clientHostname = event.domain
        appendEvents(queue, conn.accept(event))
        return undefined
      case "auth":
        return this.pushEvents(queue, this.decisions!.answerAuth(event))
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
        return this.endBody(event, queue)
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
      appendEvents(queue, events)
      return undefined
    }
    return events.then((settled) => {
      appendEvents(queue, settled)
    })
  }

  /** Queues the answer to a decision, now, or once a hook's promise settles. */
  private pushAnswer(
    queue: SmtpServerEvent[],
    event: SmtpServerDecision,
    answer: HookAnswer | Promise<HookAnswer>,
  ): Promise<void> | undefined {
    if (!(answer instanceof Promise)) {
      appendEvents(queue, this.decisions!.answer(event, answer))
      return undefined
    }
    return answer.then((settled) => {
      appendEvents(queue, this.decisions!.answer(event, settled))
    })
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
   * Queues the answer to the end of a message, from how `onData` settled: at once when it
   * already has, else once it does (or `dataTimeout` passes).
   */
  private endBody(event: MessageEndEvent, queue: SmtpServerEvent[]): PumpWait {
    const body = this.body
    this.body = null
    if (body === null) return this.pushEvents(queue, this.decisions!.reject(event, LOCAL_ERROR))
    if (body.isAbandoned) return this.pushEvents(queue, this.decisions!.reject(event, DATA_TIMEOUT))
    body.end()
    const flushing = this.flush()
    if (flushing !== undefined) return flushing.then(() => this.answerOutcome(event, body, queue))
    const outcome = body.outcome
    if (outcome !== null)
      return this.pushEvents(queue, this.decisions!.answerData(event, body, outcome))
    return this.resumeWhenSettled(event, body, queue)
  }

  /**
   * Queues the reply to a message now when `onData` has settled; else returns a promise
   * that settles once the reply is queued, straight from `onData` settling.
   */
  private answerOutcome(
    event: MessageEndEvent,
    body: MessageStream,
    queue: SmtpServerEvent[],
  ): PumpStep {
    const outcome = body.outcome
    if (outcome !== null)
      return this.pushEvents(queue, this.decisions!.answerData(event, body, outcome))
    return new Promise<void>((resolve, reject) => {
      body.whenSettled((settled) => {
        try {
          appendEvents(queue, this.decisions!.answerData(event, body, settled))
          resolve()
        } catch (error) {
          reject(error)
        }
      })
    })
  }

  /**
   * The usual end of a message, when `onData` is still reading the last bytes: once it
   * settles, the reply is queued and the rest of the queue runs straight from that
   * callback, and the returned handoff finishes when that run is done. The pump goes on
   * from there too: no promise and no microtask between `onData` and the reply.
   */
  private resumeWhenSettled(
    event: MessageEndEvent,
    body: MessageStream,
    queue: SmtpServerEvent[],
  ): Handoff {
    const handoff = new Handoff()
    body.whenSettled((settled) => {
      let next: PumpWait
      try {
        appendEvents(queue, this.decisions!.answerData(event, body, settled))
        next = this.resume(queue)
      } catch (error) {
        this.fail(error)
        next = undefined
      }
      this.finishAfter(next, handoff)
    })
    return handoff
  }

  /** Finishes `handoff` once `step` is done (at once when there is nothing to wait for). */
  private finishAfter(step: PumpWait, handoff: Handoff): void {
    if (step === undefined) handoff.finish()
    else if (step instanceof Handoff) handoff.finishWith(step)
    else
      step.then(handoff.finish, (error: unknown) => {
        this.fail(error)
        handoff.finish()
      })
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
    if (this.log.isOn) this.log.write({ type: "close", reason: this.closeReason })
    try {
      this.options.onClose?.(this.info)
    } catch (error) {
      this.report(error)
    }
    this.resolveClosed()
  }
}
