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
  type SmtpServerOptions as MachineOptions,
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
import { withoutUndefined } from "./options.js"
import { SessionLog, type SmtpLogEvent, smtpLogEvent } from "./server-log.js"
import { answerOf, type HookAnswer, refusalOf } from "./smtp-hook-answer.js"
import { MessageStream } from "./smtp-message-stream.js"
import type {
  ResolvedSmtpServerOptions,
  SmtpHookResult,
  SmtpServerEnvelope,
  SmtpSessionInfo,
} from "./smtp-server-options.js"
import {
  closeSocket,
  InputPump,
  type ServerTlsContext,
  upgradeServerSocket,
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
      const conn = new SmtpServerConnection(this.machineOptions())
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

  private machineOptions(): MachineOptions {
    const o = this.options
    const offerStartTls = this.tls !== null && !o.secure
    const authMechanisms = o.authMechanisms ?? (o.onAuth === undefined ? [] : ["PLAIN", "LOGIN"])
    const options = {
      hostname: o.hostname,
      lmtp: o.lmtp,
      isSecure: this.info.isSecure,
      extensions: withoutUndefined({ ...o.extensions, startTls: offerStartTls }),
      authMechanisms,
      allowInsecureAuth: o.allowInsecureAuth,
      requireAuth: o.requireAuth,
      scramUnknownUserSecret: o.scramUnknownUserSecret,
      maxMessageSize: o.size,
      bareLineEndings: o.bareLineEndings,
      maxRecipients: o.maxRecipients,
      maxBadCommands: o.maxBadCommands,
      maxAuthFailures: o.maxAuthFailures,
      maxRejectedRecipients: o.maxRejectedRecipients,
      maxCommandLineLength: o.maxCommandLineLength,
    }
    return withoutUndefined(options) as MachineOptions
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
      await this.process(call())
      if (this.shutdownRequested && !this.isClosing) {
        this.shutdownRequested = false
        await this.process(conn.shutdown())
      }
      await this.flush()
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

  private async flush(): Promise<void> {
    const out = this.conn!.takeOutput()
    if (out.length > 0) await writeBytes(this.socket, out)
  }

  private async process(events: ReadonlyArray<SmtpServerEvent>): Promise<void> {
    const conn = this.conn!
    const queue = [...events]
    for (let event = queue.shift(); event !== undefined; event = queue.shift()) {
      const line = this.log.isOn ? smtpLogEvent(event) : null
      if (line !== null) this.log.write(line)
      switch (event.type) {
        case "helo":
          this.info.clientHostname = event.domain
          queue.push(...conn.accept(event))
          break
        case "auth":
          queue.push(...(await this.answerAuth(event)))
          break
        case "authenticated":
          this.info.user = event.username
          break
        case "mailFrom":
          queue.push(
            ...(await this.decide(event, () =>
              this.options.onMailFrom?.(address(event.from), this.info, event.parameters),
            )),
          )
          break
        case "rcptTo": {
          const envelope = toEnvelope(event.envelope)
          queue.push(
            ...(await this.decide(event, () =>
              this.options.onRcptTo?.(address(event.to), this.info, event.parameters, envelope),
            )),
          )
          break
        }
        case "messageStart":
          this.startBody(event)
          break
        case "messageChunk":
          this.body?.push(event.bytes)
          break
        case "messageAborted":
          this.abortBody()
          break
        case "messageEnd":
          queue.push(...(await this.endBody(event)))
          break
        case "startTls":
          queue.push(...(await this.startTls()))
          break
        case "close":
          this.closeReason = event.reason
          this.isClosing = true
          this.abortBody()
          break
        case "authFailure":
          // DESIGN §4 invariant 7: each failure waits longer before its reply goes out.
          await sleep(this.options.authFailureDelay * event.failures)
          break
        case "protocolError":
        case "reset":
          break
      }
    }
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

  private async decide(
    event: SmtpServerDecision,
    hook: () => SmtpHookResult | Promise<SmtpHookResult>,
  ): Promise<ReadonlyArray<SmtpServerEvent>> {
    return this.answer(event, await this.callHook(hook))
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

  /** Calls a hook; its result or thrown error as an answer. */
  private async callHook(hook: () => unknown): Promise<HookAnswer> {
    try {
      return answerOf(await hook())
    } catch (error) {
      const answer = answerOf(error)
      if (!answer.accept) return answer
      this.report(error)
      return { accept: false, reply: LOCAL_ERROR }
    }
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
