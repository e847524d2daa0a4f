/**
 * STORE with UNCHANGEDSINCE (RFC 9051 §6.4.6, RFC 7162 §3.1.3), COPY (§6.4.7), MOVE
 * (§6.4.8, RFC 6851 §3.1) and UID EXPUNGE (§6.4.9, RFC 4315 §2.1), with their UID forms.
 */
import type { SequenceSet } from "../../types.js"
import type { Decoder } from "../decoder.js"
import type { Encoder } from "../encoder.js"

/** `[UID] STORE set [(UNCHANGEDSINCE n)] (+|-)FLAGS[.SILENT] (flags)`. */
export interface StoreCommand {
  readonly name: "STORE"
  readonly uid: boolean
  readonly set: SequenceSet
  readonly unchangedSince: bigint | null
  /** `set` replaces the flags (`FLAGS`), `add` is `+FLAGS`, `remove` is `-FLAGS`. */
  readonly action: "set" | "add" | "remove"
  readonly silent: boolean
  readonly flags: readonly string[]
}

/** `[UID] COPY set mailbox` / `[UID] MOVE set mailbox`. */
export interface CopyCommand {
  readonly name: "COPY" | "MOVE"
  readonly uid: boolean
  readonly set: SequenceSet
  readonly mailbox: string
}

/** `UID EXPUNGE uid-set`. */
export interface UidExpungeCommand {
  readonly name: "UID EXPUNGE"
  readonly set: SequenceSet
}

/** Reads STORE's arguments, after `STORE`. */
export function parseStore(d: Decoder, uid: boolean): StoreCommand {
  d.sp()
  const set = d.sequenceSet()
  d.sp()
  let unchangedSince: bigint | null = null
  if (d.accept(0x28)) {
    if (!d.acceptWord("UNCHANGEDSINCE")) throw d.error("UNCHANGEDSINCE")
    d.sp()
    unchangedSince = d.number64()
    d.expect(0x29, ")")
    d.sp()
  }
  const action = d.accept(0x2b) ? "add" : d.accept(0x2d) ? "remove" : "set"
  const item = d.textUntilAny()
  if (item !== "FLAGS" && item !== "FLAGS.SILENT") throw d.error("FLAGS")
  d.sp()
  let flags: string[]
  if (d.peek() === 0x28) flags = d.listOf(() => d.flag())
  else {
    flags = [d.flag()]
    while (d.spBeforeMore()) {
      d.count()
      flags.push(d.flag())
    }
  }
  return { name: "STORE", uid, set, unchangedSince, action, silent: item === "FLAGS.SILENT", flags }
}

/** Reads COPY's or MOVE's arguments. */
export function parseCopy(d: Decoder, name: "COPY" | "MOVE", uid: boolean): CopyCommand {
  d.sp()
  const set = d.sequenceSet()
  d.sp()
  return { name, uid, set, mailbox: d.mailbox() }
}

/** Writes STORE, COPY, MOVE or UID EXPUNGE, from `[UID ]NAME` on. */
export function encodeStoreCommand(
  e: Encoder,
  c: StoreCommand | CopyCommand | UidExpungeCommand,
): void {
  if (c.name === "UID EXPUNGE") {
    e.raw("UID EXPUNGE ").sequenceSet(c.set)
    return
  }
  e.raw(c.uid ? `UID ${c.name} ` : `${c.name} `)
    .sequenceSet(c.set)
    .sp()
  if (c.name !== "STORE") {
    e.astring(c.mailbox)
    return
  }
  if (c.unchangedSince !== null) e.raw("(UNCHANGEDSINCE ").number64(c.unchangedSince).raw(") ")
  e.raw(c.action === "add" ? "+" : c.action === "remove" ? "-" : "")
  e.raw(c.silent ? "FLAGS.SILENT " : "FLAGS ").list(c.flags, (f) => e.flag(f))
}
