/**
 * The mutable state of one server connection and the few operations every command
 * handler needs: queue a reply, report an event, count a bad command, close. The
 * connection owns one session and drives it; command handlers in `commands/` change it.
 * Internal: not exported from the package.
 */
import type { SaslMechanismName, SaslServer } from "@mailwire/sasl"
import { concatBytes, type DotDecoder, LineReader, type RemoteProtocolError } from "@mailwire/wire"
import type { Mailbox, SmtpReplyInput } from "../types.js"
import type { MailParameters } from "../wire/parameters.js"
import { formatReply } from "../wire/reply.js"
import { encodedConstant, isSharedReply } from "./constant-replies.js"
import type {
  CloseEvent,
  EnvelopeRecipient,
  SmtpEnvelope,
  SmtpServerDecision,
  SmtpServerEvent,
} from "./events.js"
import type { MessageBody } from "./message-body.js"
import type { ResolvedServerOptions } from "./options.js"
import type { ExtensionReplies, PreparedServerOptions } from "./prepared-options.js"
import type { SmtpServerState } from "./state.js"

/** The mail transaction in progress (RFC 5321 §3.3). */
export interface Transaction {
  readonly from: Mailbox | null
  readonly parameters: MailParameters
  readonly recipients: EnvelopeRecipient[]
  /** The body being received, from `messageStart` until its end or abort. */
  body: MessageBody | null
}

/** A BDAT chunk being read (RFC 3030 §2). */
export interface BdatChunk {
  readonly size: number
  readonly last: boolean
  /** The bytes are read and dropped; `reply` is sent when they are all in. */
  discard: SmtpReplyInput | null
}

/** An AUTH exchange in progress (RFC 4954 §4). */
export interface AuthExchange {
  readonly mechanism: SaslMechanismName
  readonly sasl: SaslServer
}

/** Parses a reply line such as `500 5.5.1 Command unrecognized` into its parts. */
export function replyFromLine(line: string): SmtpReplyInput {
  const match = /^(\d{3})(?: ([245]\.\d{1,3}\.\d{1,3}))?(?: (.*))?$/.exec(line)
  if (match === null) return { code: 451, enhancedCode: "4.3.0", text: line }
  const reply: { code: number; enhancedCode?: string; text: string } = {
    code: Number(match[1]),
    text: match[3] ?? "",
  }
  if (match[2] !== undefined) reply.enhancedCode = match[2]
  return reply
}

export class ServerSession {
  readonly options: ResolvedServerOptions
  /** The formatted EHLO extension lines, shared by the connections of frozen options. */
  readonly extensionReplies: ExtensionReplies | null
  readonly reader: LineReader
  state: SmtpServerState = "connected"
  isSecure: boolean
  greeted: "EHLO" | "HELO" | "LHLO" | null = null
  auth: { readonly mechanism: SaslMechanismName; readonly username: string } | null = null
  authFailures = 0
  /** RCPT decisions the application refused on this connection. */
  rejectedRecipients = 0
  badCommands = 0
  transaction: Transaction | null = null
  pending: SmtpServerDecision | null = null
  /** The decision that was pending when the connection closed; a late answer is ignored. */
  dropped: SmtpServerDecision | null = null
  exchange: AuthExchange | null = null
  dataDecoder: DotDecoder | null = null
  bdat: BdatChunk | null = null
  peerEnded = false
  events: SmtpServerEvent[] = []
  private output: Uint8Array[] = []

  constructor(prepared: PreparedServerOptions, isSecure: boolean) {
    const options = prepared.resolved
    this.options = options
    this.extensionReplies = prepared.extensionReplies
    this.isSecure = isSecure
    this.reader = new LineReader({
      maxLineLength: Math.max(options.maxCommandLineLength, options.maxAuthLineLength),
    })
  }

  /** Whether the connection is not closed. */
  isOpen(): boolean {
    return this.state !== "closed"
  }

  emit(event: SmtpServerEvent): void {
    this.events.push(event)
  }

  /** Queues a reply; the enhanced code is dropped when ENHANCEDSTATUSCODES is off. */
  reply(reply: SmtpReplyInput): void {
    const withEnhancedCode = this.options.extensions.enhancedStatusCodes
    this.output.push(
      encodedConstant(reply, withEnhancedCode) ?? formatReply(reply, withEnhancedCode),
    )
  }

  /** Queues raw reply bytes that {@link reply} cannot express (`334 ` with its space). */
  replyRaw(bytes: Uint8Array): void {
    this.output.push(bytes)
  }

  /**
   * The queued replies as one array. A constant reply alone is copied unless `shared`
   * says the caller only writes the bytes out and never changes them.
   */
  takeOutput(shared = false): Uint8Array {
    if (this.output.length === 1) {
      const only = this.output[0]!
      this.output = []
      return shared || !isSharedReply(only) ? only : only.slice()
    }
    const out = concatBytes(this.output)
    this.output = []
    return out
  }

  /** The client broke the rules: answer with the error's hint and count it. */
  protocolError(error: RemoteProtocolError): void {
    this.reply(replyFromLine(error.hint.smtp ?? "500 5.5.2 Syntax error"))
    this.emit({ type: "protocolError", error })
    this.badCommands++
    if (this.badCommands >= this.options.maxBadCommands) {
      this.close("too-many-errors", { code: 421, enhancedCode: "4.7.0", text: "Too many errors" })
    }
  }

  /** Ends the connection: queue `reply`, report `close`, read nothing more. */
  close(reason: CloseEvent["reason"], reply: SmtpReplyInput | null): void {
    if (this.state === "closed") return
    if (reply !== null) this.reply(reply)
    this.abortBody("closed", null)
    this.dropped = this.pending
    this.pending = null
    this.reader.takeBuffered()
    this.exchange = null
    this.state = "closed"
    this.emit({ type: "close", reason })
  }

  /**
   * The envelope of the current transaction as a fresh value for an event (three per
   * message). The recipients are copied with `slice`: a spread goes through the iteration
   * builtins, about 60 instructions more per copy on Node 20.
   */
  envelope(): SmtpEnvelope {
    const t = this.transaction!
    return { from: t.from, parameters: t.parameters, recipients: t.recipients.slice() }
  }

  /** The state to return to when no transaction is open. */
  idleState(): SmtpServerState {
    return this.greeted === null ? "connected" : "ready"
  }

  /** Drops the transaction (RFC 5321 §4.1.1.5); `reset` is reported when there was one. */
  resetTransaction(report: boolean): void {
    if (this.transaction !== null) {
      this.abortBody("reset", null)
      if (report) this.emit({ type: "reset" })
    }
    this.transaction = null
    this.dataDecoder = null
    if (this.state !== "closed" && this.state !== "startTls") this.state = this.idleState()
  }

  /** Reports `messageAborted` if a body was started and not finished. */
  abortBody(
    reason: "size" | "line-length" | "bare-line-ending" | "reset" | "closed",
    reply: SmtpReplyInput | null,
  ): void {
    const body = this.transaction?.body
    if (body === undefined || body === null || body.isAborted) return
    body.isAborted = true
    this.emit({ type: "messageAborted", reason, reply })
  }
}
