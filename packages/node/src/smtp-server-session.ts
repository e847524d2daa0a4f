/**
 * One SMTP/LMTP server connection: the `@mailwire/smtp` server machine wired to a socket.
 * Bytes go to the machine one chunk at a time (the socket is paused while a hook runs,
 * so a slow application slows the client down); decision events go to the application's
 * hooks and their results become replies; the DATA body goes to `onData` as a `Readable`
 * with backpressure; STARTTLS upgrades the socket in place (RFC 3207 §4) and the bytes
 * pipelined behind it are dropped unread (RFC 3207 §6).
 *
 * What it does not do: accept connections or count them (see `listener.ts`), or keep
 * anything after the connection closes. Body chunks handed to the stream are copies the
 * application owns.
 */
import { reverse } from "node:dns/promises"
import type { Socket } from "node:net"
import type { Readable } from "node:stream"
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
import type { ListenerSession } from "./listener.js"
import { SessionLog, type SmtpLogEvent, smtpLogEvent } from "./server-log.js"
import { answerOf, type HookAnswer, refusalOf } from "./smtp-hook-answer.js"
import { machineOptionsFor } from "./smtp-machine-options.js"
import { MessageStream } from "./smtp-message-stream.js"
import type {
  ResolvedSmtpServerOptions,
  SmtpServerEnvelope,
  SmtpSessionInfo,
} from "./smtp-server-options.js"
import {
  closeSocket,
  InputPump,
  type ServerTlsContext,
  upgradeServerSocket,
  whenDrained,
  writeBytes,
} from "./socket-io.js"

const LOCAL_ERROR: SmtpReplyInput = {
  code: 451,
  enhancedCode: "4.3.0",
  text: "Local error in processing",
}
const DATA_TIMEOUT: SmtpReplyInput = {
  code: 451,
  enhancedCode: "4.4.2",
  text: "Timed out waiting for the message to be stored",
}

/** A hook that is not set, or returns nothing, accepts with the machine's own reply. */
const ACCEPT: HookAnswer = { accept: true, reply: null }

let nextSessionId = 1

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === "function"
}

function address(mailbox: Mailbox | null): string {
  return mailbox === null ? "" : formatMailbox(mailbox)
}

function toEnvelope(raw: SmtpEnvelope): SmtpServerEnvelope {
  return { from: address(raw.from), to: raw.recipients.map((r) => address(r.to)), raw }
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()
}

/** Without `onData`, every message is read and dropped. */
async function drain(_envelope: SmtpServerEnvelope, stream: Readable): Promise<void> {
  for await (const _chunk of stream) {
    // Nothing keeps the bytes.
  }
}

/** Runs one accepted connection to its end. */
export class SmtpServerSession implements ListenerSession {
  readonly closed: Promise<void>
  private socket: Socket
  private conn: SmtpServerConnection | null = null
  private pump: InputPump | null = null
  private body: MessageStream | null = null
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
    void this.runShutdown()
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
      const connected = await this.callHook(() => this.options.onConnect?.(this.info))
      if (!connected.accept) {
        this.closeReason = "refused"
        conn.takeOutput()
        await writeBytes(this.socket, formatReply(connected.reply))
        closeSocket(this.socket)
        return
      }
      await writeBytes(this.socket, conn.takeOutput())
      this.socket.setTimeout(this.options.idleTimeout)
      this.socket.on("timeout", this.onIdle)
      this.pump = new InputPump(
        this.socket,
        (chunk) => this.handle(() => conn.receive(chunk)),
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
    void this.runShutdown("Idle timeout, closing connection")
  }

  private async runShutdown(text?: string): Promise<void> {
    const conn = this.conn
    if (conn === null) return
    await this.handle(() => conn.shutdown(text))
  }

  /** Runs a machine call, answers every event it leads to, and writes the replies. */
  private async handle(call: () => ReadonlyArray<SmtpServerEvent>): Promise<void> {
    const conn = this.conn!
    try {
      const processing = this.process(call())
      if (processing !== undefined) await processing
      if (this.shutdownRequested && !this.isClosing) {
        this.shutdownRequested = false
        const closing = this.process(conn.shutdown())
        if (closing !== undefined) await closing
      }
      const flushing = this.flush()
      if (flushing !== undefined) await flushing
      const body = this.body
      if (body?.needsReader && !(await body.waitForReader(this.options.dataTimeout))) {
        this.report(
          new ConnectionError(
            "TIMEOUT",
            "data",
            `${this.info.id}: the message stream was not read`,
          ),
        )
      }
    } catch (error) {
      this.report(error)
      this.destroy()
      return
    }
    if (this.isClosing) {
      this.pump?.stop()
      closeSocket(this.socket)
    }
  }

  /** Writes the replies; a promise only when the socket asks to wait for `'drain'`. */
  private flush(): Promise<void> | undefined {
    const out = this.conn!.takeOutput()
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
    const then = (answer: Promise<ReadonlyArray<SmtpServerEvent>>) =>
      answer.then((events) => {
        queue.push(...events)
      })
    switch (event.type) {
      case "helo":
        this.info.clientHostname = event.domain
        queue.push(...conn.accept(event))
        return undefined
      case "auth":
        return then(this.answerAuth(event))
      case "authenticated":
        this.info.user = event.username
        return undefined
      case "mailFrom": {
        const hook = this.options.onMailFrom
        if (hook === undefined) return this.pushAnswer(queue, event, ACCEPT)
        return this.pushAnswer(
          queue,
          event,
          this.callHook(() => hook(address(event.from), this.info, event.parameters)),
        )
      }
      case "rcptTo": {
        const hook = this.options.onRcptTo
        if (hook === undefined) return this.pushAnswer(queue, event, ACCEPT)
        return this.pushAnswer(
          queue,
          event,
          this.callHook(() =>
            hook(address(event.to), this.info, event.parameters, toEnvelope(event.envelope)),
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
        return then(this.endBody(event))
      case "startTls":
        return then(this.startTls())
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

  /**
   * Calls a hook; its result or thrown error as an answer, at once when the hook returns
   * a plain value and as a promise only when it returns one.
   */
  private callHook(hook: () => unknown): HookAnswer | Promise<HookAnswer> {
    let result: unknown
    try {
      result = hook()
    } catch (error) {
      return this.thrownAnswer(error)
    }
    if (!isPromiseLike(result)) return answerOf(result)
    return Promise.resolve(result).then(answerOf, (error: unknown) => this.thrownAnswer(error))
  }

  private thrownAnswer(error: unknown): HookAnswer {
    const answer = answerOf(error)
    if (!answer.accept) return answer
    this.report(error)
    return { accept: false, reply: LOCAL_ERROR }
  }

  private startBody(event: MessageStartEvent): void {
    const envelope = toEnvelope(event.envelope)
    const onData = this.options.onData ?? drain
    this.body = new MessageStream((stream) => onData(envelope, stream, this.info))
  }

  private abortBody(): void {
    this.body?.destroy()
    this.body = null
  }

  private async endBody(event: MessageEndEvent): Promise<ReadonlyArray<SmtpServerEvent>> {
    const conn = this.conn!
    const body = this.body
    this.body = null
    if (body === null) return this.reject(event, LOCAL_ERROR)
    if (body.isAbandoned) return this.reject(event, DATA_TIMEOUT)
    body.end()
    await this.flush()
    const outcome = await body.result(this.options.dataTimeout)
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
      const results = Array.isArray(outcome.value)
        ? (outcome.value as unknown[])
        : event.envelope.recipients.map(() => outcome.value)
      const replies = event.envelope.recipients.map((_, i) => answerOf(results[i]).reply)
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
    plain.removeListener("timeout", this.onIdle)
    const secure = await upgradeServerSocket(plain, this.tls!, this.options.tlsHandshakeTimeout)
    this.socket = secure
    this.info.isSecure = true
    secure.once("close", () => this.finish())
    secure.setTimeout(this.options.idleTimeout)
    secure.on("timeout", this.onIdle)
    this.pump!.switchTo(secure)
    this.log.write({ type: "startTls" })
    return conn.resumeTls()
  }

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
