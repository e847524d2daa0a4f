/**
 * The body of one message as the SMTP server hands it to `onData`: a `Readable` with
 * backpressure, and the outcome of the application's hook. The session pushes the
 * unstuffed chunks in; when the stream is full it waits (up to `dataTimeout`) for the
 * application to read before it reads more from the socket, so a slow store slows the
 * client down instead of filling memory. A stream nobody reads in time is abandoned: the
 * rest of the body is dropped and the message answered `451` (smtp-server #144, #190).
 *
 * What it does not do: parse the message or decide the reply. Chunks pushed are copies
 * the application owns.
 */
import { Readable } from "node:stream"
import { ConnectionError } from "./errors.js"

/** How `onData` settled. */
export type DataOutcome = { readonly value: unknown } | { readonly error: unknown }

/**
 * 64 KiB buffered before the client is slowed down: Node's default for byte streams is
 * 16 KiB, but a message chunk from the socket is up to 64 KiB and should fit whole.
 */
const STREAM_HIGH_WATER_MARK = 64 * 1024

/**
 * Resolves with `value` after `ms`; `0` means "no timeout" and never resolves (callers
 * race it against the real outcome). `cancel` clears the timer.
 */
export function timeoutAfter<T>(ms: number, value: T): { promise: Promise<T>; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined
  const promise = new Promise<T>((resolve) => {
    if (ms > 0) timer = setTimeout(() => resolve(value), ms)
  })
  return { promise, cancel: () => clearTimeout(timer) }
}

export class MessageStream {
  readonly stream: Readable
  /** The reader did not keep up within the timeout; the message will be refused. */
  isAbandoned = false
  private readonly outcome: Promise<DataOutcome>
  private isSettled = false
  private isFull = false
  private wake: (() => void) | null = null

  /** Starts `onData` on a fresh stream at once, so it can read as the bytes arrive. */
  constructor(onData: (stream: Readable) => unknown) {
    this.stream = new Readable({
      highWaterMark: STREAM_HIGH_WATER_MARK,
      read: () => {
        this.isFull = false
        const wake = this.wake
        this.wake = null
        wake?.()
      },
    })
    this.outcome = Promise.resolve()
      .then(() => onData(this.stream))
      .then(
        (value): DataOutcome => ({ value }),
        (error: unknown): DataOutcome => ({ error }),
      )
      .finally(() => {
        this.isSettled = true
        // A hook that settled early reads no more: let the rest flow to nowhere.
        if (!this.stream.destroyed) this.stream.resume()
        this.wake?.()
      })
  }

  /** Whether the session should wait for the reader before reading the socket again. */
  get needsReader(): boolean {
    return this.isFull && !this.isSettled && !this.isAbandoned && !this.stream.destroyed
  }

  /** Adds a piece of the body (copied). */
  push(bytes: Uint8Array): void {
    if (this.isAbandoned || this.stream.destroyed) return
    if (!this.stream.push(bytes.slice())) this.isFull = true
  }

  /**
   * Waits up to `timeoutMs` for the application to read. If it does not, the stream is
   * abandoned and destroyed; returns whether the reader kept up.
   */
  async waitForReader(timeoutMs: number): Promise<boolean> {
    if (!this.needsReader) return true
    const timeout = timeoutAfter(timeoutMs, false)
    const read = new Promise<boolean>((resolve) => {
      this.wake = () => resolve(true)
    })
    const inTime = await Promise.race([read, timeout.promise])
    timeout.cancel()
    this.wake = null
    if (!inTime) {
      this.isAbandoned = true
      this.destroy()
    }
    return inTime
  }

  /** The whole body is in. */
  end(): void {
    if (!this.stream.destroyed) this.stream.push(null)
  }

  /** How `onData` settled, or `null` when it did not within `timeoutMs`. */
  async result(timeoutMs: number): Promise<DataOutcome | null> {
    const timeout = timeoutAfter(timeoutMs, null)
    const outcome = await Promise.race([this.outcome, timeout.promise])
    timeout.cancel()
    return outcome
  }

  /** The body will not complete (aborted, refused, or the connection closed). */
  destroy(): void {
    if (this.stream.destroyed || this.stream.readableEnded) return
    const error = new ConnectionError("ABORTED", "data", "the message was aborted")
    // An 'error' event without a listener would crash the process (DESIGN §3).
    this.stream.destroy(this.stream.listenerCount("error") > 0 ? error : undefined)
  }
}
