/**
 * `Pop3ServerConnection`: the POP3 server as a sans-I/O state machine (RFC 1939, with
 * RFC 2449 CAPA, RFC 2595 STLS, RFC 3206 response codes, RFC 5034 AUTH and RFC 6856
 * UTF8). Bytes from the client go into {@link Pop3ServerConnection.receive}; events come
 * out; replies wait in {@link Pop3ServerConnection.takeOutput}.
 *
 * What it does not do: open sockets, keep time, read mailboxes or check passwords. The
 * application answers the four decision events (`Authenticate`, `OpenMaildrop`,
 * `Retrieve`, `Commit`) with calls on the connection, now or after an `await`; input
 * that arrives meanwhile waits in order. The machine knows the maildrop only as the
 * listing handed to `openMaildrop`: message numbers, UIDs, sizes and deletion marks.
 * Deletion marks become a `Commit` event only on `QUIT` in TRANSACTION (RFC 1939 §6).
 *
 * An adapter (the node package) must: write `takeOutput()` after every call; stop
 * reading the socket while `isWaiting` (a decision is pending); on a
 * `StartTls` event stop reading, upgrade the socket and call `resumeAfterTls()` (bytes
 * that arrived before the handshake are dropped, see `discardedInput`); call
 * `receiveEnd()` when the peer closes; and close the socket once `state` is `CLOSED`
 * and the output is written. On a `Closed` event with `maildropOpen`, the application
 * releases the maildrop without deleting anything.
 *
 * Buffers: chunks given to `receive` are only read during the call (unread input is
 * copied when the reader must keep it). Chunks given to `messageData` are kept by
 * reference until the next `takeOutput()`, or, with `takeOutputChunks()`, until the
 * pieces it hands out are written; do not change them before then.
 */
import type { VerificationAnswer } from "@mailwire/sasl"
import {
  concatBytes,
  decodeUtf8,
  encodeUtf8,
  LineReader,
  LocalProtocolError,
  type RemoteProtocolError,
} from "@mailwire/wire"
import type { Pop3Capabilities } from "../capabilities.js"
import { keepDiscarded } from "../discarded-input.js"
import { remoteError } from "../errors.js"
import { encodeMultiline, encodeStatus } from "../wire/encoder.js"
import { commandLine, DEFAULT_POP3_MAX_LINE_LENGTH } from "../wire/grammar.js"
import type {
  AuthenticateEvent,
  ClosedEvent,
  CommitEvent,
  OpenMaildropEvent,
  Pop3DecisionEvent,
  Pop3Rejection,
  Pop3ServerEvent,
  RetrieveEvent,
} from "./events.js"
import { LoginFlow, type LoginOutcome } from "./login.js"
import type { MaildropListing } from "./maildrop.js"
import {
  DEFAULT_MAX_BAD_COMMANDS,
  DEFAULT_MAX_BUFFERED_INPUT,
  type Pop3ServerOptions,
} from "./options.js"
import { Retrieval } from "./retrieval.js"
import { isAllowed, isKnownCommand, type Pop3ServerState } from "./state.js"
import { Transaction } from "./transaction.js"

type Pending =
  | { readonly event: AuthenticateEvent | OpenMaildropEvent | CommitEvent }
  | { readonly event: RetrieveEvent; readonly retrieval: Retrieval }

const EMPTY = new Uint8Array(0)

/** What the caller of `messageData` knows about the chunk it passes. */
export interface MessageDataOptions {
  /**
   * The chunk is the store's `MaildropMessageNow` with `isClean: true`: no bare CR or LF
   * and no line beginning with `.`, so RETR writes it without the dot-stuffing scan.
   */
  readonly isClean?: boolean
}

/**
 * The POP3 server side of one connection (RFC 1939). See the module documentation.
 *
 * @example
 * ```ts
 * const conn = new Pop3ServerConnection({ isSecure: true })
 * socket.write(conn.takeOutput()) // the greeting
 * for (const event of conn.receive(chunk)) {
 *   if (event.type === "Authenticate") conn.answerAuthenticate(event, await check(event.request))
 * }
 * socket.write(conn.takeOutput())
 * ```
 */
export class Pop3ServerConnection {
  private current: Pop3ServerState = "AUTHORIZATION"
  private readonly reader: LineReader
  private readonly login: LoginFlow
  private readonly options: Pop3ServerOptions
  private readonly maxBadCommands: number
  private readonly maxBufferedInput: number
  private output: Uint8Array[] = []
  private secure: boolean
  private pending: Pending | null = null
  private maildrop: Transaction | null = null
  private nextId = 1
  private badCommands = 0
  private utf8Mode = false
  private discarded: Uint8Array = EMPTY

  /** Creates the connection and queues the greeting (RFC 1939 §4), with an APOP timestamp if offered. */
  constructor(options: Pop3ServerOptions = {}) {
    this.options = options
    this.login = new LoginFlow(options)
    this.reader = new LineReader({
      maxLineLength: options.maxLineLength ?? DEFAULT_POP3_MAX_LINE_LENGTH,
    })
    this.maxBadCommands = options.maxBadCommands ?? DEFAULT_MAX_BAD_COMMANDS
    this.maxBufferedInput = options.maxBufferedInput ?? DEFAULT_MAX_BUFFERED_INPUT
    this.secure = options.isSecure ?? false
    const timestamp = this.login.timestamp
    this.status(true, timestamp === null ? "POP3 server ready" : `POP3 server ready ${timestamp}`)
  }

  /** The current state (RFC 1939 §3, plus `TLS_HANDSHAKE` and `CLOSED`). */
  get state(): Pop3ServerState {
    return this.current
  }

  /** Whether the channel is TLS: from the start, or since `resumeAfterTls()`. */
  get isSecure(): boolean {
    return this.secure
  }

  /**
   * Whether a decision event waits for its answer. Input keeps arriving in order while
   * it does; an adapter should stop reading the socket meanwhile (backpressure).
   */
  get isWaiting(): boolean {
    return this.pending !== null
  }

  /**
   * Bytes received and not processed yet: held behind a pending decision, or a partial
   * line. Past `maxBufferedInput` while waiting, the connection closes.
   */
  get bufferedLength(): number {
    return this.reader.bufferedLength
  }

  /** Failed logins so far, for an adapter that slows down after each (DESIGN §4.7). */
  get failedLoginCount(): number {
    return this.login.failedLogins
  }

  /** The APOP timestamp sent in the greeting (RFC 1939 §7), or `null`. */
  get apopTimestamp(): string | null {
    return this.login.timestamp
  }

  /**
   * Bytes received after `STLS` and before the TLS handshake, dropped unread (RFC 2595
   * §4, the STARTTLS command injection of CVE-2011-0411). For logging only: only the
   * first 4,096 bytes are kept.
   */
  get discardedInput(): Uint8Array {
    return this.discarded
  }

  /** The capabilities `CAPA` lists now (RFC 2449 §5); they change with TLS and login. */
  get capabilities(): Pop3Capabilities {
    return this.login.capabilities(this.current === "AUTHORIZATION", this.secure)
  }

  /**
   * Takes the client's bytes; returns every event they complete (`[]` = need more). While
   * a decision is pending the bytes are held; a chunk that would hold more than
   * `maxBufferedInput` closes the connection (`Closed` with reason `too-much-input`).
   */
  receive(chunk: Uint8Array): ReadonlyArray<Pop3ServerEvent> {
    if (this.current === "CLOSED") return []
    if (this.current === "TLS_HANDSHAKE") {
      this.discarded = keepDiscarded(this.discarded, chunk)
      return []
    }
    if (
      this.pending !== null &&
      this.reader.bufferedLength + chunk.length > this.maxBufferedInput
    ) {
      const events: Pop3ServerEvent[] = []
      this.status(false, "Too much input while a command is pending")
      this.close(events, "too-much-input")
      return events
    }
    // Keep nothing that points into the caller's chunk. The reader refers to the chunk only
    // when it held nothing before it (otherwise it copied it), so only then is the rest
    // copied: copying all held input on every call would cost quadratic time.
    const refersToChunk = this.reader.bufferedLength === 0
    this.reader.push(chunk)
    const events = this.run([])
    if (refersToChunk && this.reader.bufferedLength > 0) {
      this.reader.push(this.reader.takeBuffered().slice())
    }
    return events
  }

  /**
   * The client closed the connection. Deletes nothing (RFC 1939 §6) — unless it had sent
   * `QUIT` in TRANSACTION: the session is then in UPDATE, and the pending `Commit` is
   * still answered and closes it, so `[]` is returned here.
   */
  receiveEnd(): ReadonlyArray<Pop3ServerEvent> {
    if (this.current === "CLOSED" || this.current === "UPDATE") return []
    const events: Pop3ServerEvent[] = []
    this.close(events, "peer-closed")
    return events
  }

  /**
   * Graceful close, e.g. on server shutdown or an idle timeout (RFC 1939 §3 autologout):
   * queues `-ERR [SYS/TEMP] text` (RFC 3206 §4), drops any pending decision and closes
   * without deleting anything (RFC 1939 §6: only QUIT in TRANSACTION deletes). The
   * returned `Closed` event has reason `shutdown` and `maildropOpen` set when the
   * application must release the maildrop. While a `RETR`/`TOP` response is being sent
   * no status line can follow it, so the connection closes without one; in UPDATE the
   * pending `Commit` is left to finish (its answer closes the session) and `[]` is
   * returned. A late answer to a dropped decision is ignored, as after `receiveEnd`.
   */
  shutdown(text = "Server shutting down, try again later"): ReadonlyArray<Pop3ServerEvent> {
    if (this.current === "CLOSED" || this.current === "UPDATE") return []
    const pending = this.pending
    const midResponse = pending !== null && "retrieval" in pending && pending.retrieval.isStarted
    if (!midResponse) this.status(false, text, "SYS/TEMP")
    const events: Pop3ServerEvent[] = []
    this.close(events, "shutdown")
    return events
  }

  /** The bytes to write now; empty when there are none. */
  takeOutput(): Uint8Array {
    if (this.output.length === 0) return EMPTY
    const out = this.output.length === 1 ? this.output[0]!.slice() : concatBytes(this.output)
    this.output = []
    return out
  }

  /**
   * The bytes to write now as the pieces they were queued in, not joined: for a writer
   * that sends several pieces in one call (a socket's `writev`), so that a `RETR` answer
   * — status line, message, `.` line — is not copied into one array first. Pieces may
   * be views of chunks given to `messageData`: those chunks must then stay unchanged
   * until the pieces are written, not only until this call. `[]` when there are none.
   */
  takeOutputChunks(): Uint8Array[] {
    const out = this.output
    this.output = []
    return out
  }

  /** The TLS handshake after `STLS` completed: back to AUTHORIZATION, now secure (RFC 2595 §4). */
  resumeAfterTls(): ReadonlyArray<Pop3ServerEvent> {
    if (this.current !== "TLS_HANDSHAKE") {
      throw new LocalProtocolError("INVALID_STATE", "resumeAfterTls() outside TLS_HANDSHAKE")
    }
    this.current = "AUTHORIZATION"
    this.secure = true
    return this.run([])
  }

  /** Answers an `Authenticate` event with the application's check (see `Pop3VerificationRequest`). */
  answerAuthenticate(
    event: AuthenticateEvent,
    answer: VerificationAnswer,
  ): ReadonlyArray<Pop3ServerEvent> {
    if (this.current === "CLOSED") return []
    this.expect(event)
    const outcome = this.login.answer(answer)
    this.pending = null
    const events: Pop3ServerEvent[] = []
    this.loginOutcome(outcome, events)
    return this.run(events)
  }

  /**
   * Answers `OpenMaildrop`: the maildrop is open and locked, with these messages in this
   * order (they become messages 1…n for the session, RFC 1939 §5). Throws
   * `LocalProtocolError` for a bad UID, a repeated UID or a bad size. On a connection
   * that closed meanwhile, returns a `Closed` event so the application releases it.
   */
  openMaildrop(
    event: OpenMaildropEvent,
    messages: readonly MaildropListing[],
  ): ReadonlyArray<Pop3ServerEvent> {
    if (this.current === "CLOSED")
      return [{ type: "Closed", reason: "peer-closed", maildropOpen: true }]
    this.expect(event)
    this.maildrop = new Transaction(event.username, messages)
    this.pending = null
    this.current = "TRANSACTION"
    const { count: n, size } = this.maildrop.stat()
    this.status(true, `maildrop has ${n} messages (${size} octets)`)
    return this.run([])
  }

  /**
   * Streams the next piece of a `RETR`/`TOP` message (unstuffed, as stored). The first
   * call sends `+OK`. Returns `false` when `TOP` has all it needs and the rest may be
   * skipped; `messageEnd` must still be called. `options.isClean` passes on a store's
   * `MaildropMessageNow.isClean` for this chunk, so RETR skips the dot-stuffing scan.
   */
  messageData(event: RetrieveEvent, chunk: Uint8Array, options?: MessageDataOptions): boolean {
    if (this.current === "CLOSED") return false
    const retrieval = this.retrieval(event)
    this.output.push(...retrieval.data(chunk, options?.isClean === true))
    return retrieval.wantsMore
  }

  /** Ends the message of a `RETR`/`TOP` with the `.` line (RFC 1939 §3). */
  messageEnd(event: RetrieveEvent): ReadonlyArray<Pop3ServerEvent> {
    if (this.current === "CLOSED") return []
    this.output.push(...this.retrieval(event).end())
    this.pending = null
    return this.run([])
  }

  /** Answers `Commit`: the deletions are done and the maildrop released (RFC 1939 §6). */
  commit(event: CommitEvent): ReadonlyArray<Pop3ServerEvent> {
    if (this.current === "CLOSED") return []
    this.take(event)
    const left = this.maildrop!.messages.length - event.deleted.length
    this.status(true, `POP3 server signing off (${left} messages left)`)
    this.maildrop = null
    const events: Pop3ServerEvent[] = []
    this.close(events, "quit")
    return events
  }

  /**
   * A negative answer to any decision event. `Authenticate`: the login failed (counted,
   * `-ERR [AUTH]`); with a code other than `AUTH`, such as `SYS/TEMP` when the check could
   * not be made (RFC 3206 §4), that code is sent and the attempt is not counted.
   * `OpenMaildrop`: `-ERR` with e.g. `[IN-USE]` or `[LOGIN-DELAY]`, still in
   * AUTHORIZATION. `Retrieve`: `-ERR` before the first byte; after it, the connection is
   * closed, since a half-sent message cannot be taken back. `Commit`: `-ERR [SYS/TEMP]`
   * (RFC 1939 §6: some deleted messages not removed), then the connection closes.
   */
  reject(event: Pop3DecisionEvent, rejection: Pop3Rejection = {}): ReadonlyArray<Pop3ServerEvent> {
    if (this.current === "CLOSED") return []
    const pending = this.take(event)
    const events: Pop3ServerEvent[] = []
    const code = rejection.code ?? null
    switch (event.type) {
      case "Authenticate":
        this.login.reject()
        if (code !== null && code !== "AUTH") {
          this.status(false, rejection.text ?? "Authentication failed", code)
          break
        }
        this.loginOutcome(
          { type: "failure", text: rejection.text ?? "Authentication failed", counted: true },
          events,
        )
        break
      case "OpenMaildrop":
        this.status(false, rejection.text ?? "Unable to open the maildrop", code)
        break
      case "Retrieve":
        if ("retrieval" in pending && pending.retrieval.isStarted) {
          this.close(events, "retrieve-aborted")
          return events
        }
        this.status(false, rejection.text ?? "Unable to read the message", code)
        break
      case "Commit":
        this.status(
          false,
          rejection.text ?? "Some deleted messages not removed",
          code ?? "SYS/TEMP",
        )
        this.maildrop = null
        this.close(events, "quit")
        return events
    }
    return this.run(events)
  }

  private take(event: Pop3DecisionEvent): Pending {
    const pending = this.expect(event)
    this.pending = null
    return pending
  }

  private expect(event: Pop3DecisionEvent): Pending {
    const pending = this.pending
    if (pending === null || pending.event !== event) {
      throw new LocalProtocolError(
        "INVALID_STATE",
        `${event.type} ${event.id} is not waiting for an answer`,
      )
    }
    return pending
  }

  private retrieval(event: RetrieveEvent): Retrieval {
    const pending = this.pending
    if (pending === null || pending.event !== event || !("retrieval" in pending)) {
      throw new LocalProtocolError("INVALID_STATE", `Retrieve ${event.id} is not waiting for data`)
    }
    return pending.retrieval
  }

  private run(events: Pop3ServerEvent[]): Pop3ServerEvent[] {
    while (
      this.pending === null &&
      (this.current === "AUTHORIZATION" || this.current === "TRANSACTION")
    ) {
      const item = this.reader.next()
      if (item === null) break
      if (item.type === "error") {
        if (this.login.isExchanging) this.login.reject()
        this.badCommand(events, item.error)
      } else if (item.type === "line") {
        const line = decodeUtf8(item.line)
        if (this.login.isExchanging) this.loginOutcome(this.login.saslLine(line), events)
        else this.command(line, events)
      }
    }
    return events
  }

  private command(line: string, events: Pop3ServerEvent[]): void {
    const parsed = commandLine(line)
    const keyword = parsed?.keyword ?? ""
    if (
      parsed === null ||
      !isKnownCommand(keyword) ||
      (keyword === "UTF8" && this.options.utf8 !== true)
    ) {
      this.badCommand(events, remoteError("UNKNOWN_COMMAND", "Unknown command"))
      return
    }
    const { args, rest } = parsed
    if (!isAllowed(this.current, keyword)) {
      this.badCommand(events, remoteError("BAD_SEQUENCE", `${keyword} not valid in this state`))
      return
    }
    if (keyword !== "PASS") this.login.forgetUser()
    switch (keyword) {
      case "USER":
        this.loginOutcome(this.login.user(args, this.secure), events)
        return
      case "PASS":
        this.loginOutcome(this.login.pass(rest, this.secure), events)
        return
      case "APOP":
        this.loginOutcome(this.login.apop(args), events)
        return
      case "AUTH":
        this.loginOutcome(this.login.auth(args, this.secure), events)
        return
      case "CAPA":
        this.status(true, "Capability list follows")
        this.write(encodeMultiline(this.capabilities.lines))
        return
      case "STLS":
        this.startTls(events)
        return
      case "UTF8":
        this.utf8Mode = true
        this.status(true, "UTF8 enabled")
        return
      case "QUIT":
        this.quit(events)
        return
      default:
        this.transaction(keyword, args, events)
        return
    }
  }

  private transaction(keyword: string, args: readonly string[], events: Pop3ServerEvent[]): void {
    const outcome = this.maildrop!.command(keyword, args)
    if (outcome.type === "syntax") {
      this.badCommand(events, remoteError("SYNTAX", outcome.text))
    } else if (outcome.type === "reply") {
      this.status(outcome.ok, outcome.text)
      if (outcome.lines !== undefined) this.write(encodeMultiline(outcome.lines))
    } else {
      const event: RetrieveEvent = {
        type: "Retrieve",
        id: this.nextId++,
        command: outcome.command,
        message: outcome.message,
        lines: outcome.lines,
        utf8: this.utf8Mode,
      }
      this.pending = { event, retrieval: new Retrieval(event) }
      events.push(event)
    }
  }

  private quit(events: Pop3ServerEvent[]): void {
    if (this.current === "AUTHORIZATION") {
      this.status(true, "POP3 server signing off")
      this.close(events, "quit")
      return
    }
    const drop = this.maildrop!
    this.current = "UPDATE"
    const event: CommitEvent = {
      type: "Commit",
      id: this.nextId++,
      username: drop.username,
      deleted: drop.deletedUids(),
    }
    this.pending = { event }
    events.push(event)
  }

  private startTls(events: Pop3ServerEvent[]): void {
    if (this.options.tls !== true || this.secure) {
      this.status(false, "STLS not available")
      return
    }
    this.status(true, "Begin TLS negotiation")
    this.current = "TLS_HANDSHAKE"
    this.discarded = keepDiscarded(EMPTY, this.reader.takeBuffered())
    events.push({ type: "StartTls" })
  }

  private loginOutcome(outcome: LoginOutcome, events: Pop3ServerEvent[]): void {
    switch (outcome.type) {
      case "reply":
        this.status(outcome.ok, outcome.text, outcome.code)
        return
      case "challenge":
        this.write(`${outcome.line}\r\n`)
        return
      case "mechanisms":
        this.status(true, "Supported mechanisms follow")
        this.write(encodeMultiline(outcome.names))
        return
      case "verify": {
        const event: AuthenticateEvent = {
          type: "Authenticate",
          id: this.nextId++,
          method: outcome.method,
          request: outcome.request,
        }
        this.pending = { event }
        events.push(event)
        return
      }
      case "success": {
        const event: OpenMaildropEvent = {
          type: "OpenMaildrop",
          id: this.nextId++,
          username: outcome.username,
          authzid: outcome.authzid,
          method: outcome.method,
          mechanism: outcome.mechanism,
        }
        this.pending = { event }
        events.push(event)
        return
      }
      case "failure": {
        const reply = this.login.failureReply(outcome)
        this.status(false, reply.text, reply.code)
        if (reply.close) this.close(events, "too-many-failed-logins")
        return
      }
    }
  }

  private badCommand(events: Pop3ServerEvent[], error: RemoteProtocolError): void {
    events.push({ type: "CommandError", error })
    this.badCommands++
    if (this.badCommands >= this.maxBadCommands) {
      this.status(false, "Too many bad commands, closing")
      this.close(events, "too-many-bad-commands")
      return
    }
    this.write(`${error.hint.pop3 ?? `-ERR ${error.message}`}\r\n`)
  }

  private close(events: Pop3ServerEvent[], reason: ClosedEvent["reason"]): void {
    const maildropOpen = this.maildrop !== null || this.pending?.event.type === "OpenMaildrop"
    this.current = "CLOSED"
    this.pending = null
    this.maildrop = null
    this.reader.takeBuffered()
    events.push({ type: "Closed", reason, maildropOpen })
  }

  private status(ok: boolean, text: string, code: string | null = null): void {
    this.write(encodeStatus(ok, text, code))
  }

  private write(text: string): void {
    this.output.push(encodeUtf8(text))
  }
}
