/**
 * How an SMTP server session answers the machine's decisions (MAIL, RCPT, AUTH and the
 * end of a message) once the application has spoken: a hook's answer, or `onData`'s
 * outcome, becomes the machine's acceptance or refusal, and the answer is logged. A
 * positive reply the machine cannot send (not a 2xx for this decision, CR/LF/NUL in its
 * text) goes to `onError` and the decision is refused with `451 4.3.0`, so a bad hook never
 * leaves the client waiting.
 *
 * What it does not do: call the hooks, wait for them, or write anything to the socket —
 * the session (`smtp-server-session.ts`) does, and queues the events returned here.
 */
import {
  formatMailbox,
  type Mailbox,
  type MessageEndEvent,
  type SmtpEnvelope,
  type SmtpReplyInput,
  type SmtpServerConnection,
  type SmtpServerDecision,
  type SmtpServerEvent,
} from "@mailwire/smtp"
import { LocalProtocolError } from "@mailwire/wire"
import { ConnectionError, SmtpReplyError } from "./errors.js"
import type { SessionLog, SmtpLogEvent } from "./server-log.js"
import {
  answerOf,
  type HookAnswer,
  LOCAL_ERROR,
  perRecipientReplies,
  refusalOf,
} from "./smtp-hook-answer.js"
import type { DataOutcome, MessageStream } from "./smtp-message-stream.js"
import type {
  ResolvedSmtpServerOptions,
  SmtpServerEnvelope,
  SmtpSessionInfo,
} from "./smtp-server-options.js"

/** The reply to a message whose `onData` did not settle within `dataTimeout`. */
export const DATA_TIMEOUT: SmtpReplyInput = {
  code: 451,
  enhancedCode: "4.4.2",
  text: "Timed out waiting for the message to be stored",
}

/** A mailbox as hooks and logs see it: `""` for the null reverse-path `<>`. */
export function address(mailbox: Mailbox | null): string {
  return mailbox === null ? "" : formatMailbox(mailbox)
}

/** The envelope as `onRcptTo` and `onData` see it: addresses as text, and the machine's own. */
export function toEnvelope(raw: SmtpEnvelope): SmtpServerEnvelope {
  return { from: address(raw.from), to: raw.recipients.map((r) => address(r.to)), raw }
}

/** The decisions of one session's machine, answered from its application's results. */
export class SmtpDecisions {
  constructor(
    private readonly conn: SmtpServerConnection,
    private readonly options: ResolvedSmtpServerOptions,
    private readonly info: SmtpSessionInfo,
    private readonly log: SessionLog<SmtpLogEvent>,
    private readonly report: (error: unknown) => void,
  ) {}

  /** Answers a decision as a hook chose. */
  answer(event: SmtpServerDecision, answer: HookAnswer): ReadonlyArray<SmtpServerEvent> {
    if (!answer.accept) return this.reject(event, answer.reply)
    try {
      const events =
        answer.reply === null ? this.conn.accept(event) : this.conn.accept(event, answer.reply)
      this.logDecision(event, answer.reply?.code ?? 250)
      return events
    } catch (error) {
      if (!(error instanceof LocalProtocolError)) throw error
      this.report(error)
      return this.reject(event, LOCAL_ERROR)
    }
  }

  reject(event: SmtpServerDecision, reply: SmtpReplyInput): ReadonlyArray<SmtpServerEvent> {
    const events = this.conn.reject(event, reply)
    this.logDecision(event, reply.code)
    return events
  }

  /** Answers AUTH from `onAuth` (no hook: every attempt fails). */
  async answerAuth(
    event: Extract<SmtpServerEvent, { type: "auth" }>,
  ): Promise<ReadonlyArray<SmtpServerEvent>> {
    const hook = this.options.onAuth
    if (hook === undefined) return this.conn.reject(event)
    try {
      return this.conn.answerAuth(event, await hook(event.request, this.info))
    } catch (error) {
      if (!(error instanceof SmtpReplyError)) this.report(error)
      return this.conn.reject(event)
    }
  }

  /**
   * The reply to a message from `onData`'s outcome (`null`: it did not settle in time,
   * and `body` is destroyed); under LMTP one reply per accepted recipient (RFC 2033 §4.2).
   */
  answerData(
    event: MessageEndEvent,
    body: MessageStream,
    outcome: DataOutcome | null,
  ): ReadonlyArray<SmtpServerEvent> {
    if (outcome === null) {
      body.destroy()
      this.report(new ConnectionError("TIMEOUT", "data", `${this.info.id}: onData did not settle`))
      return this.reject(event, DATA_TIMEOUT)
    }
    if ("error" in outcome) {
      const refusal = refusalOf(outcome.error)
      if (refusal === null) this.report(outcome.error)
      return this.reject(event, refusal ?? LOCAL_ERROR)
    }
    if (!this.options.lmtp) return this.answer(event, answerOf(outcome.value))
    const replies = perRecipientReplies(outcome.value, event.envelope.recipients.length)
    try {
      const events = this.conn.answerMessage(event, replies)
      const accepted = replies.some((reply) => reply === null || reply.code < 400)
      this.logDecision(event, replies[0]?.code ?? 250, accepted)
      return events
    } catch (error) {
      if (!(error instanceof LocalProtocolError)) throw error
      this.report(error)
      return this.reject(event, LOCAL_ERROR)
    }
  }

  /** Logs the answer to MAIL, RCPT or the end of a message (others log themselves). */
  private logDecision(event: SmtpServerDecision, code: number, accepted = code < 400): void {
    if (!this.log.isOn) return
    if (event.type === "mailFrom" || event.type === "rcptTo") {
      const mailbox = event.type === "mailFrom" ? event.from : event.to
      this.log.write({ type: event.type, address: address(mailbox), accepted, code })
    } else if (event.type === "messageEnd") {
      const { from, recipients } = event.envelope
      const size = event.size
      const entry = { from: address(from), recipients: recipients.length, size }
      this.log.write({ type: "message", accepted, code, ...entry })
    }
  }
}
