/**
 * `Pop3ClientConnection`: the POP3 client as a sans-I/O state machine (RFC 1939, with
 * RFC 2449 CAPA and PIPELINING, RFC 2595 STLS, RFC 3206 response codes, RFC 5034 AUTH
 * and RFC 6856 UTF8). Commands go in with `send` (or `login`), bytes to write come out
 * of `takeOutput`, and the server's bytes go into `receive`, which returns events.
 *
 * What it does not do: open sockets, keep time, or retry. Commands wait in a queue and
 * are written one at a time, or all at once when the server lists PIPELINING; `STLS`
 * and `AUTH` always wait for every earlier reply. Message bodies (RETR, TOP) come out as
 * `MessageData` pieces as they arrive, never buffered whole.
 *
 * An adapter must: write `takeOutput()` after every call; once `state` is
 * `TLS_HANDSHAKE`, upgrade the socket and call `resumeAfterTls()` (server bytes that
 * came after `+OK` to STLS are dropped unread, see `discardedInput`; then send CAPA
 * again, RFC 2595 §4); call `receiveEnd()` when the server closes; close the socket
 * once `state` is `CLOSED`.
 *
 * Errors: `send` throws `LocalProtocolError` for a command that cannot be written
 * (bad argument, password in clear without TLS). `receive` throws `RemoteProtocolError`
 * when the server breaks the protocol; the connection is then `CLOSED`, and every later
 * `receive` throws the same error.
 *
 * Buffers: chunks given to `receive` are only read during the call; `MessageData` views
 * stay valid until the next `receive`.
 */
import {
  createSaslClient,
  decodeBase64,
  type SaslCredentials,
  sendsSecretInClear,
} from "@mailwire/sasl"
import {
  concatBytes,
  DotDecoder,
  decodeUtf8,
  LineReader,
  LocalProtocolError,
  RemoteProtocolError,
} from "@mailwire/wire"
import { NO_CAPABILITIES, type Pop3Capabilities, parseCapabilities } from "../capabilities.js"
import { keepDiscarded } from "../discarded-input.js"
import { remoteError } from "../errors.js"
import {
  DEFAULT_POP3_MAX_LINE_LENGTH,
  dropListing,
  greetingTimestamp,
  type StatusLine,
  scanListing,
  statusLine,
  uniqueIdListing,
} from "../wire/grammar.js"
import {
  encodeClientCommand,
  encodeSaslLine,
  type Pop3ClientCommand,
  type Pop3ReplyData,
} from "./commands.js"
import type { Pop3ClientEvent } from "./events.js"
import { chooseLoginMethod } from "./login.js"
import { isBarrier, isMultiline, type Pop3ClientState } from "./state.js"

/**
 * 1,000,000 lines in one CAPA, LIST or UIDL answer. A maildrop left on the server for
 * years holds tens of thousands of messages; a million bounds what a hostile server can
 * make the client hold (about 100 MB of listing) without cutting off any real one.
 */
export const DEFAULT_MAX_LISTING_LINES = 1_000_000

/** Options of `Pop3ClientConnection`. */
export interface Pop3ClientOptions {
  /** The channel is already TLS (port 995, RFC 8314 §3.3). Default `false`. */
  readonly isSecure?: boolean
  /**
   * Allow USER/PASS, SASL PLAIN/LOGIN and bearer tokens (XOAUTH2, OAUTHBEARER) without
   * TLS. Default `false`: `send` refuses them, so a password or token never crosses the
   * network in clear by accident (DESIGN §4.3).
   */
  readonly allowPlaintext?: boolean
  /** Random bytes for SASL nonces in `login`; default `crypto.getRandomValues`. */
  readonly random?: (length: number) => Uint8Array
  /** Fewest SCRAM iterations `login` accepts (RFC 7677 §4); default sasl's 4,096. */
  readonly minScramIterations?: number
  /** Longest server line, CRLF included. Default {@link DEFAULT_POP3_MAX_LINE_LENGTH}. */
  readonly maxLineLength?: number
  /** Most lines in one listing. Default {@link DEFAULT_MAX_LISTING_LINES}. */
  readonly maxListingLines?: number
}

interface Entry {
  readonly id: number
  readonly command: Pop3ClientCommand
  readonly line: Uint8Array
  heldResponse: Uint8Array | null
  /** A PASS sent by `login` after USER: not written if USER fails. */
  readonly afterUser: boolean
}

interface Body {
  readonly entry: Entry
  readonly status: StatusLine
  readonly decoder: DotDecoder
  size: number
}

interface Listing {
  readonly entry: Entry
  readonly status: StatusLine
  readonly lines: string[]
}

const EMPTY = new Uint8Array(0)

/**
 * The POP3 client side of one connection (RFC 1939). See the module documentation.
 *
 * @example
 * ```ts
 * const conn = new Pop3ClientConnection({ isSecure: true })
 * conn.send({ command: "CAPA" })
 * socket.on("data", (chunk) => {
 *   for (const event of conn.receive(chunk)) console.log(event.type)
 *   socket.write(conn.takeOutput())
 * })
 * ```
 */
export class Pop3ClientConnection {
  private current: Pop3ClientState = "GREETING"
  private readonly reader: LineReader
  private readonly options: Pop3ClientOptions
  private readonly maxListingLines: number
  private secure: boolean
  private caps: Pop3Capabilities | null = null
  private timestamp: string | null = null
  private queue: Entry[] = []
  private inflight: Entry[] = []
  private output: Uint8Array[] = []
  private body: Body | null = null
  private listing: Listing | null = null
  private failure: RemoteProtocolError | null = null
  private discarded: Uint8Array = EMPTY
  private nextId = 1

  /** Creates the connection in `GREETING`; nothing is written until the greeting arrives. */
  constructor(options: Pop3ClientOptions = {}) {
    this.options = options
    this.secure = options.isSecure ?? false
    this.maxListingLines = options.maxListingLines ?? DEFAULT_MAX_LISTING_LINES
    this.reader = new LineReader({
      maxLineLength: options.maxLineLength ?? DEFAULT_POP3_MAX_LINE_LENGTH,
    })
  }

  /** The current state (RFC 1939 §3, plus `GREETING`, `TLS_HANDSHAKE` and `CLOSED`). */
  get state(): Pop3ClientState {
    return this.current
  }

  /** Whether the channel is TLS: from the start, or since `resumeAfterTls()`. */
  get isSecure(): boolean {
    return this.secure
  }

  /** The capabilities from the last CAPA answer; `null` before one (and after STLS). */
  get capabilities(): Pop3Capabilities | null {
    return this.caps
  }

  /** The greeting's APOP timestamp (RFC 1939 §7), or `null`. */
  get apopTimestamp(): string | null {
    return this.timestamp
  }

  /**
   * Server bytes that followed `+OK` to STLS, dropped unread (RFC 2595 §4). For logging:
   * only the first 4,096 bytes are kept.
   */
  get discardedInput(): Uint8Array {
    return this.discarded
  }

  /**
   * Queues a command and returns its id, which its `Ok`/`Err` event carries. Throws
   * `LocalProtocolError` when the command cannot be written: a bad argument, APOP
   * before a greeting with a timestamp, or USER/PASS/PLAIN/LOGIN/XOAUTH2/OAUTHBEARER without TLS unless
   * `allowPlaintext`.
   */
  send(command: Pop3ClientCommand): number {
    return this.enqueue(command, false)
  }

  /**
   * Logs in with the best method the server offers (see `chooseLoginMethod`): SASL,
   * APOP or USER/PASS. Send CAPA and wait for its reply first, or the choice is made
   * from the greeting alone. Returns the id of the command whose `Ok`/`Err` says
   * whether the login worked. Throws `LocalProtocolError` (`NO_LOGIN_METHOD`) when no
   * method is both offered and safe.
   */
  login(credentials: SaslCredentials): number {
    const choice = chooseLoginMethod({
      capabilities: this.caps,
      apopTimestamp: this.timestamp,
      credentials,
      isSecure: this.secure,
      allowPlaintext: this.options.allowPlaintext ?? false,
    })
    const { username = "", password = "" } = credentials
    if (choice === null) {
      throw new LocalProtocolError("NO_LOGIN_METHOD", "no login method is both offered and safe")
    }
    if (choice.method === "APOP") return this.send({ command: "APOP", username, secret: password })
    if (choice.method === "USER") {
      this.send({ command: "USER", username })
      return this.enqueue({ command: "PASS", password }, true)
    }
    const { random, minScramIterations } = this.options
    const sasl = createSaslClient(choice.mechanism, credentials, {
      ...(random === undefined ? {} : { random }),
      ...(minScramIterations === undefined ? {} : { minScramIterations }),
    })
    return this.send({ command: "AUTH", sasl })
  }

  /** Takes the server's bytes; returns every event they complete (`[]` = need more). */
  receive(chunk: Uint8Array): ReadonlyArray<Pop3ClientEvent> {
    if (this.failure !== null) throw this.failure
    if (this.current === "CLOSED") return []
    if (this.current === "TLS_HANDSHAKE") {
      this.discarded = keepDiscarded(this.discarded, chunk)
      return []
    }
    const events: Pop3ClientEvent[] = []
    // The reader refers to `chunk` only when it held nothing before it; only then is the
    // rest copied below (copying all held input on every call would be quadratic).
    const refersToChunk = this.reader.bufferedLength === 0
    try {
      if (this.body !== null) this.feedBody(chunk, events)
      else this.reader.push(chunk)
      this.readLines(events)
    } catch (error) {
      if (error instanceof RemoteProtocolError) {
        this.failure = error
        this.current = "CLOSED"
      }
      throw error
    }
    if (refersToChunk && this.reader.bufferedLength > 0) {
      this.reader.push(this.reader.takeBuffered().slice())
    }
    this.flush()
    return events
  }

  /** The server closed the connection. */
  receiveEnd(): ReadonlyArray<Pop3ClientEvent> {
    if (this.current === "CLOSED" && this.inflight.length === 0 && this.queue.length === 0) {
      return []
    }
    const unanswered = [...this.inflight, ...this.queue].map((entry) => entry.id)
    this.current = "CLOSED"
    this.inflight = []
    this.queue = []
    this.body = null
    this.listing = null
    return [{ type: "Closed", unanswered }]
  }

  /** The bytes to write now; empty when there are none. */
  takeOutput(): Uint8Array {
    if (this.output.length === 0) return EMPTY
    const out = concatBytes(this.output)
    this.output = []
    return out
  }

  /** The TLS handshake after STLS completed. Capabilities are forgotten (RFC 2595 §4). */
  resumeAfterTls(): void {
    if (this.current !== "TLS_HANDSHAKE") {
      throw new LocalProtocolError("INVALID_STATE", "resumeAfterTls() outside TLS_HANDSHAKE")
    }
    this.current = "AUTHORIZATION"
    this.secure = true
    this.caps = null
    this.flush()
  }

  private enqueue(command: Pop3ClientCommand, afterUser: boolean): number {
    if (this.current === "CLOSED") {
      throw new LocalProtocolError("INVALID_STATE", "the connection is closed")
    }
    const clear =
      command.command === "USER" ||
      command.command === "PASS" ||
      (command.command === "AUTH" && sendsSecretInClear(command.sasl.mechanism))
    if (clear && !this.secure && this.options.allowPlaintext !== true) {
      throw new LocalProtocolError(
        "PLAINTEXT_REFUSED",
        `${command.command} would send a password or token in clear without TLS`,
      )
    }
    if (command.command === "STLS" && this.secure) {
      throw new LocalProtocolError("INVALID_STATE", "STLS on a channel that is already TLS")
    }
    const { line, heldResponse } = encodeClientCommand(command, this.timestamp)
    const id = this.nextId++
    this.queue.push({ id, command, line, heldResponse, afterUser })
    this.flush()
    return id
  }

  private flush(): void {
    const canWrite = this.current === "AUTHORIZATION" || this.current === "TRANSACTION"
    while (canWrite && this.queue.length > 0) {
      const next = this.queue[0]!
      const last = this.inflight[this.inflight.length - 1]
      if (last !== undefined) {
        const pipelining = this.caps?.pipelining === true
        const lastIsQuit = last.command.command === "QUIT"
        const waits = isBarrier(last.command) || isBarrier(next.command) || next.afterUser
        if (!pipelining || lastIsQuit || waits) return
      }
      this.queue.shift()
      this.inflight.push(next)
      this.output.push(next.line)
      if (next.command.command === "QUIT" && this.current === "TRANSACTION") this.current = "UPDATE"
    }
  }

  private readLines(events: Pop3ClientEvent[]): void {
    while (this.body === null && this.current !== "CLOSED" && this.current !== "TLS_HANDSHAKE") {
      const item = this.reader.next()
      if (item === null) return
      if (item.type === "error") throw item.error
      if (item.type === "line") this.line(decodeUtf8(item.line), events)
    }
    if (this.current === "TLS_HANDSHAKE") {
      this.discarded = keepDiscarded(EMPTY, this.reader.takeBuffered())
    }
  }

  private line(line: string, events: Pop3ClientEvent[]): void {
    if (this.listing !== null) {
      this.listingLine(this.listing, line, events)
      return
    }
    if (this.current === "GREETING") {
      const status = statusLine(line)
      if (status === null) throw remoteError("UNEXPECTED_RESPONSE", "Greeting is not +OK or -ERR")
      this.timestamp = status.ok ? greetingTimestamp(status.text) : null
      events.push({ type: "Greeting", ...status, timestamp: this.timestamp })
      this.current = status.ok ? "AUTHORIZATION" : "CLOSED"
      return
    }
    const entry = this.inflight[0]
    if (entry === undefined) throw remoteError("UNEXPECTED_RESPONSE", "Response to no command")
    if (entry.command.command === "AUTH" && (line === "+" || line.startsWith("+ "))) {
      this.challenge(entry, line.slice(2))
      return
    }
    const status = statusLine(line)
    if (status === null) throw remoteError("UNEXPECTED_RESPONSE", "Response is not +OK or -ERR")
    if (!status.ok) {
      this.err(entry, status, events)
      return
    }
    if (isMultiline(entry.command)) {
      if (entry.command.command === "RETR" || entry.command.command === "TOP") {
        const decoder = new DotDecoder({ bareLineEndings: "accept" })
        this.body = { entry, status, decoder, size: 0 }
        this.feedBody(this.reader.takeBuffered(), events)
      } else {
        this.listing = { entry, status, lines: [] }
      }
      return
    }
    this.ok(entry, status, this.singleLineData(entry.command, status.text), events)
  }

  private singleLineData(command: Pop3ClientCommand, text: string): Pop3ReplyData {
    switch (command.command) {
      case "STAT": {
        const stat = dropListing(text)
        if (stat === null) throw remoteError("UNEXPECTED_RESPONSE", "STAT answer is not n size")
        return { kind: "stat", ...stat }
      }
      case "LIST": {
        const entry = scanListing(text)
        if (entry === null) throw remoteError("UNEXPECTED_RESPONSE", "LIST answer is not n size")
        return { kind: "list", entries: [entry] }
      }
      case "UIDL": {
        const entry = uniqueIdListing(text)
        if (entry === null) throw remoteError("UNEXPECTED_RESPONSE", "UIDL answer is not n uid")
        return { kind: "uidl", entries: [entry] }
      }
      case "AUTH": {
        const outcome = command.sasl.success()
        if ("error" in outcome) {
          throw remoteError("SASL_SERVER_NOT_VERIFIED", `AUTH: ${outcome.error.message}`)
        }
        return { kind: "none" }
      }
      default:
        return { kind: "none" }
    }
  }

  private listingLine(listing: Listing, line: string, events: Pop3ClientEvent[]): void {
    if (line !== ".") {
      if (listing.lines.length >= this.maxListingLines) {
        throw remoteError("UNEXPECTED_RESPONSE", "Listing longer than maxListingLines")
      }
      listing.lines.push(line.startsWith(".") ? line.slice(1) : line)
      return
    }
    this.listing = null
    const { command } = listing.entry
    let data: Pop3ReplyData
    if (command.command === "CAPA") {
      const capabilities = parseCapabilities(listing.lines)
      this.caps = capabilities
      data = { kind: "capa", capabilities }
    } else if (command.command === "LIST") {
      data = { kind: "list", entries: listing.lines.map((text) => listed(scanListing(text))) }
    } else {
      data = { kind: "uidl", entries: listing.lines.map((text) => listed(uniqueIdListing(text))) }
    }
    this.ok(listing.entry, listing.status, data, events)
  }

  private feedBody(bytes: Uint8Array, events: Pop3ClientEvent[]): void {
    const body = this.body!
    for (const event of body.decoder.push(bytes)) {
      if (event.type === "data") {
        body.size += event.bytes.length
        events.push({ type: "MessageData", id: body.entry.id, bytes: event.bytes })
      } else {
        this.body = null
        this.ok(body.entry, body.status, { kind: "message", size: body.size }, events)
        this.reader.push(event.rest)
      }
    }
  }

  private challenge(entry: Entry, text: string): void {
    const command = entry.command
    if (command.command !== "AUTH") return
    if (entry.heldResponse !== null && text === "") {
      this.output.push(encodeSaslLine(entry.heldResponse))
      entry.heldResponse = null
      return
    }
    const challenge = decodeBase64(text)
    const step = challenge === null ? null : command.sasl.step(challenge)
    if (step === null || "error" in step) {
      this.output.push(encodeSaslLine(null))
    } else {
      this.output.push(encodeSaslLine("response" in step ? step.response : EMPTY))
    }
  }

  private ok(
    entry: Entry,
    status: StatusLine,
    data: Pop3ReplyData,
    events: Pop3ClientEvent[],
  ): void {
    this.inflight.shift()
    const name = entry.command.command
    if (name === "PASS" || name === "APOP" || name === "AUTH") this.current = "TRANSACTION"
    if (name === "QUIT") this.current = "CLOSED"
    if (name === "STLS") this.current = "TLS_HANDSHAKE"
    events.push({
      type: "Ok",
      id: entry.id,
      command: name,
      code: status.code,
      text: status.text,
      data,
    })
  }

  private err(entry: Entry, status: StatusLine, events: Pop3ClientEvent[]): void {
    this.inflight.shift()
    const { code, text } = status
    const name = entry.command.command
    events.push({ type: "Err", id: entry.id, command: name, code, text })
    if (name === "CAPA") this.caps = NO_CAPABILITIES
    if (name === "QUIT") this.current = "CLOSED"
    const next = this.queue[0]
    if (name === "USER" && next?.afterUser === true) {
      this.queue.shift()
      events.push({ type: "Err", id: next.id, command: "PASS", code, text })
    }
  }
}

function listed<T>(entry: T | null): T {
  if (entry === null) throw remoteError("UNEXPECTED_RESPONSE", "Bad line in a listing")
  return entry
}
