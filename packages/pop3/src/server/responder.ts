/**
 * {@link MaildropResponder}: answers a `Pop3ServerConnection`'s decision events from a
 * {@link MaildropStore} and a verify function — the glue every POP3 server needs, with
 * no I/O of its own. It awaits the store, so it runs anywhere the store does.
 *
 * What it does not do: read sockets, write output, or keep time. The caller still
 * writes `takeOutput()` after each `handle` and acts on the events it returns
 * (`StartTls`, `Closed`, `CommandError`).
 */
import type { VerificationAnswer } from "@mailwire/sasl"
import type { Pop3ServerConnection } from "./connection.js"
import type { Pop3ServerEvent, Pop3VerificationRequest } from "./events.js"
import { isMaildropRefusal, type Maildrop, type MaildropStore } from "./maildrop.js"

/** Options of {@link MaildropResponder}. */
export interface MaildropResponderOptions {
  /** Where the maildrops are. */
  readonly store: MaildropStore
  /** Checks a login (see `Pop3VerificationRequest` for the answer each kind takes). */
  readonly verify: (
    request: Pop3VerificationRequest,
  ) => VerificationAnswer | Promise<VerificationAnswer>
  /**
   * Writes output while a `RETR`/`TOP` streams: called with `takeOutput()` after each
   * piece of the message, and awaited, so an adapter can wait for the socket to drain.
   * Without it a whole message waits in the connection's output until `handle` resolves,
   * which holds it in memory however slowly the client reads.
   */
  readonly write?: (bytes: Uint8Array) => void | Promise<void>
}

/** Answers one connection's decision events from a maildrop store (RFC 1939 §4–§6). */
export class MaildropResponder {
  private maildrop: Maildrop | null = null

  /** Answers `connection`'s events; one responder per connection. */
  constructor(
    private readonly connection: Pop3ServerConnection,
    private readonly options: MaildropResponderOptions,
  ) {}

  /**
   * Answers every decision event in `events` and in the events the answers lead to, in
   * order. Resolves with the events that need no answer, for the caller to act on.
   */
  async handle(events: ReadonlyArray<Pop3ServerEvent>): Promise<Pop3ServerEvent[]> {
    const queue = [...events]
    const rest: Pop3ServerEvent[] = []
    for (let event = queue.shift(); event !== undefined; event = queue.shift()) {
      queue.push(...(await this.answer(event, rest)))
    }
    return rest
  }

  private async answer(
    event: Pop3ServerEvent,
    rest: Pop3ServerEvent[],
  ): Promise<ReadonlyArray<Pop3ServerEvent>> {
    const conn = this.connection
    switch (event.type) {
      case "Authenticate": {
        let answer: VerificationAnswer
        try {
          answer = await this.options.verify(event.request)
        } catch {
          return conn.reject(event, { code: "SYS/TEMP", text: "Authentication unavailable" })
        }
        return conn.answerAuthenticate(event, answer)
      }
      case "OpenMaildrop": {
        const opened = await this.options.store.open(event.username)
        if (isMaildropRefusal(opened)) return conn.reject(event, opened)
        this.maildrop = opened
        return conn.openMaildrop(event, await opened.list())
      }
      case "Retrieve":
        try {
          for await (const chunk of this.maildrop!.read(event.message.uid)) {
            const wantsMore = conn.messageData(event, chunk)
            if (this.options.write !== undefined) await this.options.write(conn.takeOutput())
            if (!wantsMore) break
          }
        } catch {
          return conn.reject(event, { code: "SYS/TEMP", text: "Unable to read the message" })
        }
        return conn.messageEnd(event)
      case "Commit":
        try {
          await this.maildrop!.delete(event.deleted)
        } catch {
          await this.release()
          return conn.reject(event)
        }
        await this.release()
        return conn.commit(event)
      case "Closed":
        if (event.maildropOpen) await this.release()
        rest.push(event)
        return []
      default:
        rest.push(event)
        return []
    }
  }

  private async release(): Promise<void> {
    const maildrop = this.maildrop
    this.maildrop = null
    await maildrop?.close()
  }
}
