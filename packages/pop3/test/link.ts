/**
 * Test support: a client and a server machine joined by an in-memory link, with the
 * server's decisions answered by `MaildropResponder` over an `InMemoryMaildropStore`.
 * Bytes can be cut into pieces on the way, to show that framing does not depend on how
 * the network splits them.
 */
import {
  type AuthenticateEvent,
  InMemoryMaildropStore,
  type MaildropListing,
  MaildropResponder,
  type OpenMaildropEvent,
  Pop3ClientConnection,
  type Pop3ClientEvent,
  type Pop3ClientOptions,
  Pop3ServerConnection,
  type Pop3ServerEvent,
  type Pop3ServerOptions,
  type Pop3VerificationRequest,
} from "@mailwire/pop3"
import { deriveScramCredentials, type VerificationAnswer } from "@mailwire/sasl"
import { concatBytes, decodeLatin1, encodeLatin1 } from "@mailwire/wire"

export const USERS: Record<string, string> = { alice: "wonderland", bob: "builder" }

/** A deterministic random source, so greetings and nonces repeat between runs. */
export function fixedRandom(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff)
}

/** Checks logins against {@link USERS}. */
export function verify(request: Pop3VerificationRequest): VerificationAnswer {
  if (request.kind === "password") return USERS[request.username] === request.password
  if (request.kind === "secret") {
    const password = USERS[request.username]
    return password === undefined ? null : { password }
  }
  if (request.kind === "scram") {
    const password = USERS[request.username]
    if (password === undefined) return null
    const algorithm = request.mechanism === "SCRAM-SHA-1" ? "SHA-1" : "SHA-256"
    return deriveScramCredentials(password, { algorithm, iterations: 4096, random: fixedRandom })
  }
  return false
}

/**
 * A server machine in the TRANSACTION state: alice logged in with USER/PASS and her
 * maildrop opened with `listing`, its output so far taken.
 */
export function openedServer(
  listing: readonly MaildropListing[],
  options: Pop3ServerOptions = {},
): Pop3ServerConnection {
  const conn = new Pop3ServerConnection({ random: fixedRandom, isSecure: true, ...options })
  const [auth] = conn.receive(text("USER alice\r\nPASS pw\r\n")) as [AuthenticateEvent]
  const [open] = conn.answerAuthenticate(auth, true) as [OpenMaildropEvent]
  conn.openMaildrop(open, listing)
  conn.takeOutput()
  return conn
}

export type Splitter = (bytes: Uint8Array) => Uint8Array[]

export const whole: Splitter = (bytes) => [bytes]

export const byteAtATime: Splitter = (bytes) =>
  Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))

/** Cuts at the given offsets (taken modulo the length). */
export function cutAt(offsets: readonly number[]): Splitter {
  return (bytes) => {
    if (bytes.length === 0) return []
    const cuts = [...new Set(offsets.map((o) => o % bytes.length))].sort((a, b) => a - b)
    const out: Uint8Array[] = []
    let from = 0
    for (const cut of cuts) {
      if (cut > from) out.push(bytes.subarray(from, cut))
      from = Math.max(from, cut)
    }
    out.push(bytes.subarray(from))
    return out
  }
}

export class Link {
  readonly store: InMemoryMaildropStore
  readonly client: Pop3ClientConnection
  readonly server: Pop3ServerConnection
  readonly responder: MaildropResponder
  readonly clientEvents: Pop3ClientEvent[] = []
  readonly serverEvents: Pop3ServerEvent[] = []
  /** Everything the server wrote, for looking at the wire. */
  readonly serverWire: Uint8Array[] = []
  split: Splitter = whole

  constructor(
    options: {
      client?: Pop3ClientOptions
      server?: Pop3ServerOptions
      store?: InMemoryMaildropStore
    } = {},
  ) {
    this.store = options.store ?? new InMemoryMaildropStore()
    this.client = new Pop3ClientConnection({ random: fixedRandom, ...options.client })
    this.server = new Pop3ServerConnection({ random: fixedRandom, ...options.server })
    this.responder = new MaildropResponder(this.server, { store: this.store, verify })
  }

  /** Moves bytes both ways until neither side has anything to say. */
  async pump(): Promise<void> {
    for (;;) {
      let moved = false
      const toServer = this.client.takeOutput()
      if (toServer.length > 0) {
        moved = true
        for (const piece of this.split(toServer)) {
          this.serverEvents.push(...(await this.responder.handle(this.server.receive(piece))))
        }
      }
      const toClient = this.server.takeOutput()
      if (toClient.length > 0) {
        moved = true
        this.serverWire.push(toClient)
        for (const piece of this.split(toClient)) {
          // MessageData views last only until the next receive, so the link keeps copies.
          for (const event of this.client.receive(piece)) {
            this.clientEvents.push(
              event.type === "MessageData" ? { ...event, bytes: event.bytes.slice() } : event,
            )
          }
        }
      }
      if (!moved) return
    }
  }

  /** The body of the message that command `id` retrieved, as one array. */
  message(id: number): Uint8Array {
    return concatBytes(
      this.clientEvents.flatMap((e) => (e.type === "MessageData" && e.id === id ? [e.bytes] : [])),
    )
  }

  /** The `Ok` or `Err` event of command `id`. */
  reply(id: number): Pop3ClientEvent | undefined {
    return this.clientEvents.find((e) => (e.type === "Ok" || e.type === "Err") && e.id === id)
  }
}

export const text = (value: string): Uint8Array => encodeLatin1(value)
export const show = (bytes: Uint8Array): string => decodeLatin1(bytes)
