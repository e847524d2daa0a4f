/**
 * The reply timer of a client connection (RFC 5321 §4.5.3.2): one timer per connection
 * instead of one re-armed per command or message.
 *
 * What it does not do: read the socket or decide what a timeout means; the owner calls
 * `touch()` on every byte from the server and gets `expired(stage, ms)`.
 */

/**
 * The one timer of a connection: the server must answer within `ms` of its last sign of
 * life (RFC 5321 §4.5.3.2). Bytes from the server only note the time, so no timer is
 * re-armed per reply or per message; when the timer fires early it sleeps again for what
 * is left, and it fails the connection only after the server has really been silent for
 * `ms`. Paused while nothing is awaited; a paused timer that fires just ends.
 */
export class ReplyDeadline {
  private timer: ReturnType<typeof setTimeout> | null = null
  /** When the timer fires, on the `performance.now()` clock. */
  private firesAt = 0
  private stage = ""
  private ms = 0
  /** The last sign of life from the server, or when the wait began. */
  private since = 0
  private isWaiting = false

  constructor(private readonly expired: (stage: string, ms: number) => void) {}

  /** Waits from now for a reply under `stage`'s timeout; `ms` ≤ 0 waits forever. */
  wait(stage: string, ms: number): void {
    this.stage = stage
    this.ms = ms
    this.since = performance.now()
    this.isWaiting = ms > 0
    if (!this.isWaiting) return
    if (this.timer !== null && this.firesAt <= this.since + ms) return
    this.schedule(ms)
  }

  /** The server said something: the current wait starts over. */
  touch(): void {
    this.since = performance.now()
  }

  /** Nothing is awaited from the server now. */
  pause(): void {
    this.isWaiting = false
  }

  /** The connection is over. */
  stop(): void {
    this.isWaiting = false
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  private schedule(ms: number): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.firesAt = performance.now() + ms
    this.timer = setTimeout(this.fire, ms)
  }

  private readonly fire = (): void => {
    this.timer = null
    if (!this.isWaiting) return
    const left = this.since + this.ms - performance.now()
    if (left > 0) this.schedule(left)
    else this.expired(this.stage, this.ms)
  }
}
