/**
 * `SmtpServerConnection`: the server side of one SMTP (RFC 5321) or LMTP (RFC 2033)
 * connection as a pure state machine. Bytes go in with `receive`, events come out, and
 * the replies to write are taken with `takeOutput`. Nothing here opens a socket, starts
 * a timer or reads a clock; this file holds only the input buffer, the state and the
 * dispatch to `commands/`.
 *
 * Decisions (`helo`, `auth`, `mailFrom`, `rcptTo`, `messageEnd`) are answered with
 * `accept`, `reject`, `answerAuth` or `answerMessage`, now or later. Until then every
 * later byte is held, in order (RFC 2920 pipelining), up to `maxBufferedInput`; the
 * answer processes it and returns the events it produced, like `receive` does. An
 * answer that breaks the rules throws `LocalProtocolError` and leaves the decision
 * pending; the answer to a decision the connection dropped when it closed is ignored.
 *
 * What an adapter does: write `takeOutput()` after every call; on `startTls`, write the
 * output, stop feeding `receive`, upgrade the socket, then call `resumeTls()`; on
 * `close`, write the output and close the socket; when the peer closes, call
 * `receiveEnd()`. The adapter owns the timeouts and may call `shutdown()` at any time.
 *
 * Buffers: a chunk given to `receive` may be kept by reference until it is consumed;
 * do not write into it afterwards. `messageChunk` bytes are views, valid until the next
 * call on the connection. `takeOutput` returns bytes the caller owns; `takeOutputToWrite`
 * may return shared bytes that must not be changed.
 */
import type { VerificationAnswer } from "@mailwire/sasl"
import { decodeUtf8, LocalProtocolError, RemoteProtocolError } from "@mailwire/wire"
import { remoteError } from "../errors.js"
import type { SmtpReplyInput } from "../types.js"
import { parseCommand, type SmtpCommand } from "../wire/command.js"
import { formatReplyText } from "../wire/reply.js"
import {
  abortAuth,
  answerAuth,
  failTemporarily,
  handleAuth,
  handleAuthLine,
} from "./commands/auth.js"
import { handleBdat, handleBdatBytes } from "./commands/bdat.js"
import { answerMessage, feedData, handleData } from "./commands/data.js"
import { acceptHello, handleHello } from "./commands/hello.js"
import { acceptMail, acceptRcpt, handleMail, handleRcpt, rejectRcpt } from "./commands/mail.js"
import { handleSessionControl } from "./commands/session-control.js"
import { handleStartTls, resumeAfterTls } from "./commands/starttls.js"
import type { AuthEvent, SmtpServerDecision, SmtpServerEvent } from "./events.js"
import type { SmtpServerOptions } from "./options.js"
import { prepareServerOptions } from "./prepared-options.js"
import { ServerSession } from "./session.js"
import { isVerbAllowed, type SmtpServerState } from "./state.js"

const DEFAULT_REJECTIONS: Record<SmtpServerDecision["type"], SmtpReplyInput> = {
  helo: { code: 550, enhancedCode: "5.7.1", text: "Access denied" },
  auth: { code: 535, enhancedCode: "5.7.8", text: "Authentication credentials invalid" },
  mailFrom: { code: 550, enhancedCode: "5.7.1", text: "Sender rejected" },
  rcptTo: { code: 550, enhancedCode: "5.1.1", text: "Recipient rejected" },
  messageEnd: { code: 554, enhancedCode: "5.6.0", text: "Message rejected" },
}

/**
 * Checks a custom positive reply for `accept`: the class of code its decision allows
 * (see {@link SmtpServerConnection.accept}) and text that can be sent.
 */
function checkPositiveReply(event: SmtpServerDecision, reply: SmtpReplyInput): void {
  formatReplyText(reply)
  const allowed =
    event.type === "helo"
      ? reply.code === 250
      : event.type !== "auth" && reply.code >= 200 && reply.code <= 299
  if (!allowed) {
    const wanted = event.type === "helo" ? "250" : event.type === "auth" ? "no custom" : "a 2xx"
    throw new LocalProtocolError(
      "INVALID_ARGUMENT",
      `accepting a ${event.type} decision takes ${wanted} reply, not ${reply.code}`,
    )
  }
}

/**
 * The server side of an SMTP or LMTP connection.
 *
 * @example
 * ```ts
 * const conn = new SmtpServerConnection({ hostname: "mx.example" })
 * socket.write(conn.takeOutput()) // 220 greeting
 * for (const event of conn.receive(chunk)) {
 *   if (event.type === "rcptTo") conn.accept(event)
 * }
 * ```
 */
export class SmtpServerConnection {
  private readonly session: ServerSession

  /**
   * Queues the `220` greeting (RFC 5321 §4.2, §3.1); take it with {@link takeOutput}.
   * A frozen `options` object (and frozen `extensions`, when given) is resolved once and
   * its greeting encoded once, for every connection made with it: a server that freezes
   * the options it hands each connection saves that work per connection.
   */
  constructor(options: SmtpServerOptions = {}) {
    const prepared = prepareServerOptions(options)
    this.session = new ServerSession(prepared, options.isSecure ?? false)
    this.session.replyRaw(prepared.greeting)
  }

  /** The current state (see {@link SmtpServerState}). */
  get state(): SmtpServerState {
    return this.session.state
  }

  /** Whether the connection is under TLS (implicit, or after STARTTLS). */
  get isSecure(): boolean {
    return this.session.isSecure
  }

  /** The decision event waiting for an answer, or `null`. */
  get pendingDecision(): SmtpServerDecision | null {
    return this.session.pending
  }

  /**
   * Whether a decision waits for the application's answer. Input that arrives meanwhile is
   * held in order; an adapter should stop reading the socket while this is true
   * (backpressure), since more than `maxBufferedInput` held bytes close the connection.
   */
  get isWaiting(): boolean {
    return this.session.pending !== null
  }

  /** Bytes received and not processed yet: held behind a decision, or a partial line. */
  get bufferedLength(): number {
    return this.session.reader.bufferedLength
  }

  /** The authenticated user, or `null`. */
  get authenticatedUser(): string | null {
    return this.session.auth?.username ?? null
  }

  /**
   * Processes received bytes and returns every event now complete (`[]` = need more).
   * Bytes after an unanswered decision are held, up to `maxBufferedInput`: a chunk that
   * would hold more closes the connection with `421` (see {@link isWaiting}). Ignored once
   * `closed`; throws a `LocalProtocolError` while paused for STARTTLS (those bytes belong
   * to TLS).
   */
  receive(chunk: Uint8Array): ReadonlyArray<SmtpServerEvent> {
    const s = this.session
    if (s.state === "closed") return []
    if (s.state === "startTls") {
      throw new LocalProtocolError(
        "INVALID_STATE",
        "receive() while paused for STARTTLS; call resumeTls() first",
      )
    }
    if (s.pending !== null && s.reader.bufferedLength + chunk.length > s.options.maxBufferedInput) {
      s.close("too-much-input", {
        code: 421,
        enhancedCode: "4.7.0",
        text: "Too much input while a command is pending",
      })
    } else if (s.dataDecoder !== null && s.pending === null) feedData(s, chunk)
    else s.reader.push(chunk)
    return this.run()
  }

  /** The peer closed its side. Held input is still processed once decisions are answered. */
  receiveEnd(): ReadonlyArray<SmtpServerEvent> {
    this.session.peerEnded = true
    return this.run()
  }

  /** Bytes to write now (may be empty). */
  takeOutput(): Uint8Array {
    return this.session.takeOutput()
  }

  /**
   * Like {@link takeOutput}, for an adapter that hands the bytes straight to a socket: a
   * reply the server always sends the same way (`250` to MAIL and RCPT, `354`, …) comes
   * back as bytes shared with every connection instead of a fresh copy. Never write into
   * them; a copy per reply is what this saves.
   */
  takeOutputToWrite(): Uint8Array {
    return this.session.takeOutput(true)
  }

  /**
   * Accepts a decision with `reply`, or with the default positive reply. A custom reply
   * must be positive for its decision: `250` for `helo` (its text replaces the first line;
   * the EHLO extension lines follow), any 2xx for `mailFrom`, `rcptTo` and `messageEnd`
   * (RFC 5321 §4.2.2, §4.3.2: `250 2.0.0 Ok: queued as 4F3A`, `251 User not local`); in
   * LMTP an accepted `messageEnd` gives it to every recipient (use `answerMessage` for one
   * reply each). `auth` takes no custom reply (`235` is fixed by RFC 4954 §6). A reply that
   * breaks these rules, or has CR, LF or NUL in its text, throws `LocalProtocolError` and
   * the decision stays pending.
   */
  accept(event: SmtpServerDecision, reply?: SmtpReplyInput): ReadonlyArray<SmtpServerEvent> {
    if (!this.expectPending(event)) return []
    if (
      event.type === "auth" &&
      (event.request.kind === "secret" || event.request.kind === "scram")
    ) {
      throw new LocalProtocolError(
        "INVALID_ARGUMENT",
        `answer a ${event.request.kind} request with answerAuth()`,
      )
    }
    if (reply !== undefined) checkPositiveReply(event, reply)
    const s = this.session
    s.pending = null
    switch (event.type) {
      case "helo":
        acceptHello(s, event, reply)
        break
      case "mailFrom":
        acceptMail(s, event, reply)
        break
      case "rcptTo":
        acceptRcpt(s, event, reply)
        break
      case "messageEnd":
        answerMessage(s, this.perRecipient(reply ?? null))
        break
      case "auth":
        answerAuth(s, true)
        break
    }
    return this.run()
  }

  /**
   * Refuses a decision with `reply` (a 4xx or 5xx), or a default refusal. In LMTP a
   * refused `messageEnd` gets the same reply for every recipient. A refused `rcptTo` is
   * counted: the one that reaches `maxRejectedRecipients` is followed by `421 4.7.0` and
   * close. An `auth` decision is
   * refused with `535 5.7.8` and counted, whatever the 5xx; a 4xx (RFC 4954 §6's
   * `454 4.7.0`, the backend is down) is sent as given and not counted. A reply that cannot be
   * sent (CR, LF or NUL in its text, a bad code) throws `LocalProtocolError` and the
   * decision stays pending.
   */
  reject(event: SmtpServerDecision, reply?: SmtpReplyInput): ReadonlyArray<SmtpServerEvent> {
    if (!this.expectPending(event)) return []
    if (reply !== undefined && (reply.code < 400 || reply.code > 599)) {
      throw new LocalProtocolError("INVALID_ARGUMENT", "a rejection needs a 4xx or 5xx reply")
    }
    if (reply !== undefined) formatReplyText(reply)
    const s = this.session
    s.pending = null
    const answer = reply ?? DEFAULT_REJECTIONS[event.type]
    if (event.type === "auth" && reply !== undefined && reply.code < 500) {
      failTemporarily(s, reply)
    } else if (event.type === "auth") {
      const kind = event.request.kind
      answerAuth(s, kind === "secret" || kind === "scram" ? null : false)
    } else if (event.type === "messageEnd") {
      answerMessage(s, this.perRecipient(answer))
    } else if (event.type === "rcptTo") {
      rejectRcpt(s, answer)
    } else {
      s.reply(answer)
    }
    return this.run()
  }

  /** Answers an `auth` event with what its request asks for (see `VerificationRequest`). */
  answerAuth(event: AuthEvent, answer: VerificationAnswer): ReadonlyArray<SmtpServerEvent> {
    if (!this.expectPending(event)) return []
    answerAuth(this.session, answer)
    return this.run()
  }

  /**
   * LMTP (RFC 2033 §4.2): answers `messageEnd` with one reply per recipient, in the order
   * of `event.envelope.recipients`; `null` accepts that recipient.
   */
  answerMessage(
    event: SmtpServerDecision & { type: "messageEnd" },
    replies: readonly (SmtpReplyInput | null)[],
  ): ReadonlyArray<SmtpServerEvent> {
    if (!this.expectPending(event)) return []
    if (!this.session.options.lmtp) {
      throw new LocalProtocolError(
        "INVALID_STATE",
        "per-recipient replies are for LMTP; use accept() or reject()",
      )
    }
    if (replies.length !== event.envelope.recipients.length) {
      throw new LocalProtocolError(
        "INVALID_ARGUMENT",
        "answerMessage() needs one reply per recipient",
      )
    }
    for (const reply of replies) if (reply !== null) formatReplyText(reply)
    this.session.pending = null
    answerMessage(this.session, replies)
    return this.run()
  }

  /** The adapter finished the TLS handshake after a `startTls` event (RFC 3207 §4.2). */
  resumeTls(): ReadonlyArray<SmtpServerEvent> {
    if (this.session.state !== "startTls") {
      throw new LocalProtocolError("INVALID_STATE", "resumeTls() without a startTls event")
    }
    resumeAfterTls(this.session)
    return this.run()
  }

  /** Closes with `421` (RFC 5321 §3.8), e.g. on server shutdown or an idle timeout. */
  shutdown(text = "Service closing transmission channel"): ReadonlyArray<SmtpServerEvent> {
    this.session.close("shutdown", { code: 421, enhancedCode: "4.3.2", text })
    return this.run()
  }

  /**
   * Whether `event` is the pending decision. The answer to a decision that was pending
   * when the connection closed (`shutdown()`, a limit, the peer) gives `false`, so a late
   * answer after an `await` is dropped; any other stray answer is a caller bug and throws.
   */
  private expectPending(event: SmtpServerDecision): boolean {
    const s = this.session
    if (s.state === "closed" && s.dropped === event) return false
    if (s.pending !== event) {
      throw new LocalProtocolError(
        "INVALID_STATE",
        `no pending ${event.type} decision for this event`,
      )
    }
    return true
  }

  /** One reply for SMTP, or the same reply for each recipient in LMTP (RFC 2033 §4.2). */
  private perRecipient(reply: SmtpReplyInput | null): (SmtpReplyInput | null)[] {
    const s = this.session
    if (!s.options.lmtp) return [reply]
    return new Array<SmtpReplyInput | null>(s.transaction?.recipients.length ?? 0).fill(reply)
  }

  /** Processes held input until a decision is pending, more is needed, or the end. */
  private run(): SmtpServerEvent[] {
    const s = this.session
    while (
      s.pending === null &&
      s.state !== "closed" &&
      s.state !== "startTls" &&
      s.dataDecoder === null
    ) {
      const item = s.reader.next()
      if (item === null) break
      if (item.type === "bytes") {
        handleBdatBytes(s, item)
      } else if (item.type === "error") {
        // In an AUTH exchange the failure reply answers the line; a second would desync.
        if (s.state === "auth") abortAuth(s)
        else s.protocolError(item.error)
      } else if (s.state === "auth") {
        handleAuthLine(s, decodeUtf8(item.line))
      } else {
        this.command(item.line)
      }
    }
    if (s.peerEnded && s.pending === null && s.isOpen()) s.close("peer-closed", null)
    const events = s.events
    s.events = []
    return events
  }

  private command(line: Uint8Array): void {
    const s = this.session
    let command: SmtpCommand
    try {
      command = parseCommand(line)
    } catch (error) {
      if (!(error instanceof RemoteProtocolError)) throw error
      s.protocolError(error)
      return
    }
    if (command.verb !== "AUTH" && line.length + 2 > s.options.maxCommandLineLength) {
      s.protocolError(remoteError("SYNTAX", "command line too long", "500 5.5.2 Line too long"))
      return
    }
    if (command.verb === "BDAT") {
      handleBdat(s, command)
      return
    }
    if (!isVerbAllowed(s.state, command.verb)) {
      s.protocolError(
        remoteError(
          "BAD_SEQUENCE",
          `${command.verb} not allowed now`,
          "503 5.5.1 Bad sequence of commands",
        ),
      )
      return
    }
    this.dispatch(command)
  }

  private dispatch(command: SmtpCommand): void {
    const s = this.session
    switch (command.verb) {
      case "EHLO":
      case "HELO":
      case "LHLO":
        handleHello(s, command)
        return
      case "MAIL":
        handleMail(s, command)
        return
      case "RCPT":
        handleRcpt(s, command)
        return
      case "DATA":
        handleData(s)
        return
      case "AUTH":
        handleAuth(s, command)
        return
      case "STARTTLS":
        handleStartTls(s)
        return
      default:
        handleSessionControl(s, command)
    }
  }
}
