/**
 * The UID list of one mailbox: the file `mailwire-uidlist` in the Maildir or folder,
 * modelled on Dovecot's `dovecot-uidlist` (version 3) but our own format, so the two
 * never fight over one file. Text, one record a line, LF ends, UTF-8:
 *
 * ```
 * mailwire-uidlist 1 V1764130000 N4 M7
 * 1 M2 FS W1234 :1764130000.M1P2Q1R00ff.host,S=1200,W=1234
 * 3 M7 FRS W88 :1764130100.M5P2Q2R0a0b.host,S=85,W=88
 * ```
 *
 * The header holds the format version, `V` UIDVALIDITY (RFC 9051 §2.3.1.1), `N` the next
 * UID (UIDNEXT), and `M` the highest modification sequence given out (HIGHESTMODSEQ,
 * RFC 7162 §3.1.1). Each record holds the UID, `M` the message's modification sequence,
 * `F` its flags as last seen (so a rename by other software is noticed and bumps the
 * sequence), `W` its size with CRLF line ends when known, and after ` :` the file's base
 * name, which is the rest of the line. Records are in ascending UID order; UIDs are never
 * reused, and every change (new message, flag change, expunge) takes a higher sequence,
 * which is what IMAP UIDPLUS (RFC 4315) and CONDSTORE/QRESYNC (RFC 7162) need. Fields a
 * later version adds are single upper-case letters, which this version skips.
 *
 * {@link parseUidList} never throws: a damaged file gives `null`, and the caller starts
 * a new list with a new UIDVALIDITY, as Dovecot does.
 */

/** The first word of the file and the version this module writes. */
export const UIDLIST_MAGIC = "mailwire-uidlist"
const VERSION = "1"

/** One message in a {@link UidList} (RFC 9051 §2.3.1.1, RFC 7162 §3). */
export interface UidRecord {
  readonly uid: number
  /** The modification sequence of the message's last change (RFC 7162 §3.1.1). */
  readonly modseq: number
  /** The flags the file name had when last seen, canonical. */
  readonly flags: string
  /** The size with CRLF line ends, when known. */
  readonly vsize?: number
  /** The file's base name, without `:2,` and flags. */
  readonly base: string
}

/** A mailbox's UID state (RFC 9051 §2.3.1.1; RFC 7162 §3.1.1). */
export interface UidList {
  readonly uidValidity: number
  readonly uidNext: number
  readonly highestModseq: number
  readonly records: readonly UidRecord[]
}

const UINT32_MAX = 0xffff_ffff

function field(words: readonly string[], key: string): number | null {
  return fieldNumber(words.find((w) => w.startsWith(key)))
}

/** The number in a field word such as `M12`: 1–16 digits after the key letter. */
function fieldNumber(word: string | undefined): number | null {
  if (word === undefined || !/^\d{1,16}$/.test(word.slice(1))) return null
  return Number(word.slice(1))
}

function parseRecord(line: string): UidRecord | null {
  const colon = line.indexOf(" :")
  if (colon < 0) return null
  const base = line.slice(colon + 2)
  const words = line.slice(0, colon).split(" ")
  const uid = /^\d{1,10}$/.test(words[0]!) ? Number(words[0]) : null
  // The first word with each key counts, as a lookup of each would find it; one pass.
  let modseqWord: string | undefined
  let flagsWord: string | undefined
  let vsizeWord: string | undefined
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!
    const key = word[0]
    if (key === "M") modseqWord ??= word
    else if (key === "F") flagsWord ??= word
    else if (key === "W") vsizeWord ??= word
  }
  const modseq = fieldNumber(modseqWord)
  const flags = flagsWord?.slice(1)
  const vsize = vsizeWord === undefined ? undefined : fieldNumber(vsizeWord)
  if (uid === null || uid < 1 || uid > UINT32_MAX || modseq === null || vsize === null) return null
  if (flags === undefined || !/^[A-Za-z]*$/.test(flags) || base === "" || base.includes(":")) {
    return null
  }
  return vsize === undefined ? { uid, modseq, flags, base } : { uid, modseq, flags, base, vsize }
}

/** Reads a UID list file's text; `null` when it is not a whole, consistent list. */
export function parseUidList(text: string): UidList | null {
  if (!text.endsWith("\n")) return null
  const lines = text.slice(0, -1).split("\n")
  const header = lines[0]!.split(" ")
  if (header[0] !== UIDLIST_MAGIC || header[1] !== VERSION) return null
  const uidValidity = field(header, "V")
  const uidNext = field(header, "N")
  const highestModseq = field(header, "M")
  if (uidValidity === null || uidNext === null || highestModseq === null) return null
  if (uidValidity < 1 || uidValidity > UINT32_MAX || uidNext < 1 || uidNext > UINT32_MAX + 1) {
    return null
  }
  const records: UidRecord[] = []
  const bases = new Set<string>()
  for (const line of lines.slice(1)) {
    const record = parseRecord(line)
    if (record === null || bases.has(record.base)) return null
    const previous = records.at(-1)
    if (previous !== undefined && record.uid <= previous.uid) return null
    if (record.uid >= uidNext || record.modseq > highestModseq) return null
    bases.add(record.base)
    records.push(record)
  }
  return { uidValidity, uidNext, highestModseq, records }
}

/** Writes a UID list as the file's text. */
export function formatUidList(list: UidList): string {
  let out = `${UIDLIST_MAGIC} ${VERSION} V${list.uidValidity} N${list.uidNext} M${list.highestModseq}\n`
  for (const record of list.records) {
    const vsize = record.vsize === undefined ? "" : ` W${record.vsize}`
    out += `${record.uid} M${record.modseq} F${record.flags}${vsize} :${record.base}\n`
  }
  return out
}
