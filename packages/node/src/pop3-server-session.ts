/**
 * One POP3 server connection: the `@mailwire/pop3` server machine wired to a socket and
 * a `MaildropStore`. Decision events are answered from the store and the `onAuth` hook;
 * RETR/TOP stream the message from the store to the socket with backpressure; STLS
 * upgrades the socket in place and drops what was pipelined behind it (RFC 2595 §4); the
 * maildrop is deleted from only on QUIT (RFC 1939 §6) and released on any other end.
 *
 * What it does not do: accept or count connections (see `listener.ts`).
 */
import type { Socket } from "node:net"
import {
  type AuthenticateEvent,
  type CommitEvent,
  isMaildropRefusal,
  type Pop3ServerOptions as MachineOptions,
  type Maildrop,
  type MaildropMessageNow,
  type OpenMaildropEvent,
  Pop3ServerConnection,
  type Pop3ServerEvent,
  type RetrieveEvent,
} from "@mailwire/pop3"
import { ConnectionError } from "./errors.js"
import { IdleTimer } from "./idle-timer.js"
import type { ListenerSession } from "./listener.js"
import { withoutUndefined } from "./options.js"
import type { Pop3SessionInfo, ResolvedPop3ServerOptions } from "./pop3-server-options.js"
import { type Pop3LogEvent, SessionLog } from "./server-log.js"
import {
  closeSocket,
  InputPump,
  type PumpStep,
  type ServerTlsContext,
  upgradeServerSocket,
  whenDrained,
  writeBytes,
  writeChunks,
} from "./socket-io.js"

let nextSessionId = 1

/** Runs one accepted POP3 connection to its end. */
export class Pop3ServerSession implements ListenerSession {
  readonly closed: Promise<void>
  private socket: Socket
  private conn: Pop3ServerConnection | null = null
  private pump: InputPump | null = null
  private readonly idle = new IdleTimer()
  private maildrop: Maildrop | null = null
  private readonly info: { -readonly [K in keyof Pop3SessionInfo]: Pop3SessionInfo[K] }
  private isClosing = false
  private isFinished = false
  private shutdownText: string | null = null
  private readonly log: SessionLog<Pop3LogEvent>
  private closeReason: Extract<Pop3LogEvent, { type: "close" }>["reason"] = "disconnected"
  private resolveClosed!: () => void

  constructor(
    socket: Socket,
    private readonly options: ResolvedPop3ServerOptions,
    private readonly tls: ServerTlsContext | null,
  ) {
    this.socket = socket
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve
    })
    this.info = {
      id: `pop3-${nextSessionId++}`,
      remoteAddress: socket.remoteAddress ?? "",
      remotePort: socket.remotePort ?? 0,
      isSecure: false,
      user: null,
    }
    this.log = new SessionLog<Pop3LogEvent>(
      options.onLog,
      () => ({ sessionId: this.info.id, remoteAddress: this.info.remoteAddress }),
      (error) => this.report(error),
    )
    socket.once("close", () => void this.finish())
    void this.start()
  }

  /**
   * Graceful close: `-ERR [SYS/TEMP]` and close, without deleting anything (RFC 1939 §6),
   * now or after the current command.
   */
  shutdown(): void {
    this.requestShutdown("Server shutting down, try again later")
  }

  destroy(): void {
    this.socket.destroy()
    void this.finish()
  }

  private requestShutdown(text: string): void {
    if (this.conn === null || this.pump === null) {
      this.destroy()
      return
    }
    this.shutdownText = text
    if (!this.pump.isBusy) void this.goodbye()
  }

  /**
   * The machine's `shutdown()` queues `-ERR [SYS/TEMP]` and reports `Closed`, whose
   * handling releases the maildrop without deleting (RFC 1939 §6). In UPDATE it does
   * nothing: the `Commit` being answered closes the session itself.
   */
  private async goodbye(): Promise<void> {
    const text = this.shutdownText
    const conn = this.conn
    if (text === null || conn === null || this.isClosing) return
    this.shutdownText = null
    const events = conn.shutdown(text)
    if (events.length === 0) return
    this.pump?.stop()
    await this.process(events)
    await writeBytes(this.socket, conn.takeOutput())
    closeSocket(this.socket)
  }

  private async start(): Promise<void> {
    try {
      if (this.options.secure && this.tls !== null) {
        this.socket = await upgradeServerSocket(
          this.socket,
          this.tls,
          this.options.tlsHandshakeTimeout,
        )
        this.socket.once("close", () => void this.finish())
        this.info.isSecure = true
      }
      const conn = new Pop3ServerConnection(this.machineOptions())
      this.conn = conn
      const { remotePort, isSecure } = this.info
      this.log.write({ type: "connect", remotePort, isSecure })
      await writeBytes(this.socket, conn.takeOutput())
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

  private machineOptions(): MachineOptions {
    const o = this.options
    return withoutUndefined({
      hostname: o.hostname,
      isSecure: this.info.isSecure,
      tls: this.tls !== null && !o.secure,
      allowPlaintextAuth: o.allowInsecureAuth,
      apop: o.apop,
      saslMechanisms: o.saslMechanisms,
      scramUnknownUserSecret: o.scramUnknownUserSecret,
      implementation: o.implementation,
      maxFailedLogins: o.maxFailedLogins,
      maxBadCommands: o.maxBadCommands,
    }) as MachineOptions
  }

  /** The autologout timer (`idleTimeout`, RFC 1939 §3) ran out with the client silent. */
  private readonly onIdle = () => {
    if (this.pump?.isBusy) return
    this.report(new ConnectionError("TIMEOUT", "idle", `${this.info.id}: idle timeout`))
    this.requestShutdown("Autologout timer expired")
  }

  /**
   * Runs a machine call, answers the events it leads to and writes the replies. When no
   * step waits (no hook, no store promise, room in the socket: a RETR answered from
   * `readNow`, LIST, STAT, DELE…) it all happens now and nothing is returned, so the pump
   * handles the chunk within the socket's `'data'` event with no pause, resume or
   * microtask; a promise is returned only once some step has to wait.
   */
  private handle(call: () => ReadonlyArray<Pop3ServerEvent>): PumpStep {
    let waiting: Promise<void> | undefined
    try {
      waiting = this.process(call())
    } catch (error) {
      this.fail(error)
      return undefined
    }
    return this.afterProcessing(waiting)
  }

  /**
   * {@link handle} for a chunk from the socket, the most frequent call (no closure). The
   * machine gets the chunk as a plain `Uint8Array` view of the same memory: the socket's
   * `Buffer` answers `subarray` and `indexOf`, which the machine's line reader calls for
   * every command, through Node's slower JavaScript wrappers. Idle time starts over
   * once the answers are written, in the same turn of the event loop, so restarting the
   * timer does not hold back the reply the client waits for.
   */
  private receive(chunk: Uint8Array): PumpStep {
    let waiting: Promise<void> | undefined
    try {
      waiting = this.process(this.conn!.receive(plainBytes(chunk)))
    } catch (error) {
      this.fail(error)
      return undefined
    }
    const step = this.afterProcessing(waiting)
    this.idle.touch()
    return step
  }

  private afterProcessing(waiting: Promise<void> | undefined): PumpStep {
    if (waiting === undefined) return this.afterEvents()
    return waiting.then(this.afterWait, this.fail)
  }

  /** A step that had to wait is done: its reply goes out now, and idle time starts over. */
  private readonly afterWait = (): PumpStep => {
    this.idle.touch()
    return this.afterEvents()
  }

  /** Writes the replies, then closes when the events said so (after `'drain'` if it waits). */
  private readonly afterEvents = (): PumpStep => {
    let draining: Promise<void> | undefined
    try {
      draining = this.flush()
    } catch (error) {
      this.fail(error)
      return undefined
    }
    if (draining === undefined) return this.closeIfDone()
    return draining.then(this.closeIfDoneAfterDrain)
  }

  /** A graceful close asked for meanwhile says goodbye; a closed machine closes the socket. */
  private readonly closeIfDone = (): PumpStep => {
    if (this.shutdownText !== null) return this.goodbye()
    if (this.isClosing) {
      this.pump?.stop()
      closeSocket(this.socket)
    }
    return undefined
  }

  /** The client took the replies it was slow to read: idle time starts over. */
  private readonly closeIfDoneAfterDrain = (): PumpStep => {
    this.idle.touch()
    return this.closeIfDone()
  }

  /** Writes the replies; a promise only when the socket asks to wait for `'drain'`. */
  private flush(): Promise<void> | undefined {
    const chunks = this.conn!.takeOutputChunks()
    if (chunks.length === 0 || this.socket.destroyed || !this.socket.writable) return undefined
    if (writeChunks(this.socket, chunks, JOIN_MAX_BYTES)) return undefined
    return whenDrained(this.socket)
  }

  /** Reports an unexpected error and ends the session. */
  private readonly fail = (error: unknown): void => {
    this.report(error)
    this.destroy()
  }

  /**
   * Answers the events in order, and those they lead to. Steps that need no waiting run
   * at once; a promise is returned only once some step has to wait, and the rest of the
   * queue runs after it.
   */
  private process(events: ReadonlyArray<Pop3ServerEvent>): Promise<void> | undefined {
    return this.run([...events])
  }

  private run(queue: Pop3ServerEvent[]): Promise<void> | undefined {
    for (let event = queue.shift(); event !== undefined; event = queue.shift()) {
      const waiting = this.step(event, queue)
      if (waiting !== undefined) return waiting.then(() => this.run(queue))
    }
    return undefined
  }

  /** Answers one event, queueing what the answer leads to; a promise only if it waits. */
  private step(event: Pop3ServerEvent, queue: Pop3ServerEvent[]): Promise<void> | undefined {
    switch (event.type) {
      case "Authenticate":
        return this.authenticate(event, queue)
      case "OpenMaildrop":
        return this.openMaildrop(event, queue)
      case "Retrieve": {
        // What is answered so far goes out first, and waits for 'drain' if the socket is
        // full: RETRs pipelined in one chunk then hold one message at a time in memory.
        const draining = this.flush()
        if (draining === undefined) return this.answerRetrieve(event, queue)
        return draining.then(() => this.answerRetrieve(event, queue))
      }
      case "Commit":
        return this.commit(event, queue)
      case "StartTls":
        return this.startTls().then((events) => {
          queue.push(...events)
        })
      case "Closed":
        this.closeReason = event.reason
        this.isClosing = true
        if (event.maildropOpen || this.maildrop !== null) return this.release()
        return undefined
      case "CommandError":
        return undefined
    }
  }

  private async authenticate(event: AuthenticateEvent, queue: Pop3ServerEvent[]): Promise<void> {
    const conn = this.conn!
    let answer: Awaited<ReturnType<ResolvedPop3ServerOptions["onAuth"]>>
    const user = "username" in event.request ? event.request.username : ""
    const login = { user, method: event.method }
    try {
      answer = await this.options.onAuth(event.request, this.info)
    } catch (error) {
      this.report(error)
      this.log.write({ type: "loginFailure", ...login, reason: "unavailable" })
      queue.push(...conn.reject(event, { code: "SYS/TEMP", text: "Authentication unavailable" }))
      return
    }
    const failuresBefore = conn.failedLoginCount
    const next = conn.answerAuthenticate(event, answer)
    const failures = conn.failedLoginCount
    if (failures > failuresBefore) {
      this.log.write({ type: "loginFailure", ...login, reason: "invalid-credentials" })
    }
    // DESIGN §4 invariant 7: each failure waits longer before its reply goes out.
    if (failures > failuresBefore && this.options.authFailureDelay > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.options.authFailureDelay * failures))
    }
    queue.push(...next)
  }

  private async openMaildrop(event: OpenMaildropEvent, queue: Pop3ServerEvent[]): Promise<void> {
    const conn = this.conn!
    const login = { type: "loginFailure", user: event.username, method: event.method } as const
    let opened: Awaited<ReturnType<ResolvedPop3ServerOptions["backend"]["open"]>>
    try {
      opened = await this.options.backend.open(event.username)
    } catch (error) {
      this.report(error)
      this.log.write({ ...login, reason: "unavailable" })
      queue.push(...conn.reject(event, { code: "SYS/TEMP", text: "Maildrop unavailable" }))
      return
    }
    if (isMaildropRefusal(opened)) {
      this.log.write({ ...login, reason: "maildrop" })
      queue.push(...conn.reject(event, opened))
      return
    }
    this.maildrop = opened
    this.info.user = event.username
    const listed = await opened.list()
    queue.push(...conn.openMaildrop(event, listed))
    const { mechanism } = event
    this.log.write({
      type: "loginSuccess",
      user: event.username,
      method: event.method,
      mechanism,
      messages: listed.length,
    })
  }

  private async commit(event: CommitEvent, queue: Pop3ServerEvent[]): Promise<void> {
    const conn = this.conn!
    const commit = { type: "commit", user: event.username, deleted: event.deleted.length } as const
    try {
      await this.maildrop?.delete(event.deleted)
    } catch (error) {
      this.report(error)
      await this.release()
      this.log.write({ ...commit, ok: false })
      queue.push(...conn.reject(event))
      return
    }
    await this.release()
    this.log.write({ ...commit, ok: true })
    queue.push(...conn.commit(event))
  }

  /** Answers RETR/TOP: at once from `readNow` when it can, else streamed from `read`. */
  private answerRetrieve(
    event: RetrieveEvent,
    queue: Pop3ServerEvent[],
  ): Promise<void> | undefined {
    const now = this.retrieveNow(event)
    if (now !== null) {
      queue.push(...now)
      return undefined
    }
    return this.retrieve(event).then((events) => {
      queue.push(...events)
    })
  }

  /**
   * RETR/TOP answered at once when the store has the message at hand (`Maildrop.readNow`:
   * a small Maildir file, a message in memory), with no promise between the command and
   * the answer; `null` when it has not, and {@link retrieve} streams it.
   */
  private retrieveNow(event: RetrieveEvent): ReadonlyArray<Pop3ServerEvent> | null {
    const conn = this.conn!
    let message: MaildropMessageNow | null
    try {
      message = this.readNow(event.message.uid)
    } catch (error) {
      // `readNow` should answer null rather than throw; `read` then says what is wrong.
      this.report(error)
      return null
    }
    if (message === null) return null
    if (message.bytes.length > 0)
      conn.messageData(event, message.bytes, { isClean: message.isClean })
    this.logRetrieve(event, true)
    return conn.messageEnd(event)
  }

  /**
   * The message from `readNowChecked`, which also says whether it needs dot-stuffing, or
   * from plain `readNow` (then it is stuffed as usual), or `null`.
   */
  private readNow(uid: string): MaildropMessageNow | null {
    const maildrop = this.maildrop
    if (maildrop === null) return null
    if (maildrop.readNowChecked !== undefined) return maildrop.readNowChecked(uid)
    const bytes = maildrop.readNow?.(uid) ?? null
    return bytes === null ? null : { bytes, isClean: false }
  }

  private async retrieve(event: RetrieveEvent): Promise<ReadonlyArray<Pop3ServerEvent>> {
    const conn = this.conn!
    const maildrop = this.maildrop
    if (maildrop === null) {
      this.logRetrieve(event, false)
      return conn.reject(event, { code: "SYS/TEMP" })
    }
    try {
      // Each chunk is written once the next one is read, so the last one leaves with the
      // terminating `.` line (written by the caller after `messageEnd`) in one write.
      let hasUnsent = false
      for await (const chunk of maildrop.read(event.message.uid)) {
        if (hasUnsent) await this.flush()
        // The output is written unjoined (`flush`), so the socket may hold a view of the
        // chunk after the store has been asked for the next one and reused its memory:
        // the machine gets a copy. `readNow`'s bytes are the store's promise not to change.
        const wantsMore = conn.messageData(event, chunk.slice())
        hasUnsent = true
        if (!wantsMore || this.socket.destroyed) break
      }
    } catch (error) {
      this.report(error)
      this.logRetrieve(event, false)
      return conn.reject(event, { code: "SYS/TEMP", text: "Unable to read the message" })
    }
    this.logRetrieve(event, true)
    return conn.messageEnd(event)
  }

  /** Logs a RETR/TOP answer; the entry is built only when a hook listens. */
  private logRetrieve(event: RetrieveEvent, ok: boolean): void {
    if (!this.log.isOn) return
    const { number, size } = event.message
    this.log.write({ type: "retrieve", command: event.command, number, size, ok })
  }

  private async startTls(): Promise<ReadonlyArray<Pop3ServerEvent>> {
    const conn = this.conn!
    const plain = this.socket
    // The +OK goes out now, in the same tick as the upgrade begins (RFC 2595 §4).
    plain.write(conn.takeOutput())
    const secure = await upgradeServerSocket(plain, this.tls!, this.options.tlsHandshakeTimeout)
    this.socket = secure
    this.info.isSecure = true
    secure.once("close", () => void this.finish())
    this.pump!.switchTo(secure)
    this.log.write({ type: "startTls" })
    return conn.resumeAfterTls()
  }

  private async release(): Promise<void> {
    const maildrop = this.maildrop
    this.maildrop = null
    try {
      await maildrop?.close()
    } catch (error) {
      this.report(error)
    }
  }

  private report(error: unknown): void {
    try {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)), this.info)
    } catch {
      // A logging hook that throws must not take the connection down.
    }
  }

  private async finish(): Promise<void> {
    if (this.isFinished) return
    this.isFinished = true
    this.idle.stop()
    this.pump?.stop()
    if (!this.socket.destroyed) this.socket.destroy()
    // A connection that ends without QUIT deletes nothing (RFC 1939 §6).
    await this.release()
    this.log.write({ type: "close", reason: this.closeReason })
    try {
      this.options.onClose?.(this.info)
    } catch (error) {
      this.report(error)
    }
    this.resolveClosed()
  }
}

/**
 * Up to this many octets, the pieces of an answer are copied into one buffer and written
 * with one `write`: 64 KiB, the size up to which a Maildir store reads a message at once
 * (`DEFAULT_SYNC_READ_MAX_BYTES`). Copying a few kilobytes costs less than Node's corked
 * `writev` path, which buffers each piece, wraps it as a `Buffer` and builds the list of
 * pieces; larger answers keep `writev` and are not copied.
 */
export const JOIN_MAX_BYTES = 64 * 1024

/** `bytes` as a plain `Uint8Array` over the same memory: itself when it is one already. */
function plainBytes(bytes: Uint8Array): Uint8Array {
  if (Object.getPrototypeOf(bytes) === Uint8Array.prototype) return bytes
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)
}
