/**
 * Mailbox commands: SELECT and EXAMINE with CONDSTORE and QRESYNC parameters (RFC 9051
 * §6.3.2–6.3.3, RFC 7162 §3.1.8, §3.2.5), CREATE with USE (§6.3.4, RFC 6154 §3), DELETE,
 * RENAME, SUBSCRIBE, UNSUBSCRIBE (§6.3.5–6.3.8), STATUS (§6.3.11), LSUB (RFC 3501
 * §6.3.9), and GETQUOTA, GETQUOTAROOT, SETQUOTA (RFC 9208 §4.2–4.4).
 */
import type { SequenceSet } from "../../types.js"
import type { Decoder } from "../decoder.js"
import type { Encoder } from "../encoder.js"

/** `QRESYNC (uidvalidity modseq [known-uids] [(seqs uids)])` (RFC 7162 §3.2.5). */
export interface QresyncParams {
  readonly uidValidity: number
  readonly modseq: bigint
  readonly knownUids: SequenceSet | null
  readonly sequenceMatch: { readonly sequences: SequenceSet; readonly uids: SequenceSet } | null
}

/** `SELECT` / `EXAMINE mailbox [(CONDSTORE) / (QRESYNC …)]`. */
export interface SelectCommand {
  readonly name: "SELECT" | "EXAMINE"
  readonly mailbox: string
  readonly condstore: boolean
  readonly qresync: QresyncParams | null
}

/** `CREATE mailbox [(USE (\Special …))]`. */
export interface CreateCommand {
  readonly name: "CREATE"
  readonly mailbox: string
  /** RFC 6154 §3 special-use attributes, or `null` when not given. */
  readonly specialUse: readonly string[] | null
}

/** DELETE, SUBSCRIBE, UNSUBSCRIBE, GETQUOTAROOT: one mailbox argument. */
export interface MailboxCommand {
  readonly name: "DELETE" | "SUBSCRIBE" | "UNSUBSCRIBE" | "GETQUOTAROOT"
  readonly mailbox: string
}

/** `RENAME from to`. */
export interface RenameCommand {
  readonly name: "RENAME"
  readonly from: string
  readonly to: string
}

/** `STATUS mailbox (att…)` (RFC 9051 §6.3.11; SIZE RFC 8438, HIGHESTMODSEQ RFC 7162, APPENDLIMIT RFC 7889). */
export interface StatusCommand {
  readonly name: "STATUS"
  readonly mailbox: string
  readonly attributes: readonly string[]
}

/** `LSUB reference pattern` (RFC 3501 §6.3.9). */
export interface LsubCommand {
  readonly name: "LSUB"
  readonly reference: string
  readonly pattern: string
}

/** `GETQUOTA root` (RFC 9208 §4.2). */
export interface GetQuotaCommand {
  readonly name: "GETQUOTA"
  readonly root: string
}

/** `SETQUOTA root (resource limit …)` (RFC 9208 §4.4). */
export interface SetQuotaCommand {
  readonly name: "SETQUOTA"
  readonly root: string
  readonly limits: readonly { readonly resource: string; readonly limit: number }[]
}

/** Commands of this module. */
export type MailboxCommandValue =
  | SelectCommand
  | CreateCommand
  | MailboxCommand
  | RenameCommand
  | StatusCommand
  | LsubCommand
  | GetQuotaCommand
  | SetQuotaCommand

/** Reads the arguments of a command of this module, after its name; `null` if not one. */
export function parseMailboxCommand(d: Decoder, name: string): MailboxCommandValue | null {
  switch (name) {
    case "SELECT":
    case "EXAMINE":
      return select(d, name)
    case "CREATE": {
      d.sp()
      const mailbox = d.mailbox()
      let specialUse: string[] | null = null
      if (d.spBeforeMore()) {
        d.list(() => {
          if (!d.acceptWord("USE")) throw d.error("USE")
          d.sp()
          specialUse = d.listOf(() => d.flag())
        })
      }
      return { name, mailbox, specialUse }
    }
    case "DELETE":
    case "SUBSCRIBE":
    case "UNSUBSCRIBE":
    case "GETQUOTAROOT":
      d.sp()
      return { name, mailbox: d.mailbox() }
    case "RENAME": {
      d.sp()
      const from = d.mailbox()
      d.sp()
      return { name, from, to: d.mailbox() }
    }
    case "STATUS": {
      d.sp()
      const mailbox = d.mailbox()
      d.sp()
      return { name, mailbox, attributes: d.listOf(() => d.keyword()) }
    }
    case "LSUB": {
      d.sp()
      const reference = d.mailbox()
      d.sp()
      return { name, reference, pattern: d.listMailbox() }
    }
    case "GETQUOTA":
      d.sp()
      return { name, root: d.astring() }
    case "SETQUOTA": {
      d.sp()
      const root = d.astring()
      d.sp()
      const limits: { resource: string; limit: number }[] = []
      d.list(() => {
        const resource = d.atom()
        d.sp()
        limits.push({ resource, limit: d.number() })
      })
      return { name, root, limits }
    }
    default:
      return null
  }
}

function select(d: Decoder, name: "SELECT" | "EXAMINE"): SelectCommand {
  d.sp()
  const mailbox = d.mailbox()
  let condstore = false
  let qresync: QresyncParams | null = null
  if (d.spBeforeMore()) {
    d.list(() => {
      const param = d.keyword()
      if (param === "CONDSTORE") condstore = true
      else if (param === "QRESYNC") {
        d.sp()
        qresync = qresyncParams(d)
      } else throw d.error("CONDSTORE or QRESYNC")
    })
  }
  return { name, mailbox, condstore, qresync }
}

function qresyncParams(d: Decoder): QresyncParams {
  d.expect(0x28, "(")
  const uidValidity = d.nzNumber()
  d.sp()
  const modseq = d.number64()
  let knownUids: SequenceSet | null = null
  let sequenceMatch: QresyncParams["sequenceMatch"] = null
  if (d.spBeforeMore() && d.peek() !== 0x28) {
    knownUids = d.sequenceSet()
    d.spBeforeMore()
  }
  if (d.accept(0x28)) {
    const sequences = d.sequenceSet()
    d.sp()
    const uids = d.sequenceSet()
    d.expect(0x29, ")")
    sequenceMatch = { sequences, uids }
  }
  d.expect(0x29, ")")
  return { uidValidity, modseq, knownUids, sequenceMatch }
}

/** Writes a command of this module, from its name on. */
export function encodeMailboxCommand(e: Encoder, c: MailboxCommandValue): void {
  e.raw(c.name)
  switch (c.name) {
    case "SELECT":
    case "EXAMINE": {
      e.sp().astring(c.mailbox)
      if (!c.condstore && c.qresync === null) return
      e.raw(" (")
      if (c.condstore) e.raw("CONDSTORE")
      const q = c.qresync
      if (q !== null) {
        if (c.condstore) e.sp()
        e.raw("QRESYNC (").number(q.uidValidity).sp().number64(q.modseq)
        if (q.knownUids !== null) e.sp().sequenceSet(q.knownUids)
        if (q.sequenceMatch !== null) {
          e.raw(" (").sequenceSet(q.sequenceMatch.sequences).sp()
          e.sequenceSet(q.sequenceMatch.uids).raw(")")
        }
        e.raw(")")
      }
      e.raw(")")
      return
    }
    case "CREATE":
      e.sp().astring(c.mailbox)
      if (c.specialUse !== null)
        e.raw(" (USE ")
          .list(c.specialUse, (f) => e.flag(f))
          .raw(")")
      return
    case "DELETE":
    case "SUBSCRIBE":
    case "UNSUBSCRIBE":
    case "GETQUOTAROOT":
      e.sp().astring(c.mailbox)
      return
    case "RENAME":
      e.sp().astring(c.from).sp().astring(c.to)
      return
    case "STATUS":
      e.sp()
        .astring(c.mailbox)
        .sp()
        .list(c.attributes, (a) => e.atom(a))
      return
    case "LSUB":
      e.sp().astring(c.reference).sp().listMailbox(c.pattern)
      return
    case "GETQUOTA":
      e.sp().astring(c.root)
      return
    case "SETQUOTA":
      e.sp()
        .astring(c.root)
        .sp()
        .list(c.limits, (l) => e.atom(l.resource).sp().number(l.limit))
  }
}
