/**
 * `Pop3Client`: a POP3 client (RFC 1939) over `node:net` / `node:tls`, driving the
 * `@mailwire/pop3` client machine. `connect()` reads the greeting and CAPA (RFC 2449)
 * and upgrades with STLS (RFC 2595) when offered (or when required); `login()` uses the
 * best method both sides can (SASL, APOP, USER/PASS — never a password in clear without
 * TLS unless allowed); then `stat`, `list`, `uidl`, `retrieve` (bytes or a stream with
 * backpressure), `top`, `delete`, `reset`, `noop` and `quit`.
 *
 * Every failure rejects the call's promise: `Pop3ReplyError` for `-ERR`,
 * `ConnectionError` for the connection, `LocalProtocolError` for a command that cannot
 * be sent. No `'error'` event is ever emitted. Retrieved bytes belong to the caller.
 */
import type { Socket } from "node:net"
import { Readable } from "node:stream"
import {
  type Pop3Capabilities,
  type Pop3ClientCommand,
  Pop3ClientConnection,
  type Pop3ClientEvent,
  type Pop3ReplyData,
  type ScanListing,
  type StatData,
  type UniqueIdListing,
} from "@mailwire/pop3"
import { concatBytes } from "@mailwire/wire"
import { z } from "zod"
import { ConnectionError, Pop3ReplyError } from "./errors.js"
import {
  minScramIterationsOption,
  parseOptions,
  timeoutOption,
  withoutUndefined,
} from "./options.js"
import {
  DEFAULT_COMMAND_TIMEOUT,
  DEFAULT_CONNECTION_TIMEOUT,
  DEFAULT_GREETING_TIMEOUT,
} from "./smtp-client-options.js"
import { openSocket, upgradeClientSocket, writeBytes } from "./socket-io.js"
import { clientTlsSchema } from "./tls-options.js"

/** The options schema of {@link Pop3Client}. */
export const pop3ClientOptionsSchema = z.strictObject({
  host: z.string().min(1).default("localhost"),
  /** Default 995 with `secure`, else 110. */
  port: z.optional(z.number().int().min(1).max(65535)),
  /** Implicit TLS (RFC 8314 §3.3). Default false. */
  secure: z.boolean().default(false),
  /**
   * STLS (RFC 2595): `"opportunistic"` (default) upgrades whenever offered and fails if
   * the upgrade fails; `"required"` also fails when it is not offered; `"never"` skips it.
   */
  startTls: z.enum(["opportunistic", "required", "never"]).default("opportunistic"),
  tls: clientTlsSchema.default({}),
  /** Send USER/PASS, PLAIN or LOGIN without TLS (DESIGN §4 invariant 3). Default false. */
  allowPlaintextAuth: z.boolean().default(false),
  /** Fewest SCRAM iterations accepted from the server (RFC 7677 §4). Default 4,096. */
  minScramIterations: z.optional(minScramIterationsOption),
  connectionTimeout: timeoutOption.default(DEFAULT_CONNECTION_TIMEOUT),
  greetingTimeout: timeoutOption.default(DEFAULT_GREETING_TIMEOUT),
  commandTimeout: timeoutOption.default(DEFAULT_COMMAND_TIMEOUT),
})

/** Options of {@link Pop3Client}. */
export type Pop3ClientOptions = z.input<typeof pop3ClientOptionsSchema>

/** What {@link Pop3Client.connect} learned. */
export interface Pop3ConnectInfo {
  /** The greeting's text. */
  readonly greeting: string
  readonly capabilities: Pop3Capabilities | null
  readonly isSecure: boolean
}

interface Pending {
  readonly command: string
  resolve(data: Pop3ReplyData): void
  reject(error: Error): void
  /** Where MessageData goes: collected bytes, or a stream. */
  chunks?: Uint8Array[]
  stream?: Readable
}

/**
 * A POP3 client connection.
 *
 * @example
 * ```ts
 * const client = new Pop3Client({ host: "pop.example.com", secure: true })
 * await client.connect()
 * await client.login("alice", "secret")
 * const message = await client.retrieve(1)
 * await client.quit()
 * ```
 */
export class Pop3Client {
  private readonly options: z.output<typeof pop3ClientOptionsSchema>
  private machine: Pop3ClientConnection | null = null
  private socket: Socket | null = null
  private readonly pending = new Map<number, Pending>()
  private greeting: { resolve(text: string): void; reject(error: Error): void } | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private failure: Error | null = null
  private paused = false

  /** Validates the options; throws a `TypeError` naming a bad field. Nothing is opened yet. */
  constructor(options: Pop3ClientOptions = {}) {
    this.options = parseOptions(pop3ClientOptionsSchema, options, "Pop3Client")
  }

  /** The capabilities from the last CAPA, or `null`. */
  get capabilities(): Pop3Capabilities | null {
    return this.machine?.capabilities ?? null
  }

  /** Whether the channel is TLS. */
  get isSecure(): boolean {
    return this.machine?.isSecure ?? false
  }

  /** Connects, reads the greeting and CAPA, and upgrades with STLS as the policy says. */
  async connect(): Promise<Pop3ConnectInfo> {
    const o = this.options
    this.machine = new Pop3ClientConnection(
      withoutUndefined({
        isSecure: o.secure,
        allowPlaintext: o.allowPlaintextAuth,
        minScramIterations: o.minScramIterations,
      }),
    )
    const socket = await openSocket({
      host: o.host,
      port: o.port ?? (o.secure ? 995 : 110),
      secure: o.secure,
      tls: o.tls,
      timeout: o.connectionTimeout,
    })
    this.attach(socket)
    const greetingText = new Promise<string>((resolve, reject) => {
      this.greeting = { resolve, reject }
    })
    this.arm("greeting", o.greetingTimeout)
    const greeting = await greetingText
    await this.command({ command: "CAPA" }).catch((error: unknown) => {
      if (!(error instanceof Pop3ReplyError)) throw error
    })
    const offered = this.machine.capabilities?.stls === true
    if (!o.secure && o.startTls !== "never" && (offered || o.startTls === "required")) {
      if (!offered) {
        this.close()
        throw new ConnectionError(
          "POLICY",
          "startTls",
          "the server does not offer STLS and TLS is required",
        )
      }
      await this.command({ command: "STLS" })
      await this.upgrade()
      await this.command({ command: "CAPA" }).catch((error: unknown) => {
        if (!(error instanceof Pop3ReplyError)) throw error
      })
    }
    return { greeting, capabilities: this.machine.capabilities, isSecure: this.machine.isSecure }
  }

  /** Logs in with the best method both sides support (RFC 1939 §7, RFC 5034). */
  async login(username: string, password: string): Promise<void> {
    // Throws LocalProtocolError (NO_LOGIN_METHOD) when no method is offered and safe.
    const id = this.ready().login({ username, password })
    const done = this.expect(id, "LOGIN")
    this.flushOutput()
    await done
  }

  /** STAT (RFC 1939 §5): the number of messages and their total size. */
  async stat(): Promise<StatData> {
    const data = await this.command({ command: "STAT" })
    return data.kind === "stat" ? { count: data.count, size: data.size } : { count: 0, size: 0 }
  }

  /** LIST (RFC 1939 §5): sizes of all messages, or of message `n`. */
  async list(n?: number): Promise<readonly ScanListing[]> {
    const data = await this.command(
      n === undefined ? { command: "LIST" } : { command: "LIST", message: n },
    )
    return data.kind === "list" ? data.entries : []
  }

  /** UIDL (RFC 1939 §7): unique ids of all messages, or of message `n`. */
  async uidl(n?: number): Promise<readonly UniqueIdListing[]> {
    const data = await this.command(
      n === undefined ? { command: "UIDL" } : { command: "UIDL", message: n },
    )
    return data.kind === "uidl" ? data.entries : []
  }

  /** RETR (RFC 1939 §5): message `n`, unstuffed, as bytes. */
  async retrieve(n: number): Promise<Uint8Array> {
    const chunks: Uint8Array[] = []
    await this.command({ command: "RETR", message: n }, { chunks })
    return concatBytes(chunks)
  }

  /**
   * RETR as a stream: the socket is paused while the stream is full, so a slow reader
   * slows the server down. The stream fails (`'error'`) if the command does.
   */
  retrieveStream(n: number): Readable {
    const stream = new Readable({
      read: () => {
        if (this.paused) {
          this.paused = false
          this.socket?.resume()
        }
      },
    })
    this.command({ command: "RETR", message: n }, { stream }).then(
      () => stream.push(null),
      (error: Error) => stream.destroy(error),
    )
    return stream
  }

  /** TOP (RFC 1939 §7): the header and the first `lines` body lines of message `n`. */
  async top(n: number, lines: number): Promise<Uint8Array> {
    const chunks: Uint8Array[] = []
    await this.command({ command: "TOP", message: n, lines }, { chunks })
    return concatBytes(chunks)
  }

  /** DELE (RFC 1939 §5): marks message `n`; it is removed only after `quit()`. */
  async delete(n: number): Promise<void> {
    await this.command({ command: "DELE", message: n })
  }

  /** RSET (RFC 1939 §5): unmarks every deleted message. */
  async reset(): Promise<void> {
    await this.command({ command: "RSET" })
  }

  /** NOOP (RFC 1939 §5). */
  async noop(): Promise<void> {
    await this.command({ command: "NOOP" })
  }

  /** QUIT (RFC 1939 §6): the server deletes the marked messages, then closes. */
  async quit(): Promise<void> {
    try {
      await this.command({ command: "QUIT" })
    } finally {
      this.close()
    }
  }

  /** Closes at once; pending calls reject with `ABORTED`. Nothing is deleted. */
  close(): void {
    this.fail(new ConnectionError("ABORTED", "close", "the client was closed"))
  }

  private ready(): Pop3ClientConnection {
    if (this.machine === null || this.failure !== null) {
      throw this.failure ?? new ConnectionError("CLOSED", "command", "not connected")
    }
    return this.machine
  }

  private command(
    command: Pop3ClientCommand,
    sink: { chunks?: Uint8Array[]; stream?: Readable } = {},
  ): Promise<Pop3ReplyData> {
    let id: number
    try {
      id = this.ready().send(command)
    } catch (error) {
      return Promise.reject(error)
    }
    const done = this.expect(id, command.command, sink)
    this.flushOutput()
    return done
  }

  private expect(
    id: number,
    command: string,
    sink: { chunks?: Uint8Array[]; stream?: Readable } = {},
  ): Promise<Pop3ReplyData> {
    this.arm(command, this.options.commandTimeout)
    return new Promise((resolve, reject) => {
      this.pending.set(id, { command, resolve, reject, ...sink })
    })
  }

  private flushOutput(): void {
    const out = this.machine?.takeOutput()
    if (out !== undefined && out.length > 0 && this.socket !== null)
      void writeBytes(this.socket, out)
  }

  private attach(socket: Socket): void {
    this.socket = socket
    socket.on("data", (chunk: Uint8Array) => this.receive(socket, chunk))
    socket.once("close", () => {
      if (socket !== this.socket) return
      this.fail(new ConnectionError("CLOSED", "read", "the server closed the connection"))
    })
  }

  private receive(socket: Socket, chunk: Uint8Array): void {
    if (socket !== this.socket || this.machine === null) return
    this.timer?.refresh()
    let events: ReadonlyArray<Pop3ClientEvent>
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
    for (const event of events) this.dispatch(event)
    this.flushOutput()
  }

  private dispatch(event: Pop3ClientEvent): void {
    switch (event.type) {
      case "Greeting":
        if (event.ok) this.greeting?.resolve(event.text)
        else this.greeting?.reject(new Pop3ReplyError("greeting", event.code, event.text))
        this.greeting = null
        this.disarmIfIdle()
        break
      case "MessageData": {
        const pending = this.pending.get(event.id)
        pending?.chunks?.push(event.bytes.slice())
        if (pending?.stream !== undefined && !pending.stream.push(event.bytes.slice())) {
          this.paused = true
          this.socket?.pause()
        }
        break
      }
      case "Ok": {
        const pending = this.pending.get(event.id)
        this.pending.delete(event.id)
        this.disarmIfIdle()
        pending?.resolve(event.data)
        break
      }
      case "Err": {
        const pending = this.pending.get(event.id)
        this.pending.delete(event.id)
        this.disarmIfIdle()
        pending?.reject(new Pop3ReplyError(pending.command, event.code, event.text))
        break
      }
      case "Closed":
        this.fail(new ConnectionError("CLOSED", "read", "the server closed the connection"))
        break
    }
  }

  private async upgrade(): Promise<void> {
    const socket = this.socket!
    const o = this.options
    try {
      const secure = await upgradeClientSocket(socket, o.host, o.tls, o.connectionTimeout)
      this.attach(secure)
      this.machine!.resumeAfterTls()
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)))
      throw error
    }
  }

  private arm(stage: string, ms: number): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    if (ms <= 0) return
    this.timer = setTimeout(() => {
      this.fail(new ConnectionError("TIMEOUT", stage, `no answer from the server in ${ms} ms`))
    }, ms)
  }

  private disarmIfIdle(): void {
    if (this.pending.size > 0 || this.greeting !== null) return
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  private fail(error: Error): void {
    this.failure ??= error
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    this.greeting?.reject(this.failure)
    this.greeting = null
    const pending = [...this.pending.values()]
    this.pending.clear()
    for (const entry of pending) entry.reject(this.failure)
    if (this.socket !== null && !this.socket.destroyed) this.socket.destroy()
  }
}
