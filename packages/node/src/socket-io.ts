/**
 * The socket plumbing every adapter shares: opening a TCP or TLS connection with a
 * timeout, upgrading a socket to TLS in place (STARTTLS, RFC 3207 §4; STLS, RFC 2595 §4),
 * writing with backpressure, and an input pump that hands a machine one chunk at a time
 * and stops reading the socket while the application is busy.
 *
 * What it does not do: speak any protocol. Bytes read are handed on as they arrive;
 * the pump's chunks belong to the callee. Every socket gets an `'error'` listener, so a
 * reset connection can never crash the process (DESIGN §3).
 */
import { connect as netConnect, type Socket } from "node:net"
import {
  type SecureContext,
  type TLSSocket,
  TLSSocket as TlsSocketClass,
  connect as tlsConnect,
} from "node:tls"
import { ConnectionError } from "./errors.js"
import { toPemList } from "./tls-options.js"

/** What a client needs to open its connection. */
export interface OpenSocketOptions {
  readonly host: string
  readonly port: number
  /** Implicit TLS (RFC 8314 §3.3): TLS from the first byte. */
  readonly secure: boolean
  readonly tls: ClientTlsSettings
  /** Milliseconds for TCP connect (and the TLS handshake with `secure`); 0 = no limit. */
  readonly timeout: number
}

/** Client TLS settings as `node:tls` takes them. */
export interface ClientTlsSettings {
  readonly ca?: string | Uint8Array | readonly (string | Uint8Array)[] | undefined
  readonly rejectUnauthorized?: boolean | undefined
  readonly servername?: string | undefined
  readonly minVersion?: "TLSv1.2" | "TLSv1.3" | undefined
}

function ignoreErrors(socket: Socket): void {
  // The owner reports failures through promises; a late error must not crash the process.
  socket.on("error", () => {})
}

function tlsClientOptions(host: string, tls: ClientTlsSettings) {
  const isIp = /^[\d.]+$|:/.test(host)
  const servername = tls.servername ?? (isIp ? undefined : host)
  return {
    ca: toPemList(tls.ca),
    rejectUnauthorized: tls.rejectUnauthorized ?? true,
    minVersion: tls.minVersion ?? "TLSv1.2",
    // Without a name, an IP address is checked against the certificate's IP entries.
    ...(servername === undefined ? {} : { servername }),
  }
}

/** Opens a TCP (or implicit-TLS) connection; rejects with a {@link ConnectionError}. */
export function openSocket(options: OpenSocketOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const { host, port } = options
    const socket = options.secure
      ? tlsConnect({ host, port, ...tlsClientOptions(host, options.tls) })
      : netConnect({ host, port, noDelay: true })
    ignoreErrors(socket)
    socket.setNoDelay(true)
    const ready = options.secure ? "secureConnect" : "connect"
    const timer =
      options.timeout > 0
        ? setTimeout(() => {
            socket.destroy()
            reject(
              new ConnectionError(
                "TIMEOUT",
                "connect",
                `no connection to ${host}:${port} in ${options.timeout} ms`,
              ),
            )
          }, options.timeout)
        : null
    const fail = (error: Error) => {
      if (timer !== null) clearTimeout(timer)
      socket.destroy()
      const code = options.secure && socket.connecting === false ? "TLS" : "CONNECT"
      reject(
        new ConnectionError(
          code,
          "connect",
          `cannot connect to ${host}:${port}: ${error.message}`,
          error,
        ),
      )
    }
    socket.once("error", fail)
    socket.once(ready, () => {
      if (timer !== null) clearTimeout(timer)
      socket.removeListener("error", fail)
      resolve(socket)
    })
  })
}

/** Drops what the socket has read but nobody consumed (plaintext after STARTTLS, RFC 3207 §6). */
function discardBuffered(socket: Socket): number {
  socket.pause()
  let dropped = 0
  for (let chunk = socket.read() as Uint8Array | null; chunk !== null; chunk = socket.read()) {
    dropped += chunk.length
  }
  return dropped
}

/**
 * Upgrades a client socket to TLS after `220` to STARTTLS (or `+OK` to STLS). Call it in
 * the same tick as the reply was read: bytes the server sent after it are dropped.
 */
export function upgradeClientSocket(
  socket: Socket,
  host: string,
  tls: ClientTlsSettings,
  timeout: number,
): Promise<TLSSocket> {
  socket.removeAllListeners("data")
  socket.removeAllListeners("end")
  discardBuffered(socket)
  return new Promise((resolve, reject) => {
    const secure = tlsConnect({ socket, ...tlsClientOptions(host, tls) })
    ignoreErrors(secure)
    const timer =
      timeout > 0
        ? setTimeout(() => {
            secure.destroy()
            reject(
              new ConnectionError("TIMEOUT", "startTls", `TLS handshake took over ${timeout} ms`),
            )
          }, timeout)
        : null
    const fail = (error: Error) => {
      if (timer !== null) clearTimeout(timer)
      secure.destroy()
      reject(new ConnectionError("TLS", "startTls", `TLS failed: ${error.message}`, error))
    }
    secure.once("error", fail)
    secure.once("secureConnect", () => {
      if (timer !== null) clearTimeout(timer)
      secure.removeListener("error", fail)
      resolve(secure)
    })
  })
}

/** The server's TLS contexts as the upgrade needs them. */
export interface ServerTlsContext {
  readonly main: SecureContext
  readonly byName: ReadonlyMap<string, SecureContext>
}

/**
 * Upgrades an accepted socket to TLS: at once for implicit TLS, or after `220` to
 * STARTTLS (the caller writes that reply in the same tick, before calling this). Bytes
 * the client sent in plaintext before the handshake are dropped and counted.
 */
export function upgradeServerSocket(
  socket: Socket,
  context: ServerTlsContext,
  timeout: number,
): Promise<TLSSocket> {
  socket.removeAllListeners("data")
  socket.removeAllListeners("end")
  socket.removeAllListeners("timeout")
  socket.setTimeout(0)
  discardBuffered(socket)
  return new Promise((resolve, reject) => {
    const secure = new TlsSocketClass(socket, {
      isServer: true,
      secureContext: context.main,
      SNICallback: (name, done) =>
        done(null, context.byName.get(name.toLowerCase()) ?? context.main),
    })
    ignoreErrors(secure)
    const timer =
      timeout > 0
        ? setTimeout(() => {
            secure.destroy()
            socket.destroy()
            reject(
              new ConnectionError(
                "TIMEOUT",
                "tlsHandshake",
                `TLS handshake took over ${timeout} ms`,
              ),
            )
          }, timeout)
        : null
    const fail = (error: Error) => {
      if (timer !== null) clearTimeout(timer)
      secure.destroy()
      socket.destroy()
      reject(new ConnectionError("TLS", "tlsHandshake", `TLS failed: ${error.message}`, error))
    }
    secure.once("error", fail)
    secure.once("close", () => fail(new Error("connection closed during the handshake")))
    secure.once("secure", () => {
      if (timer !== null) clearTimeout(timer)
      secure.removeListener("error", fail)
      secure.removeAllListeners("close")
      resolve(secure)
    })
  })
}

/**
 * Writes `bytes` and resolves once the socket can take more (backpressure): at once when
 * the kernel buffer has room, after `'drain'` otherwise, or when the socket closes.
 */
export function writeBytes(socket: Socket, bytes: Uint8Array): Promise<void> {
  if (bytes.length === 0 || socket.destroyed || !socket.writable) return Promise.resolve()
  if (socket.write(bytes)) return Promise.resolve()
  return whenDrained(socket)
}

/** Resolves at the socket's next `'drain'` (its buffered writes went out) or `'close'`. */
export function whenDrained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.removeListener("drain", done)
      socket.removeListener("close", done)
      resolve()
    }
    socket.once("drain", done)
    socket.once("close", done)
  })
}

/** Ends the socket after the pending writes, then closes it. */
export function closeSocket(socket: Socket): void {
  if (socket.destroyed) return
  socket.once("finish", () => socket.destroy())
  socket.end()
}

/**
 * Feeds a socket's bytes to an async handler one chunk at a time. While the handler
 * runs, the socket is paused, so a slow application slows the peer down through TCP
 * (backpressure) instead of filling memory. `switchTo` moves the pump to an upgraded
 * socket and drops chunks read from the old one and not handled yet.
 */
export class InputPump {
  private socket: Socket
  private readonly queue: Uint8Array[] = []
  private ended = false
  private running = false
  private stopped = false

  constructor(
    socket: Socket,
    private readonly onChunk: (chunk: Uint8Array) => Promise<void>,
    private readonly onEnd: () => Promise<void>,
  ) {
    this.socket = socket
    this.attach()
  }

  /** Whether a chunk is being handled (the application may be working on it). */
  get isBusy(): boolean {
    return this.running
  }

  /** Moves to `socket` (after a TLS upgrade); unhandled chunks of the old socket are dropped. */
  switchTo(socket: Socket): void {
    this.detach()
    this.queue.length = 0
    this.socket = socket
    this.attach()
  }

  /** Stops reading for good. */
  stop(): void {
    this.stopped = true
    this.queue.length = 0
    this.detach()
  }

  private readonly onData = (chunk: Uint8Array) => {
    this.queue.push(chunk)
    this.socket.pause()
    void this.run()
  }

  private readonly onSocketEnd = () => {
    this.ended = true
    void this.run()
  }

  private attach(): void {
    this.socket.on("data", this.onData)
    this.socket.on("end", this.onSocketEnd)
  }

  private detach(): void {
    this.socket.removeListener("data", this.onData)
    this.socket.removeListener("end", this.onSocketEnd)
  }

  private async run(): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      while (!this.stopped) {
        const chunk = this.queue.shift()
        if (chunk !== undefined) {
          await this.onChunk(chunk)
          continue
        }
        if (this.ended) {
          this.ended = false
          await this.onEnd()
        }
        break
      }
    } finally {
      this.running = false
    }
    if (!this.stopped && this.queue.length === 0 && !this.socket.destroyed) this.socket.resume()
    else if (!this.stopped && this.queue.length > 0) void this.run()
  }
}
