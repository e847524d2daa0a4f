/**
 * The TRANSACTION state's view of an open maildrop (RFC 1939 §5): the listing fixed at
 * login (message numbers 1…n, UIDs, sizes) and the deletion marks that `DELE` sets and
 * `RSET` clears. Marks are only marks: the UIDs reach the application in a `Commit`
 * event on `QUIT`, and nowhere else (RFC 1939 §6).
 *
 * It holds no message content and does no I/O.
 */
import { LocalProtocolError } from "@mailwire/wire"
import { count, isUniqueId, messageNumber } from "../wire/grammar.js"
import type { Pop3MessageInfo } from "./events.js"

/** What the connection does for a TRANSACTION command. */
export type TransactionOutcome =
  | {
      readonly type: "reply"
      readonly ok: boolean
      readonly text: string
      /** The lines of a multi-line answer, when it is one. */
      readonly lines?: readonly string[]
    }
  | { readonly type: "syntax"; readonly text: string }
  | {
      readonly type: "retrieve"
      readonly command: "RETR" | "TOP"
      readonly message: Pop3MessageInfo
      readonly lines: number | null
    }

/** What a message number names: a message, nothing, or a message marked as deleted. */
export type MessageLookup =
  | { readonly type: "message"; readonly message: Pop3MessageInfo }
  | { readonly type: "missing" }
  | { readonly type: "deleted" }

export class Transaction {
  readonly messages: readonly Pop3MessageInfo[]
  private readonly deleted: boolean[]

  /** Throws `LocalProtocolError` for a bad or repeated UID or a bad size (the application's bug). */
  constructor(
    readonly username: string,
    listing: readonly { readonly uid: string; readonly size: number }[],
  ) {
    const seen = new Set<string>()
    for (const { uid, size } of listing) {
      if (!isUniqueId(uid) || seen.has(uid)) {
        throw new LocalProtocolError(
          "INVALID_ARGUMENT",
          `bad or repeated unique-id ${JSON.stringify(uid)}`,
        )
      }
      if (!Number.isSafeInteger(size) || size < 0) {
        throw new LocalProtocolError("INVALID_ARGUMENT", `bad size ${size} for ${uid}`)
      }
      seen.add(uid)
    }
    this.messages = listing.map(({ uid, size }, index) => ({ number: index + 1, uid, size }))
    this.deleted = listing.map(() => false)
  }

  /** Messages not marked as deleted, and their total size in octets (`STAT`, RFC 1939 §5). */
  stat(): { count: number; size: number } {
    let count = 0
    let size = 0
    for (const message of this.live()) {
      count++
      size += message.size
    }
    return { count, size }
  }

  /** The messages not marked as deleted, in order (`LIST`, `UIDL` without argument). */
  live(): Pop3MessageInfo[] {
    return this.messages.filter((message) => !this.deleted[message.number - 1])
  }

  /** STAT, LIST, UIDL, DELE, NOOP, RSET, RETR and TOP (RFC 1939 §5, §7). */
  command(keyword: string, args: readonly string[]): TransactionOutcome {
    switch (keyword) {
      case "STAT": {
        const { count: n, size } = this.stat()
        return reply(true, `${n} ${size}`)
      }
      case "NOOP":
        return reply(true, "")
      case "RSET": {
        this.reset()
        const { count: n, size } = this.stat()
        return reply(true, `maildrop has ${n} messages (${size} octets)`)
      }
      case "LIST":
      case "UIDL":
        return this.listing(keyword, args)
      case "DELE": {
        const found = this.argument(args, 1)
        if (found.type !== "message") return found
        this.mark(found.message.number)
        return reply(true, `message ${found.message.number} deleted`)
      }
      case "RETR":
      case "TOP": {
        const found = this.argument(args, keyword === "TOP" ? 2 : 1)
        if (found.type !== "message") return found
        const lines = keyword === "TOP" ? count(args[1]) : null
        if (keyword === "TOP" && lines === null) {
          return { type: "syntax", text: "TOP needs a message number and a line count" }
        }
        return { type: "retrieve", command: keyword, message: found.message, lines }
      }
      default:
        return { type: "syntax", text: `${keyword} not valid in this state` }
    }
  }

  private listing(keyword: "LIST" | "UIDL", args: readonly string[]): TransactionOutcome {
    const show = (m: Pop3MessageInfo) => `${m.number} ${keyword === "LIST" ? m.size : m.uid}`
    if (args.length === 0) {
      const { count: n, size } = this.stat()
      const text =
        keyword === "LIST" ? `${n} messages (${size} octets)` : "Unique-id listing follows"
      return { type: "reply", ok: true, text, lines: this.live().map(show) }
    }
    const found = this.argument(args, 1)
    return found.type === "message" ? reply(true, show(found.message)) : found
  }

  /** The message named by `args[0]` of a command taking `arity` arguments. */
  private argument(
    args: readonly string[],
    arity: number,
  ): TransactionOutcome | { readonly type: "message"; readonly message: Pop3MessageInfo } {
    const number = messageNumber(args[0])
    if (number === null || args.length !== arity) {
      return { type: "syntax", text: "Invalid message number" }
    }
    const found = this.lookup(number)
    if (found.type === "message") return found
    return reply(
      false,
      found.type === "missing" ? "No such message" : `Message ${number} already deleted`,
    )
  }

  lookup(number: number): MessageLookup {
    const message = this.messages[number - 1]
    if (message === undefined) return { type: "missing" }
    if (this.deleted[number - 1]) return { type: "deleted" }
    return { type: "message", message }
  }

  /** `DELE` (RFC 1939 §5): a mark, undone by `RSET`, acted on only at `QUIT`. */
  mark(number: number): void {
    this.deleted[number - 1] = true
  }

  /** `RSET` (RFC 1939 §5). */
  reset(): void {
    this.deleted.fill(false)
  }

  /** The UIDs of the marked messages, for the `Commit` event. */
  deletedUids(): string[] {
    return this.messages.filter((message) => this.deleted[message.number - 1]).map((m) => m.uid)
  }
}

function reply(ok: boolean, text: string): TransactionOutcome {
  return { type: "reply", ok, text }
}
