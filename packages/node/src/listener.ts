/**
 * A TCP listener shared by the SMTP and POP3 servers: accepts connections on
 * `node:net`, refuses them over `maxConnections` with the protocol's own "try later"
 * line, keeps track of the live sessions, and closes gracefully — stop accepting, ask
 * every session to say goodbye (`421` in SMTP, `-ERR` in POP3), then destroy what is
 * left after `closeTimeout`.
 *
 * What it does not do: TLS or protocol work; a session does that. Implicit TLS is an
 * upgrade the session starts on its first tick, so every connection is counted the same.
 */
import { type AddressInfo, createServer, type Server, type Socket } from "node:net"

/**
 * The `'error'` listener of every accepted socket: a socket error ends in `'close'`,
 * which the session handles. One function for all sockets, not one per connection.
 */
function ignoreError(): void {}

/** One connection as the listener sees it. */
export interface ListenerSession {
  /** Say goodbye (the protocol's closing reply) and close, now or after the current step. */
  shutdown(): void
  /** Close at once, without a reply. */
  destroy(): void
  /** Resolves when the connection is closed. */
  readonly closed: Promise<void>
}

/** What a listener needs from its server. */
export interface ListenerOptions {
  readonly maxConnections: number
  readonly closeTimeout: number
  /** The line sent to a connection over the limit before it is closed. */
  readonly busyReply: () => Uint8Array
  readonly startSession: (socket: Socket) => ListenerSession
}

/** A listening socket with connection accounting and graceful close. */
export class Listener {
  private readonly server: Server
  private readonly sessions = new Set<ListenerSession>()
  private closing: Promise<void> | null = null

  constructor(private readonly options: ListenerOptions) {
    this.server = createServer({ pauseOnConnect: false, noDelay: true }, (socket) =>
      this.accept(socket),
    )
    this.server.on("error", () => {})
  }

  /** Live connections now. */
  get connections(): number {
    return this.sessions.size
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(port: number, host?: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => reject(error)
      this.server.once("error", fail)
      this.server.listen(port, host, () => {
        this.server.removeListener("error", fail)
        resolve(this.server.address() as AddressInfo)
      })
    })
  }

  /** The bound address, or `null` before `listen` resolved. */
  address(): AddressInfo | null {
    const address = this.server.address()
    return address !== null && typeof address === "object" ? address : null
  }

  /** Stops accepting, says goodbye to every session, and resolves when all are closed. */
  close(): Promise<void> {
    this.closing ??= this.closeAll()
    return this.closing
  }

  private async closeAll(): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      if (!this.server.listening) resolve()
      else this.server.close(() => resolve())
    })
    const sessions = [...this.sessions]
    for (const session of sessions) session.shutdown()
    const all = Promise.all(sessions.map((session) => session.closed))
    if (this.options.closeTimeout > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          for (const session of this.sessions) session.destroy()
          resolve()
        }, this.options.closeTimeout)
      })
      await Promise.race([all, late])
      clearTimeout(timer)
    } else {
      await all
    }
    await stopped
  }

  private accept(socket: Socket): void {
    socket.on("error", ignoreError)
    if (this.closing !== null || this.sessions.size >= this.options.maxConnections) {
      socket.end(this.options.busyReply())
      socket.once("finish", () => socket.destroy())
      return
    }
    const session = this.options.startSession(socket)
    this.sessions.add(session)
    void session.closed.then(() => this.sessions.delete(session))
  }
}
