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
import { Buffer } from "node:buffer"
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
 * Writes `chunks` as one write: up to `joinMaxBytes` in all, copied into one buffer (a copy
 * of a few kilobytes costs less than Node's corked `writev` path, which buffers, wraps and
 * lists each piece); above that as the pieces themselves, corked into one gathered write,
 * so nothing large is copied. Returns what `write` does: whether the socket takes more
 * without `'drain'`.
 */
export function writeChunks(
  socket: Socket,
  chunks: readonly Uint8Array[],
  joinMaxBytes: number,
): boolean {
  if (chunks.length === 1) return socket.write(chunks[0]!)
  let total = 0
  for (const chunk of chunks) total += chunk.length
  if (total <= joinMaxBytes) return socket.write(Buffer.concat(chunks, total))
  socket.cork()
  let hasRoom = true
  for (const chunk of chunks) hasRoom = socket.write(chunk)
  socket.uncork()
  return hasRoom
}

/** What a pump's handler returns: nothing when it is done, a promise while it still works. */
export type PumpStep = Promise<void> | undefined

/**
 * A step that ends by a callback instead of a promise: the handler returns it and calls
 * {@link finish} once its work is over, and whoever waits goes on straight from that call.
 * A promise would add a promise and a microtask for each `.then` between the two; the SMTP
 * server ends nearly every message this way, while `onData` reads the last bytes.
 */
export class Handoff {
  private isFinished = false
  private next: (() => void) | null = null

  /** Calls `next` once the step is finished (at once if it is). A step has one waiter. */
  onFinish(next: () => void): void {
    if (this.isFinished) {
      next()
      return
    }
    this.next = next
  }

  /** The step's work is over; the waiter goes on now. Later calls do nothing. */
  readonly finish = (): void => {
    if (this.isFinished) return
    this.isFinished = true
    const next = this.next
    this.next = null
    next?.()
  }

  /**
   * This step is over once `later` is: its waiter is handed to `later`, so a chain of
   * handoffs (pipelined messages, each one waiting for its `onData`) ends with one call
   * to the first waiter, not one nested call per message, however long the chain.
   */
  finishWith(later: Handoff): void {
    const next = this.next
    if (this.isFinished || next === null) {
      later.onFinish(this.finish)
      return
    }
    this.next = null
    later.onFinish(next)
  }
}

/** What a pump's handler may return: a {@link PumpStep}, or a {@link Handoff}. */
export type PumpWait = PumpStep | Handoff

/** `step` as a promise, for a caller that chains promises (a `Handoff` becomes one). */
export function asPromise(step: PumpWait): PumpStep {
  if (!(step instanceof Handoff)) return step
  return new Promise((resolve) => step.onFinish(resolve))
}

/**
 * Feeds a socket's bytes to a handler one chunk at a time. A handler that finishes at
 * once (returns nothing) is called straight from the `'data'` event. While one that
 * returned a promise (or a {@link Handoff}) works, the first chunk that arrives waits its
 * turn and pauses the socket until it is done, so a slow application slows the peer down
 * through TCP (backpressure) instead of filling memory; a wait with no bytes behind it
 * costs no pause and resume. Chunks are handled in order. `switchTo` moves the pump to an
 * upgraded socket and drops chunks read from the old one and not handled yet.
 */
export class InputPump {
  private socket: Socket
  private readonly queue: Uint8Array[] = []
  private ended = false
  private running = false
  private stopped = false
  /** Whether the pump paused the socket, which it does once a chunk arrives mid-wait. */
  private paused = false

  constructor(
    socket: Socket,
    private readonly onChunk: (chunk: Uint8Array) => PumpWait,
    private readonly onEnd: () => PumpWait,
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
    if (!this.running && this.queue.length === 0 && !this.stopped) {
      this.run(chunk)
      return
    }
    this.queue.push(chunk)
    // The handler is still at work: read no more until it is done (backpressure).
    if (this.running) this.pause()
    this.run()
  }

  private pause(): void {
    if (this.paused) return
    this.paused = true
    this.socket.pause()
  }

  private readonly onSocketEnd = () => {
    this.ended = true
    this.run()
  }

  private attach(): void {
    this.socket.on("data", this.onData)
    this.socket.on("end", this.onSocketEnd)
  }

  private detach(): void {
    this.socket.removeListener("data", this.onData)
    this.socket.removeListener("end", this.onSocketEnd)
  }

  /**
   * Hands over `first`, when given (a chunk that arrived with nothing queued: the usual
   * case, no queue), then what is queued, in order, for as long as the handler finishes at
   * once; the first wait pauses the socket if bytes arrive, and the run goes on (and
   * resumes it) once the wait is over.
   */
  private run(first?: Uint8Array): void {
    if (this.running) return
    this.running = true
    let waiting: PumpWait
    try {
      waiting = first === undefined ? undefined : this.onChunk(first)
      if (waiting === undefined) waiting = this.handleQueued()
    } catch (error) {
      this.running = false
      throw error
    }
    this.waitOrFinish(waiting)
  }

  /** Ends the run, or waits (pausing the socket if bytes arrive) until the handler is done. */
  private waitOrFinish(waiting: PumpWait): void {
    if (waiting === undefined) {
      this.running = false
      return
    }
    if (waiting instanceof Handoff) {
      waiting.onFinish(this.resumeAfterWait)
      return
    }
    waiting.then(this.resumeAfterWait, (error: unknown) => {
      this.running = false
      throw error
    })
  }

  /** Calls the handler for each queued chunk (then the end) until one has to wait. */
  private handleQueued(): PumpWait {
    while (!this.stopped) {
      const chunk = this.queue.shift()
      if (chunk !== undefined) {
        const waiting = this.onChunk(chunk)
        if (waiting !== undefined) return waiting
        continue
      }
      if (this.ended) {
        this.ended = false
        return this.onEnd()
      }
      break
    }
    return undefined
  }

  private readonly resumeAfterWait = (): void => {
    this.running = false
    if (this.stopped) return
    if (this.queue.length > 0 || this.ended) this.run()
    if (this.running || !this.paused) return
    this.paused = false
    if (!this.stopped && !this.socket.destroyed) this.socket.resume()
  }
}
