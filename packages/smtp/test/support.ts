/**
 * Test support: an application that answers server decisions, and an in-memory link that
 * carries bytes between a client and a server machine, split as a test asks.
 */
import type {
  SmtpClientConnection,
  SmtpClientEvent,
  SmtpEnvelope,
  SmtpReplyInput,
  SmtpServerConnection,
  SmtpServerDecision,
  SmtpServerEvent,
} from "@mailwire/smtp"
import { concatBytes } from "@mailwire/wire"

export const enc = (text: string) => new TextEncoder().encode(text)
export const dec = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

/** A received message as the server application saw it. */
export interface Received {
  readonly envelope: SmtpEnvelope
  readonly body: Uint8Array
  readonly transfer: "DATA" | "BDAT"
}

/** How the test application answers a decision: accept, a reply to reject with, or LMTP replies. */
export type Policy = (
  event: SmtpServerDecision,
) => "accept" | SmtpReplyInput | readonly (SmtpReplyInput | null)[] | "hold"

/** Runs a server's events through an application that answers at once, like a real one would. */
export class ServerApp {
  readonly events: SmtpServerEvent[] = []
  readonly messages: Received[] = []
  readonly held: SmtpServerDecision[] = []
  private chunks: Uint8Array[] = []
  private transfer: "DATA" | "BDAT" = "DATA"

  constructor(
    readonly conn: SmtpServerConnection,
    private readonly policy: Policy = () => "accept",
  ) {}

  feed(bytes: Uint8Array): void {
    this.handle(this.conn.receive(bytes))
  }

  end(): void {
    this.handle(this.conn.receiveEnd())
  }

  /** Answers a decision that the policy held. */
  answer(event: SmtpServerDecision, how: "accept" | SmtpReplyInput): void {
    this.held.splice(this.held.indexOf(event), 1)
    this.handle(how === "accept" ? this.conn.accept(event) : this.conn.reject(event, how))
  }

  handle(events: ReadonlyArray<SmtpServerEvent>): void {
    const queue = [...events]
    while (queue.length > 0) {
      const event = queue.shift()!
      this.events.push(event)
      if (event.type === "messageStart") {
        this.chunks = []
        this.transfer = event.transfer
      } else if (event.type === "messageChunk") {
        this.chunks.push(event.bytes.slice())
      }
      if (!isDecision(event)) continue
      if (event.type === "messageEnd") {
        this.messages.push({
          envelope: event.envelope,
          body: concatBytes(this.chunks),
          transfer: this.transfer,
        })
      }
      const how = this.policy(event)
      if (how === "hold") {
        this.held.push(event)
        continue
      }
      let next: ReadonlyArray<SmtpServerEvent>
      if (how === "accept") next = this.conn.accept(event)
      else if (Array.isArray(how)) next = this.conn.answerMessage(event as never, how)
      else next = this.conn.reject(event, how as SmtpReplyInput)
      queue.unshift(...next)
    }
  }
}

export function isDecision(event: SmtpServerEvent): event is SmtpServerDecision {
  return (
    event.type === "helo" ||
    event.type === "auth" ||
    event.type === "mailFrom" ||
    event.type === "rcptTo" ||
    event.type === "messageEnd"
  )
}

/** Splits bytes into pieces; the default keeps them whole. */
export type Splitter = (bytes: Uint8Array) => Uint8Array[]

export const whole: Splitter = (bytes) => [bytes]
export const byteAtATime: Splitter = (bytes) =>
  Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))

/** Splits at the given offsets (taken modulo the length, so any numbers work). */
export function splitAt(cuts: readonly number[]): Splitter {
  return (bytes) => {
    if (bytes.length === 0) return [bytes]
    const points = [...new Set(cuts.map((c) => c % bytes.length))].sort((a, b) => a - b)
    const out: Uint8Array[] = []
    let from = 0
    for (const p of points) {
      if (p > from) out.push(bytes.subarray(from, p))
      from = Math.max(from, p)
    }
    out.push(bytes.subarray(from))
    return out
  }
}

/** Carries bytes both ways until neither side has anything to say; returns the client events. */
export function runLink(
  client: SmtpClientConnection,
  app: ServerApp,
  onClientEvent: (event: SmtpClientEvent) => void = () => {},
  split: { toClient?: Splitter; toServer?: Splitter } = {},
): SmtpClientEvent[] {
  const seen: SmtpClientEvent[] = []
  const toClient = split.toClient ?? whole
  const toServer = split.toServer ?? whole
  for (let round = 0; round < 10_000; round++) {
    let moved = false
    const down = app.conn.takeOutput()
    if (down.length > 0) {
      moved = true
      for (const piece of toClient(down)) {
        if (client.state === "closed") break
        for (const event of client.receive(piece)) {
          seen.push(event)
          if (event.type === "startTls") {
            app.handle(app.conn.resumeTls())
            seen.push(...client.resumeTls())
          }
          onClientEvent(event)
        }
      }
    }
    const up = client.takeOutput()
    if (up.length > 0) {
      moved = true
      for (const piece of toServer(up)) {
        if (app.conn.state === "closed" || app.conn.state === "startTls") break
        app.feed(piece)
      }
    }
    if (!moved) return seen
  }
  throw new Error("the link did not settle")
}
