/**
 * One mail transaction (RFC 5321 §3.3): MAIL, RCPT for each recipient, then DATA with the
 * body dot-stuffed as it streams (RFC 5321 §4.5.2, `@mailwire/wire`'s `DotEncoder`) or
 * BDAT chunks (RFC 3030). With PIPELINING (RFC 2920 §3.1) MAIL, every RCPT and DATA go in
 * one write and the replies are matched in order; with BDAT the body waits for the RCPT
 * replies so no chunk is sent for a transaction without recipients. LMTP (RFC 2033 §4.2)
 * reads one final reply per accepted recipient.
 *
 * Buffers: body chunks passed to `write` may be referenced by the output until the next
 * `takeOutput`; do not change them before that.
 */
import { DotEncoder, encodeUtf8 } from "@mailwire/wire"
import type { Mailbox } from "../../types.js"
import { isPositiveReply, isTemporaryReply, type SmtpReply } from "../../types.js"
import { formatCommand } from "../../wire/command.js"
import type { MailParameters, RcptParameters } from "../../wire/parameters.js"
import { formatMailbox } from "../../wire/path.js"
import type { RecipientResult } from "../events.js"
import { type ClientSession, syntheticReply } from "../session.js"

/** A recipient as it will be sent. */
export interface PreparedRecipient {
  readonly to: Mailbox
  readonly parameters: RcptParameters
}

type Phase = "queued" | "envelope" | "body" | "end" | "done"

export class ClientTransaction {
  phase: Phase = "queued"
  private mailReply: SmtpReply | null = null
  private readonly rcptReplies: (SmtpReply | null)[]
  /** A reply that failed every accepted recipient after RCPT (DATA or a BDAT chunk refused). */
  private outcome: SmtpReply | null = null
  private readonly finals: SmtpReply[] = []
  private readonly pendingBody: Uint8Array[] = []
  private bodyEnded = false
  private encoder: DotEncoder | null = null

  constructor(
    readonly id: number,
    readonly from: Mailbox | null,
    readonly parameters: MailParameters,
    readonly recipients: readonly PreparedRecipient[],
    readonly useBdat: boolean,
  ) {
    this.rcptReplies = recipients.map(() => null)
  }

  private get acceptedCount(): number {
    return this.rcptReplies.filter((reply) => reply !== null && isPositiveReply(reply)).length
  }

  /** Writes the envelope; `pipelined` puts MAIL, every RCPT and DATA in one write. */
  start(session: ClientSession, pipelined: boolean): void {
    this.phase = "envelope"
    session.send({ verb: "MAIL", from: this.from, parameters: this.parameters }, (reply) => {
      this.mailReply = reply
      if (!isPositiveReply(reply) && !pipelined) this.complete(session)
      else if (!pipelined) this.sendRcpt(session, 0, false)
      return false
    })
    if (!pipelined) return
    for (let index = 0; index < this.recipients.length; index++) this.sendRcpt(session, index, true)
    if (!this.useBdat) this.sendData(session)
  }

  private sendRcpt(session: ClientSession, index: number, pipelined: boolean): void {
    const recipient = this.recipients[index]!
    session.send({ verb: "RCPT", to: recipient.to, parameters: recipient.parameters }, (reply) => {
      this.rcptReplies[index] = reply
      const last = index === this.recipients.length - 1
      if (!pipelined && !last) this.sendRcpt(session, index + 1, false)
      else if (last) this.afterRecipients(session, pipelined)
      return false
    })
  }

  private afterRecipients(session: ClientSession, pipelined: boolean): void {
    const mailOk = this.mailReply !== null && isPositiveReply(this.mailReply)
    if (!mailOk || this.acceptedCount === 0) {
      // With DATA pipelined, its reply is still to come and completes the transaction.
      if (!(pipelined && !this.useBdat)) this.complete(session)
      return
    }
    if (this.useBdat) this.beginBody(session)
    else if (!pipelined) this.sendData(session)
  }

  private sendData(session: ClientSession): void {
    session.send({ verb: "DATA" }, (reply) => {
      if (reply.code !== 354) {
        if (this.acceptedCount > 0) this.outcome = reply
        this.complete(session)
      } else if (this.acceptedCount === 0) {
        // RFC 2920 §3.1: a server that said 354 with no recipient gets an empty message.
        session.write(encodeUtf8(".\r\n"))
        session.expect(() => {
          this.complete(session)
          return false
        })
      } else {
        this.beginBody(session)
      }
      return false
    })
  }

  private beginBody(session: ClientSession): void {
    this.phase = "body"
    if (!this.useBdat) this.encoder = new DotEncoder()
    session.emit({ type: "readyForBody", id: this.id })
    for (const chunk of this.pendingBody.splice(0)) this.sendChunk(session, chunk)
    if (this.bodyEnded) this.sendEnd(session)
  }

  /** A piece of the body; kept until the server is ready for it. */
  write(session: ClientSession, chunk: Uint8Array): void {
    if (this.bodyEnded) return
    if (this.phase === "body") this.sendChunk(session, chunk)
    else if (this.phase === "queued" || this.phase === "envelope")
      this.pendingBody.push(chunk.slice())
  }

  /** The body is complete. */
  end(session: ClientSession): void {
    if (this.bodyEnded) return
    this.bodyEnded = true
    if (this.phase === "body") this.sendEnd(session)
  }

  private sendChunk(session: ClientSession, chunk: Uint8Array): void {
    if (this.encoder !== null) {
      session.write(this.encoder.encode(chunk))
      return
    }
    // RFC 3030 §2: after a refused chunk no more chunks are sent; only the closing BDAT.
    if (chunk.length === 0 || this.outcome !== null) return
    session.send({ verb: "BDAT", size: chunk.length, last: false }, (reply) => {
      if (!isPositiveReply(reply) && this.outcome === null) this.outcome = reply
      return false
    })
    session.write(chunk)
  }

  private sendEnd(session: ClientSession): void {
    this.phase = "end"
    if (this.encoder !== null) session.write(this.encoder.end())
    else session.write(formatCommand({ verb: "BDAT", size: 0, last: true }))
    session.expect((reply) => {
      this.finals.push(reply)
      // After a refused chunk the server has dropped the transaction and answers once.
      const expected = session.lmtp && this.outcome === null ? this.acceptedCount : 1
      if (this.finals.length < expected) return true
      this.complete(session)
      return false
    })
  }

  /** Every recipient fails with `reply` (the session ended). */
  failAll(reply: SmtpReply, session: ClientSession): void {
    if (this.phase === "done") return
    if (this.outcome === null) this.outcome = reply
    if (this.mailReply === null) this.mailReply = reply
    this.complete(session)
  }

  private complete(session: ClientSession): void {
    if (this.phase === "done") return
    const mailOk = this.mailReply !== null && isPositiveReply(this.mailReply)
    this.phase = "done"
    let acceptedIndex = 0
    const recipients = this.recipients.map((recipient, index): RecipientResult => {
      const rcpt = this.rcptReplies[index] ?? null
      let reply: SmtpReply
      let accepted = false
      if (!mailOk) {
        reply = this.mailReply!
      } else if (rcpt === null || !isPositiveReply(rcpt)) {
        reply = rcpt ?? this.outcome ?? this.mailReply!
      } else {
        const final = this.outcome ?? (session.lmtp ? this.finals[acceptedIndex] : this.finals[0])
        acceptedIndex++
        reply = final ?? syntheticReply("No reply to the message")
        accepted = reply.code >= 200 && reply.code < 300
      }
      const address = formatMailbox(recipient.to)
      return { address, accepted, reply, temporary: isTemporaryReply(reply) }
    })
    session.needsReset = mailOk && this.finals.length === 0
    if (session.active === this) session.active = null
    session.emit({
      type: "transactionComplete",
      result: {
        id: this.id,
        recipients,
        acceptedCount: recipients.filter((r) => r.accepted).length,
      },
    })
  }
}
