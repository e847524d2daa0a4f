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
import { isPromiseLike } from "./smtp-hook-answer.js"

/** The `onData` of a server without one: every message is read to its end and dropped. */
export async function dropMessage(_envelope: unknown, stream: Readable): Promise<void> {
  for await (const _chunk of stream) {
    // Nothing keeps the bytes.
  }
}

/** How `onData` settled. */
export type DataOutcome = { readonly value: unknown } | { readonly error: unknown }

/**
 * 64 KiB buffered before the client is slowed down: Node's default for byte streams is
 * 16 KiB, but a message chunk from the socket is up to 64 KiB and should fit whole.
 */
const STREAM_HIGH_WATER_MARK = 64 * 1024

/**
 * The session's timeout for one wait at a time (the reader to make room, `onData` to
 * settle): one Node timer per session, re-armed with `refresh()` for each wait. A fresh
 * `setTimeout` per message would create and drop a timer list each time, which cost the
 * server several microseconds per message. `0` means no timeout.
 */
export class Deadline {
  private timer: ReturnType<typeof setTimeout> | null = null
  /** Ends the current wait as timed out; `null` when no wait is running. */
  private expire: (() => void) | null = null

  constructor(private readonly ms: number) {}

  /** Calls `expire` once the timeout passes, unless `stop(expire)` comes first. */
  start(expire: () => void): void {
    if (this.ms <= 0) return
    this.expire = expire
    if (this.timer === null) this.timer = setTimeout(this.onTimeout, this.ms)
    else this.timer.refresh()
  }

  /** The wait of `expire` ended in time; the timer runs on with nothing to expire. */
  stop(expire: () => void): void {
    if (this.expire === expire) this.expire = null
  }

  /** Stops the timer for good (the session is over). */
  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    this.expire = null
  }

  private readonly onTimeout = () => {
    const expire = this.expire
    this.expire = null
    expire?.()
  }
}

export class MessageStream {
  readonly stream: Readable
  /** The reader did not keep up within the timeout; the message will be refused. */
  isAbandoned = false
  /** How `onData` settled, once it has. */
  private settled: DataOutcome | null = null
  /** Waits for `onData` to settle (see {@link whenSettled}); called once, then dropped. */
  private onSettled: ((outcome: DataOutcome | null) => void) | null = null
  private isFull = false
  private wake: (() => void) | null = null
  private readonly expire = () => this.callOnSettled(null)

  /**
   * Starts `onData` on a fresh stream, so it can read as the bytes arrive: called at once
   * (a throw becomes its outcome), not a microtask later, which cost a promise pair and a
   * microtask per message. Waits are bounded by `deadline`.
   */
  constructor(
    onData: (stream: Readable) => unknown,
    private readonly deadline: Deadline,
  ) {
    this.stream = new Readable({
      highWaterMark: STREAM_HIGH_WATER_MARK,
      read: () => {
        this.isFull = false
        const wake = this.wake
        this.wake = null
        wake?.()
      },
    })
    this.run(onData)
  }

  /** Whether the session should wait for the reader before reading the socket again. */
  get needsReader(): boolean {
    return this.isFull && this.settled === null && !this.isAbandoned && !this.stream.destroyed
  }

  /**
   * Adds a piece of the body, copied into a `Buffer` the application owns. `bytes` may be
   * a `Buffer` view of the socket's chunk, whose `slice()` is another view, not a copy:
   * `Buffer.from` always copies, so a small chunk the application keeps never holds the
   * whole socket read (or the machine's reader buffer) alive.
   */
  push(bytes: Uint8Array): void {
    if (this.isAbandoned || this.stream.destroyed) return
    if (!this.stream.push(Buffer.from(bytes))) this.isFull = true
  }

  /**
   * Waits (up to the deadline) for the application to read. If it does not, the stream is
   * abandoned and destroyed; resolves with whether the reader kept up.
   */
  waitForReader(): Promise<boolean> {
    if (!this.needsReader) return Promise.resolve(true)
    return new Promise((resolve) => {
      const expire = () => {
        this.wake = null
        this.isAbandoned = true
        this.destroy()
        resolve(false)
      }
      this.wake = () => {
        this.deadline.stop(expire)
        resolve(true)
      }
      this.deadline.start(expire)
    })
  }

  /** The whole body is in. */
  end(): void {
    if (!this.stream.destroyed) this.stream.push(null)
  }

  /** How `onData` settled, or `null` while it still runs. */
  get outcome(): DataOutcome | null {
    return this.settled
  }

  /**
   * Calls `done` once `onData` settles (at once if it has), or with `null` when it does not
   * settle before the deadline. A callback rather than a promise: the session answers the
   * message in the same microtask as `onData` settles, instead of one promise hop later for
   * each step between them.
   */
  whenSettled(done: (outcome: DataOutcome | null) => void): void {
    if (this.settled !== null) {
      done(this.settled)
      return
    }
    this.onSettled = done
    this.deadline.start(this.expire)
  }

  /** The body will not complete (aborted, refused, or the connection closed). */
  destroy(): void {
    if (this.stream.destroyed || this.stream.readableEnded) return
    const error = new ConnectionError("ABORTED", "data", "the message was aborted")
    // An 'error' event without a listener would crash the process (DESIGN §3).
    this.stream.destroy(this.stream.listenerCount("error") > 0 ? error : undefined)
  }

  /** Calls `onData`; what it returns, throws or resolves to is its outcome. */
  private run(onData: (stream: Readable) => unknown): void {
    let result: unknown
    try {
      result = onData(this.stream)
    } catch (error) {
      this.settle({ error })
      return
    }
    if (!isPromiseLike(result)) {
      this.settle({ value: result })
      return
    }
    Promise.resolve(result).then(
      (value) => this.settle({ value }),
      (error: unknown) => this.settle({ error }),
    )
  }

  private settle(outcome: DataOutcome): void {
    this.settled = outcome
    this.deadline.stop(this.expire)
    // A hook that settled early reads no more: let the rest flow to nowhere.
    if (!this.stream.destroyed) this.stream.resume()
    this.wake?.()
    this.callOnSettled(outcome)
  }

  /** Hands the outcome (`null`: the deadline passed) to the waiting session, once. */
  private callOnSettled(outcome: DataOutcome | null): void {
    const done = this.onSettled
    this.onSettled = null
    done?.(outcome)
  }
}
