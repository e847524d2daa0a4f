/**
 * One `RETR` or `TOP` answer in progress (RFC 1939 §7): the `+OK` line before the first
 * byte, the message dot-stuffed with `DotEncoder` as the application streams it, `TOP`'s
 * cut with {@link TopFilter}, and the `.` line at the end.
 *
 * Bare CR and LF in a stored message are written as CRLF (the `DotEncoder` default), so
 * the client never sees a line end that two readers could disagree on. The returned
 * arrays are views of the application's chunks or fresh arrays.
 */
import { DotEncoder, encodeUtf8 } from "@mailwire/wire"
import { encodeOctetsStatus } from "../wire/encoder.js"
import type { RetrieveEvent } from "./events.js"
import { TopFilter } from "./top-filter.js"

export class Retrieval {
  private readonly encoder = new DotEncoder()
  private readonly top: TopFilter | null
  private started = false

  constructor(readonly event: RetrieveEvent) {
    this.top = event.lines === null ? null : new TopFilter(event.lines)
  }

  /** Whether the `+OK` line has been written, so the answer can no longer be `-ERR`. */
  get isStarted(): boolean {
    return this.started
  }

  /** Whether more of the message is needed (`TOP` may be satisfied early). */
  get wantsMore(): boolean {
    return this.top === null || !this.top.isDone
  }

  /**
   * The bytes to write for the next piece of the message. With `isClean` (see
   * `MaildropMessageNow.isClean`) a RETR's piece skips the dot-stuffing scan; TOP's cut
   * pieces always take the full path.
   */
  data(chunk: Uint8Array, isClean = false): Uint8Array[] {
    const out = this.start()
    const part = this.top === null ? chunk : this.top.filter(chunk)
    if (part.length === 0) return out
    const skipScan = isClean && this.top === null
    out.push(skipScan ? this.encoder.encodeClean(part) : this.encoder.encode(part))
    return out
  }

  /** The bytes that finish the answer. */
  end(): Uint8Array[] {
    const out = this.start()
    out.push(this.encoder.end())
    return out
  }

  private start(): Uint8Array[] {
    if (this.started) return []
    this.started = true
    return [encodeUtf8(encodeOctetsStatus(this.event.message.size))]
  }
}
