/**
 * The mutable state of one client connection and what every command module needs: write
 * a command with the handler for its reply, report an event, fail or close the session.
 * Replies are matched to commands in order (RFC 2920 §3.1), so one FIFO of handlers
 * serves pipelined and unpipelined commands alike. Internal: not exported.
 */
import type { SaslMechanismName } from "@mailwire/sasl"
import { concatBytes, type RemoteProtocolError } from "@mailwire/wire"
import {
  announcedSize,
  CAP_CHUNKING,
  CAP_PIPELINING,
  CAP_SIZE,
  emptyCapabilities,
  hasCapability,
  type SmtpCapabilities,
} from "../capabilities.js"
import type { SmtpReply } from "../types.js"
import { formatCommand, type SmtpCommand } from "../wire/command.js"
import { ReplyReader } from "../wire/reply.js"
import type { ClientTransaction } from "./commands/transaction.js"
import type { SessionFailedEvent, SmtpClientEvent } from "./events.js"
import type { SmtpClientOptions } from "./options.js"
import type { SmtpClientState } from "./state.js"

/**
 * Removes `item` from `queue`. Replies come in order, so the item is nearly always the
 * oldest: `shift` then, without searching or moving the rest.
 */
function removeFromQueue<T>(queue: T[], item: T): void {
  if (queue[0] === item) {
    queue.shift()
    return
  }
  const at = queue.indexOf(item)
  if (at >= 0) queue.splice(at, 1)
}

/** Handles one reply; returns true to stay first in line for the next reply too. */
export type ReplyHandler = (reply: SmtpReply) => boolean | undefined

export class ClientSession {
  readonly options: SmtpClientOptions
  readonly lmtp: boolean
  readonly replies: ReplyReader
  state: SmtpClientState = "greeting"
  isSecure: boolean
  private announced: SmtpCapabilities = emptyCapabilities()
  /**
   * Whether envelopes are pipelined (RFC 2920): the server offers PIPELINING and the
   * options allow it. This and the next two are read from each EHLO reply once, as every
   * message asks them.
   */
  canPipeline = false
  /** Whether BDAT is used (RFC 3030): the server offers CHUNKING and the options allow it. */
  canChunk = false
  /** The server offers SIZE (RFC 1870): every message declares its size. */
  offersSize = false
  /** The SIZE value the server announced (`announcedSize`): bytes, `0` for none, or `null`. */
  sizeLimit: number | null = null
  authenticated: SaslMechanismName | null = null
  events: SmtpClientEvent[] = []
  readonly handlers: ReplyHandler[] = []
  /** Transactions waiting to start, by id, in the order they were sent. */
  readonly queue = new Map<number, ClientTransaction>()
  /** The transaction whose envelope or body is being sent. */
  active: ClientTransaction | null = null
  /**
   * Transactions sent in full, oldest first, whose final reply is still to come: with
   * PIPELINING the next envelope follows a message's end without waiting (RFC 2920 §3.1).
   */
  readonly finishing: ClientTransaction[] = []
  /** The server holds a transaction that must be reset before the next one. */
  needsReset = false
  quitRequested = false
  nextId = 1
  /** The server broke the protocol; every later `receive` throws this. */
  protocolFailure: RemoteProtocolError | null = null
  private output: Uint8Array[] = []

  constructor(options: SmtpClientOptions) {
    this.options = options
    this.lmtp = options.lmtp ?? false
    this.isSecure = options.isSecure ?? false
    const minIterations = options.minScramIterations
    if (minIterations !== undefined && !(Number.isInteger(minIterations) && minIterations > 0)) {
      throw new RangeError(`minScramIterations must be a positive integer, not ${minIterations}`)
    }
    const readerOptions: { maxLineLength?: number; maxLines?: number } = {}
    if (options.maxReplyLineLength !== undefined)
      readerOptions.maxLineLength = options.maxReplyLineLength
    if (options.maxReplyLines !== undefined) readerOptions.maxLines = options.maxReplyLines
    this.replies = new ReplyReader(readerOptions)
  }

  /** What the server announced in its last EHLO/LHLO reply. */
  get capabilities(): SmtpCapabilities {
    return this.announced
  }

  set capabilities(capabilities: SmtpCapabilities) {
    this.announced = capabilities
    this.canPipeline =
      (this.options.usePipelining ?? true) && hasCapability(capabilities, CAP_PIPELINING)
    this.canChunk = (this.options.useChunking ?? true) && hasCapability(capabilities, CAP_CHUNKING)
    this.offersSize = hasCapability(capabilities, CAP_SIZE)
    this.sizeLimit = announcedSize(capabilities)
  }

  /** Whether replies are read now (not closed, not paused for TLS). */
  isReading(): boolean {
    return this.state !== "closed" && this.state !== "tlsHandshake"
  }

  emit(event: SmtpClientEvent): void {
    this.events.push(event)
  }

  write(bytes: Uint8Array): void {
    if (bytes.length > 0) this.output.push(bytes)
  }

  /** Writes `command` and waits for its reply with `handler`. */
  send(command: SmtpCommand, handler: ReplyHandler): void {
    this.write(formatCommand(command))
    this.handlers.push(handler)
  }

  expect(handler: ReplyHandler): void {
    this.handlers.push(handler)
  }

  /** `handler` is done; it is first in line unless the session closed while it ran. */
  dropHandler(handler: ReplyHandler): void {
    removeFromQueue(this.handlers, handler)
  }

  takeOutput(): Uint8Array {
    const out = concatBytes(this.output)
    this.output = []
    return out
  }

  takeOutputChunks(): Uint8Array[] {
    const out = this.output
    this.output = []
    return out
  }

  /** The session cannot go on: report it, fail every transaction, and QUIT. */
  fail(stage: SessionFailedEvent["stage"], reply: SmtpReply | null, message: string): void {
    this.emit({ type: "sessionFailed", stage, reply, message })
    this.failTransactions(reply ?? syntheticReply(message))
    this.quit()
  }

  /** Sends QUIT and closes on its reply. */
  quit(): void {
    if (this.state === "quit" || this.state === "closed") return
    this.state = "quit"
    this.send({ verb: "QUIT" }, (reply) => {
      this.close(reply)
      return false
    })
  }

  /** The connection is over; without a reply, open transactions fail with a synthetic one. */
  close(reply: SmtpReply | null, message = "Connection closed"): void {
    if (this.state === "closed") return
    this.failTransactions(reply ?? syntheticReply(message))
    this.state = "closed"
    this.handlers.length = 0
    this.emit({ type: "closed", reply })
  }

  /**
   * `transaction` is over. `needsReset`: the server still holds its accepted MAIL, so the
   * next transaction starts with RSET (RFC 5321 §4.1.1.5).
   */
  finished(transaction: ClientTransaction, needsReset: boolean): void {
    this.needsReset = needsReset
    if (this.active === transaction) {
      this.active = null
      return
    }
    removeFromQueue(this.finishing, transaction)
  }

  /** Completes every open transaction (finishing, active, queued) as failed with `reply`. */
  failTransactions(reply: SmtpReply): void {
    const all = [...this.finishing]
    if (this.active !== null) all.push(this.active)
    all.push(...this.queue.values())
    this.finishing.length = 0
    this.active = null
    this.queue.clear()
    for (const transaction of all) transaction.failAll(reply, this)
  }
}

/**
 * A reply standing for a failure the server did not report (the connection ended or
 * broke, or the client gave up itself): `421 4.4.2` so it reads as temporary, marked
 * `synthetic: true` so it is never mistaken for the server's own words.
 */
export function syntheticReply(message: string): SmtpReply {
  return { code: 421, enhancedCode: "4.4.2", lines: [message], synthetic: true }
}
