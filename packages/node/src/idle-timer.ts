/**
 * A server session's idle timeout (SMTP `idleTimeout`, RFC 5321 §4.5.3.2.7; POP3
 * autologout, RFC 1939 §3): one unref'd timer per session, restarted by the session when
 * the client is heard from and when a step that had to wait is done.
 *
 * Not the socket's own `setTimeout`, which Node restarts on every read and every write, a
 * cost paid on each command. What it does not do: decide what an idle session means; the
 * session passes `onIdle`.
 */
export class IdleTimer {
  private timer: ReturnType<typeof setTimeout> | null = null

  /** Starts counting `ms` (no limit when `ms` ≤ 0); `onIdle` runs when they pass untouched. */
  start(ms: number, onIdle: () => void): void {
    if (ms <= 0) return
    this.timer = setTimeout(onIdle, ms)
    this.timer.unref()
  }

  /** The client was heard from, or the server answered after a wait: idle time starts over. */
  touch(): void {
    this.timer?.refresh()
  }

  /** The session is over. */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }
}
