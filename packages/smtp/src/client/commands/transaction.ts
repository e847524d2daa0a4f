/**
 * One mail transaction (RFC 5321 §3.3): MAIL, RCPT for each recipient, then DATA with the
 * body dot-stuffed as it streams (RFC 5321 §4.5.2, `@mailwire/wire`'s `DotEncoder`) or
 * BDAT chunks (RFC 3030). With PIPELINING (RFC 2920 §3.1) MAIL, every RCPT and DATA go in
 * one write and the replies are matched in order; with BDAT the body waits for the RCPT
 * replies so no chunk is sent for a transaction without recipients. LMTP (RFC 2033 §4.2)
 * reads one final reply per accepted recipient.
 *
 * The envelope's command lines are formatted and encoded once, when the transaction is
 * prepared (`mail-request.ts`), so a bad address fails `sendMail` and nothing is checked
 * or encoded again when the commands go out.
 *
 * Buffers: body chunks passed to `write` may be referenced by the output until the next
 * `takeOutput`; do not change them before that.
 */
import { DotEncoder, encodeUtf8 } from "@mailwire/wire"
import { isPositiveReply, isTemporaryReply, type SmtpReply } from "../../types.js"
import { formatCommand } from "../../wire/command.js"
import type { RecipientResult } from "../events.js"
import { copyOutput } from "../output-bytes.js"
import { type ClientSession, syntheticReply } from "../session.js"

/** `DATA` (RFC 5321 §4.1.1.4), the same bytes for every message. */
const DATA_LINE = encodeUtf8("DATA\r\n")
/** The end of an empty message, sent when a server said 354 with no recipient accepted. */
const EMPTY_MESSAGE_END = encodeUtf8(".\r\n")

/**
 * The envelope's commands, encoded once. With PIPELINING, `commands` holds one block:
 * MAIL, every RCPT and (unless BDAT is used) DATA, written at once. Without it, MAIL and
 * then each RCPT, written one per reply; DATA is {@link DATA_LINE}.
 */
export interface EncodedEnvelope {
  readonly pipelined: boolean
  readonly commands: readonly Uint8Array[]
  /** Each recipient's address as sent (`local@domain`), for the results. */
  readonly addresses: readonly string[]
}

type Phase = "queued" | "envelope" | "body" | "end" | "done"

export class ClientTransaction {
  phase: Phase = "queued"
  private mailReply: SmtpReply | null = null
  private readonly rcptReplies: (SmtpReply | null)[]
  private acceptedCount = 0
  /** A reply that failed every accepted recipient after RCPT (DATA or a BDAT chunk refused). */
  private outcome: SmtpReply | null = null
  private readonly finals: SmtpReply[] = []
  private pendingBody: Uint8Array[] = []
  private bodyEnded = false
  private encoder: DotEncoder | null = null

  constructor(
    readonly id: number,
    private readonly envelope: EncodedEnvelope,
    readonly useBdat: boolean,
  ) {
    this.rcptReplies = envelope.addresses.map(() => null)
  }

  /**
   * Whether the server ends this transaction on its own, whatever it answers: the whole
   * message with its end-of-data mark has been written (RFC 5321 §4.1.1.4). A next
   * transaction may then follow in the same write (RFC 2920 §3.1: the message content may
   * be the first "command" in a group). Not after BDAT, whose refused chunks change what
   * the server expects next (RFC 3030 §2).
   */
  get isBodySent(): boolean {
    return this.phase === "end" && !this.useBdat
  }

  /** Writes the envelope: in one piece with PIPELINING, else MAIL and then each RCPT. */
  start(session: ClientSession): void {
    this.phase = "envelope"
    const { pipelined, commands } = this.envelope
    session.write(commands[0]!)
    session.expect((reply) => this.onMail(session, reply))
    if (!pipelined) return
    for (let index = 0; index < this.rcptReplies.length; index++) this.expectRcpt(session, index)
    if (!this.useBdat) this.expectData(session)
  }

  private onMail(session: ClientSession, reply: SmtpReply): false {
    this.mailReply = reply
    if (this.envelope.pipelined) return false
    if (!isPositiveReply(reply)) this.complete(session)
    else this.sendRcpt(session, 0)
    return false
  }

  /** Without PIPELINING: RCPT `index`, and the next one after its reply. */
  private sendRcpt(session: ClientSession, index: number): void {
    session.write(this.envelope.commands[index + 1]!)
    this.expectRcpt(session, index)
  }

  private expectRcpt(session: ClientSession, index: number): void {
    session.expect((reply) => {
      this.rcptReplies[index] = reply
      if (isPositiveReply(reply)) this.acceptedCount++
      const last = index === this.rcptReplies.length - 1
      if (!this.envelope.pipelined && !last) this.sendRcpt(session, index + 1)
      else if (last) this.afterRecipients(session)
      return false
    })
  }

  private isMailAccepted(): boolean {
    return this.mailReply !== null && isPositiveReply(this.mailReply)
  }

  private afterRecipients(session: ClientSession): void {
    const pipelined = this.envelope.pipelined
    if (!this.isMailAccepted() || this.acceptedCount === 0) {
      // With DATA pipelined, its reply is still to come and completes the transaction.
      if (!(pipelined && !this.useBdat)) this.complete(session)
      return
    }
    if (this.useBdat) this.beginBody(session)
    else if (!pipelined) {
      session.write(DATA_LINE)
      this.expectData(session)
    }
  }

  private expectData(session: ClientSession): void {
    session.expect((reply) => {
      if (reply.code !== 354) {
        if (this.acceptedCount > 0) this.outcome = reply
        this.complete(session)
      } else if (this.acceptedCount === 0 || !this.isMailAccepted()) {
        // RFC 2920 §3.1: a server that said 354 with no recipient (or after refusing MAIL)
        // gets an empty message, never the body of a message reported as failed.
        session.write(EMPTY_MESSAGE_END)
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
    // Let go of the kept pieces by dropping the array: emptying it in place (`length = 0`)
    // is a runtime call, and this runs once per message.
    const pending = this.pendingBody
    this.pendingBody = []
    for (const chunk of pending) this.sendChunk(session, chunk)
    if (this.bodyEnded) this.sendEnd(session)
  }

  /** A piece of the body; kept until the server is ready for it. */
  write(session: ClientSession, chunk: Uint8Array): void {
    if (this.bodyEnded) return
    if (this.phase === "body") this.sendChunk(session, chunk)
    else if (this.phase === "queued" || this.phase === "envelope")
      this.pendingBody.push(copyOutput(chunk))
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
    const mailOk = this.isMailAccepted()
    this.phase = "done"
    let acceptedIndex = 0
    let acceptedCount = 0
    const recipients = this.envelope.addresses.map((address, index): RecipientResult => {
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
      if (accepted) acceptedCount++
      return { address, accepted, reply, temporary: isTemporaryReply(reply) }
    })
    session.finished(this, mailOk && this.finals.length === 0)
    session.emit({
      type: "transactionComplete",
      result: { id: this.id, recipients, acceptedCount },
    })
  }
}
