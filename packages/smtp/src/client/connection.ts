/**
 * `SmtpClientConnection`: the client side of one SMTP (RFC 5321) or LMTP (RFC 2033)
 * connection as a pure state machine. It runs the session by itself — greeting, EHLO
 * (HELO fallback), STARTTLS, AUTH — and then sends any number of mail transactions, each
 * reported per recipient. Nothing here opens a socket, starts a timer or reads a clock;
 * this file holds only the reply reader, the state and the dispatch to `commands/`.
 *
 * What an adapter does: feed received bytes to `receive` and write `takeOutput()` after
 * every call; on `startTls`, stop feeding `receive`, upgrade the socket, and call
 * `resumeTls()`; on `closed`, close the socket; when the server closes, call
 * `receiveEnd()`. A `protocolError` event (the server sent something that is not a
 * reply) ends the connection; the events before it still count.
 */
import { LocalProtocolError, RemoteProtocolError } from "@mailwire/wire"
import type { SmtpCapabilities } from "../capabilities.js"
import { remoteError } from "../errors.js"
import type { SmtpReply } from "../types.js"
import { handleGreeting, resumeAfterTls } from "./commands/hello.js"
import { prepareTransaction } from "./commands/mail-request.js"
import type { ClientTransaction } from "./commands/transaction.js"
import type { SmtpClientEvent } from "./events.js"
import type { SmtpClientOptions, SmtpMailRequest } from "./options.js"
import { ClientSession } from "./session.js"
import type { SmtpClientState } from "./state.js"

/**
 * The client side of an SMTP or LMTP connection.
 *
 * @example
 * ```ts
 * const client = new SmtpClientConnection({ hostname: "client.example" })
 * for (const event of client.receive(bytesFromServer)) {
 *   if (event.type === "ready") client.sendMail({ from: "a@example.com", to: ["b@example.org"], body })
 *   if (event.type === "transactionComplete") console.log(event.result.recipients)
 * }
 * socket.write(client.takeOutput())
 * ```
 */
export class SmtpClientConnection {
  private readonly session: ClientSession

  constructor(options: SmtpClientOptions = {}) {
    this.session = new ClientSession(options)
    this.session.expect((reply) => {
      handleGreeting(this.session, reply)
      return false
    })
  }

  /** The current state (see {@link SmtpClientState}). */
  get state(): SmtpClientState {
    return this.session.state
  }

  /** What the server announced in its last EHLO/LHLO reply. */
  get capabilities(): SmtpCapabilities {
    return this.session.capabilities
  }

  /** Whether the connection is under TLS (implicit, or after STARTTLS). */
  get isSecure(): boolean {
    return this.session.isSecure
  }

  /**
   * Processes received bytes and returns every event now complete. Bytes that are not
   * replies, or a reply nobody waits for, end the connection without losing what came
   * before them: the events of the replies read first (a `transactionComplete` for a
   * message the server took, say) come first, then a `protocolError` event, then the
   * transactions still open failing with a synthetic reply (`reply.synthetic`), then
   * `closed`. Later calls throw that `RemoteProtocolError`. Throws a `LocalProtocolError`
   * while paused for STARTTLS (those bytes belong to TLS).
   */
  receive(chunk: Uint8Array): ReadonlyArray<SmtpClientEvent> {
    const s = this.session
    if (s.protocolFailure !== null) throw s.protocolFailure
    if (s.state === "closed") return []
    if (s.state === "tlsHandshake") {
      throw new LocalProtocolError(
        "INVALID_STATE",
        "receive() while paused for STARTTLS; call resumeTls() first",
      )
    }
    s.replies.push(chunk)
    try {
      while (s.isReading()) {
        const reply = s.replies.next()
        if (reply === null) break
        this.dispatch(reply)
      }
    } catch (error) {
      if (!(error instanceof RemoteProtocolError)) throw error
      s.protocolFailure = error
      s.emit({ type: "protocolError", error })
      s.close(null, "Connection closed after a protocol error")
    }
    return this.flush()
  }

  /** The server closed the connection. */
  receiveEnd(): ReadonlyArray<SmtpClientEvent> {
    this.session.close(null)
    return this.flush()
  }

  /** Bytes to write now (may be empty). */
  takeOutput(): Uint8Array {
    return this.session.takeOutput()
  }

  /**
   * The same bytes as {@link takeOutput}, in the pieces they were queued in, without
   * copying them into one array: for an adapter that writes them with one gathered write
   * (`writev`). Body pieces may be the caller's own chunks (see `sendMail`), so they must
   * be written, not kept or changed. Empty when there is nothing to write.
   */
  takeOutputChunks(): Uint8Array[] {
    return this.session.takeOutputChunks()
  }

  /** The adapter finished the TLS handshake after a `startTls` event; EHLO is sent again. */
  resumeTls(): ReadonlyArray<SmtpClientEvent> {
    if (this.session.state !== "tlsHandshake") {
      throw new LocalProtocolError("INVALID_STATE", "resumeTls() without a startTls event")
    }
    resumeAfterTls(this.session)
    return this.flush()
  }

  /**
   * Queues a mail transaction and returns its id; call it after the `ready` event. The
   * result comes as a `transactionComplete` event. Without `request.body`, stream the
   * body with {@link writeBody} and {@link endBody} (before or after `readyForBody`).
   * Throws `LocalProtocolError` for a bad address or parameter, or when the message needs
   * an extension the server does not offer (SMTPUTF8, 8BITMIME, BINARYMIME, DSN,
   * REQUIRETLS) — the client never downgrades silently.
   */
  sendMail(request: SmtpMailRequest): number {
    const s = this.session
    if (s.state !== "ready" && s.state !== "transaction") {
      throw new LocalProtocolError(
        "INVALID_STATE",
        `sendMail() in state ${s.state}; wait for the ready event`,
      )
    }
    if (s.quitRequested) throw new LocalProtocolError("INVALID_STATE", "sendMail() after quit()")
    const transaction = prepareTransaction(s, s.nextId++, request)
    if (request.body !== undefined) {
      transaction.write(s, request.body)
      transaction.end(s)
    }
    s.queue.set(transaction.id, transaction)
    this.startNext()
    return transaction.id
  }

  /**
   * Adds a piece of the body of transaction `id`. Pieces written before `readyForBody`
   * are copied and kept; pieces for a transaction that already failed are dropped.
   */
  writeBody(id: number, chunk: Uint8Array): void {
    this.find(id)?.write(this.session, chunk)
  }

  /** Ends the body of transaction `id`; with PIPELINING the next one may start at once. */
  endBody(id: number): void {
    this.find(id)?.end(this.session)
    this.startNext()
  }

  /** Sends QUIT once every queued transaction is done (RFC 5321 §4.1.1.10). */
  quit(): void {
    this.session.quitRequested = true
    this.startNext()
  }

  private find(id: number): ClientTransaction | undefined {
    const s = this.session
    if (s.active?.id === id) return s.active
    return s.queue.get(id) ?? s.finishing.find((transaction) => transaction.id === id)
  }

  private dispatch(reply: SmtpReply): void {
    const s = this.session
    if (reply.code === 421) {
      // RFC 5321 §3.8: the server is closing, whatever the reply was for.
      s.close(reply)
      return
    }
    const handler = s.handlers[0]
    if (handler === undefined) {
      throw remoteError(
        "UNEXPECTED_REPLY",
        `unexpected reply ${reply.code} ${reply.lines.join(" ")}`,
      )
    }
    if (handler(reply) !== true) s.dropHandler(handler)
    this.startNext()
  }

  /**
   * Starts the next queued transaction, or QUIT, when the session is idle. With
   * PIPELINING the next one also starts once the active one's whole message is written:
   * its envelope goes out behind the end-of-data mark, and the replies still come in
   * order, the message's final reply first (RFC 2920 §3.1).
   */
  private startNext(): void {
    const s = this.session
    if (s.state !== "ready" && s.state !== "transaction") return
    const active = s.active
    if (active !== null && (s.queue.size === 0 || !(active.isBodySent && s.canPipeline))) return
    const next = s.queue.values().next().value
    if (next === undefined) {
      s.state = "ready"
      if (s.quitRequested) s.quit()
      return
    }
    if (active !== null) s.finishing.push(active)
    s.queue.delete(next.id)
    s.active = next
    s.state = "transaction"
    if (s.needsReset) {
      s.needsReset = false
      s.send({ verb: "RSET" }, () => false)
    }
    next.start(s)
  }

  private flush(): SmtpClientEvent[] {
    this.startNext()
    const events = this.session.events
    this.session.events = []
    return events
  }
}
