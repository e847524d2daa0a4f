/**
 * Reading and writing date-time values (RFC 5322 §3.3, §4.3).
 *
 * `parseDate` is tolerant: an optional day of the week, optional seconds, two- and
 * three-digit years, the obsolete zone names and military letters, `-0000`, comments
 * such as `(UTC)`, extra or missing white space, and the broken forms real mail
 * carries — ISO 8601 (scripts and some web mailers), asctime and `date(1)` output
 * (cron, old Unix mailers), a zone name after the offset, a missing zone. A date it
 * cannot read is `null` with an `INVALID_DATE` defect: never "now" (mailparser #304).
 *
 * `formatDate` is strict and writes only the §3.3 form.
 *
 * It never reads the clock or the local time zone: both functions are pure.
 */
import { LocalProtocolError } from "@mailwire/wire"
import { type Defect, defect } from "./defect.js"
import { unfold } from "./fold.js"

/** The result of {@link parseDate}: a date-time (RFC 5322 §3.3, §4.3) and its defects. */
export interface DateData {
  /** The instant, or `null` when the text is not a date. */
  date: Date | null
  /**
   * The writer's offset from UTC in minutes (`-0330` is -210), or `null` when it is
   * unknown: `-0000` (§3.3), a missing zone, military letters other than Z (§4.3),
   * or an unknown zone name. The `date` is then read as UTC.
   */
  offsetMinutes: number | null
  defects: Defect[]
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
const MONTH_NAMES = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
]
const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

/**
 * obs-zone names (§4.3) in minutes, plus `UTC` and the Atlantic `AST`/`ADT`, which
 * Python's `email.utils` also reads and which appear in real mail.
 */
const ZONES: Readonly<Record<string, number>> = {
  UT: 0,
  UTC: 0,
  GMT: 0,
  Z: 0,
  AST: -240,
  ADT: -180,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
}

/**
 * 998 characters, one full header line (§2.1.1): the longest real date with its
 * comments is well under 100, so anything longer is not read at all — which also
 * bounds the work an adversarial `Date` field can cause.
 */
export const MAX_DATE_LENGTH = 998

/** The largest offset §3.3 can write: `99` hours and `59` minutes. */
const MAX_OFFSET_MINUTES = 99 * 60 + 59

type DateToken =
  | { kind: "word"; text: string }
  | { kind: "number"; text: string }
  | { kind: "time"; parts: number[] }
  | { kind: "sign"; text: "+" | "-" }
  | { kind: "punct"; text: string }

interface Fields {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  offset: number | null
  dayOfWeek: number | null
}

/**
 * Reads a date-time such as the value of `Date` or `Resent-Date` (§3.3, §4.3).
 * Never throws.
 *
 * @example
 * ```ts
 * parseDate("Thu, 13 Feb 1969 23:32:54 -0330")
 * // { date: 1969-02-14T03:02:54.000Z, offsetMinutes: -210, defects: [] }
 * ```
 */
export function parseDate(text: string): DateData {
  if (text.length > MAX_DATE_LENGTH) return invalid(text)
  const defects: Defect[] = []
  // obs-time allows CFWS around the colons (§4.3): "09 : 55 : 06".
  const clean = withoutComments(unfold(text))
    .split(":")
    .map((part) => part.trim())
    .join(":")
  const fields = readIso(clean, defects) ?? readRfc(clean, defects)
  if (fields === null) return invalid(text)
  const date = toDate(fields)
  if (date === null) return invalid(text)
  if (fields.dayOfWeek !== null && fields.dayOfWeek !== localDay(fields)) {
    defects.push(defect("DAY_OF_WEEK_MISMATCH", "the day of the week does not match the date"))
  }
  return { date, offsetMinutes: fields.offset, defects }
}

function invalid(text: string): DateData {
  const message = `${JSON.stringify(text.slice(0, 80))} is not a date`
  return { date: null, offsetMinutes: null, defects: [defect("INVALID_DATE", message)] }
}

function localDay(fields: Fields): number {
  const local = new Date(0)
  local.setUTCFullYear(fields.year, fields.month, fields.day)
  return local.getUTCDay()
}

/** The text with comments (nested ones too) replaced by a space (§3.2.2). */
function withoutComments(text: string): string {
  let out = ""
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (char === "\\" && depth > 0) i++
    else if (char === "(") depth++
    else if (char === ")" && depth > 0) {
      depth--
      if (depth === 0) out += " "
    } else if (depth === 0) out += char
  }
  return out
}

/** ISO 8601-like dates: `2024-01-02T03:04:05Z`, `2024-01-02 03:04:05 +0100`. */
function readIso(text: string, defects: Defect[]): Fields | null {
  const match =
    /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt]|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(.*)$/.exec(
      text,
    )
  if (match === null) return null
  defects.push(defect("NONSTANDARD_DATE", "an ISO 8601 date is not the RFC 5322 form"))
  const [, year, month, day, hour, minute, second, rest] = match
  return {
    year: Number(year),
    month: Number(month) - 1,
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second ?? "0"),
    offset: readZone(tokenizeDate(rest ?? ""), 0, defects),
    dayOfWeek: null,
  }
}

function tokenizeDate(text: string): DateToken[] {
  const tokens: DateToken[] = []
  const pattern = /([A-Za-z]+)|(\d+(?::\d+)+(?:[.,]\d+)?)|(\d+)|([+-])|(\S)/g
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (match[1] !== undefined) tokens.push({ kind: "word", text: match[1] })
    else if (match[2] !== undefined) {
      const parts = match[2]
        .replace(/[.,]\d+$/, "")
        .split(":")
        .map(Number)
      tokens.push({ kind: "time", parts })
    } else if (match[3] !== undefined) tokens.push({ kind: "number", text: match[3] })
    else if (match[4] !== undefined) tokens.push({ kind: "sign", text: match[4] as "+" | "-" })
    else tokens.push({ kind: "punct", text: match[5]! })
  }
  return tokens
}

/**
 * The RFC form and its relatives: `[dow,] day month year time [zone]` (§3.3), with the
 * month before the day and the year after the time as asctime and `date(1)` write them.
 */
function readRfc(text: string, defects: Defect[]): Fields | null {
  const tokens = tokenizeDate(text)
  const timeAt = tokens.findIndex((t) => t.kind === "time")
  let month = -1
  let dayOfWeek: number | null = null
  const numbers: string[] = []
  let isNonstandard = false
  let zoneEnd = timeAt === -1 ? tokens.length : timeAt + 1
  let offset: number | null = null
  if (timeAt !== -1) {
    const zone = readZoneAt(tokens, timeAt + 1, defects)
    offset = zone.offset
    zoneEnd = zone.next
  }
  for (let i = 0; i < tokens.length; i++) {
    if (i === timeAt || (i > timeAt && i < zoneEnd && timeAt !== -1)) continue
    const token = tokens[i]!
    if (token.kind === "number") {
      const isAfterTime = timeAt !== -1 && i > timeAt
      if (isAfterTime) isNonstandard = true
      if (!isAfterTime || numbers.length < 2) numbers.push(token.text)
    } else if (token.kind === "word") {
      const prefix = token.text.slice(0, 3).toLowerCase()
      if (month === -1 && MONTHS.includes(prefix)) {
        month = MONTHS.indexOf(prefix)
        if (numbers.length === 0) isNonstandard = true
      } else if (dayOfWeek === null && DAYS.includes(prefix)) dayOfWeek = DAYS.indexOf(prefix)
      else if (timeAt !== -1 && i >= zoneEnd) isNonstandard = true
      else return null
    }
  }
  const date = dayMonthYear(numbers, month)
  if (date === null) return null
  if (timeAt === -1) {
    defects.push(defect("NONSTANDARD_DATE", "a date has no time of day; midnight is assumed"))
  } else if (isNonstandard) {
    defects.push(defect("NONSTANDARD_DATE", "the parts of the date are not in RFC 5322 order"))
  }
  const time = timeAt === -1 ? [0, 0, 0] : (tokens[timeAt] as { parts: number[] }).parts
  if (time.length > 3) return null
  if (timeAt === -1) defects.push(defect("MISSING_ZONE", "a date has no time zone; UTC is assumed"))
  return {
    ...date,
    hour: time[0] ?? 0,
    minute: time[1] ?? 0,
    second: time[2] ?? 0,
    offset,
    dayOfWeek,
  }
}

function dayMonthYear(
  numbers: string[],
  month: number,
): { year: number; month: number; day: number } | null {
  if (month !== -1) {
    if (numbers.length !== 2) return null
    let [day, year] = numbers as [string, string]
    if (day.length > 2) [day, year] = [year, day]
    if (day.length > 2) return null
    return { year: fullYear(year), month, day: Number(day) }
  }
  if (numbers.length === 3 && numbers[0]!.length === 4) {
    const [year, monthNumber, day] = numbers as [string, string, string]
    return { year: Number(year), month: Number(monthNumber) - 1, day: Number(day) }
  }
  return null
}

/** §4.3: a two-digit year below 50 is 20xx, otherwise 19xx; three digits add 1900. */
function fullYear(digits: string): number {
  const value = Number(digits)
  if (digits.length <= 2) return value < 50 ? 2000 + value : 1900 + value
  if (digits.length === 3) return 1900 + value
  return value
}

function readZone(tokens: DateToken[], from: number, defects: Defect[]): number | null {
  return readZoneAt(tokens, from, defects).offset
}

/**
 * Reads a zone at `tokens[from]`: `+hhmm`/`-hhmm` (also `+hh:mm` and `+hh`), an
 * obs-zone name or a military letter (§4.3). A name after a numeric offset, as in
 * `-0800 PST` or `+0100 CET` (written by many Unix mailers), is skipped: the offset
 * is what counts.
 */
function readZoneAt(
  tokens: DateToken[],
  from: number,
  defects: Defect[],
): { offset: number | null; next: number } {
  const numeric = numericZoneAt(tokens, from)
  if (numeric !== null) return numeric
  const first = tokens[from]
  if (first?.kind === "word") {
    const known = ZONES[first.text.toUpperCase()]
    // `GMT+0100`, `UTC-05:00`: written by some Java and PHP mailers.
    const shifted = known === 0 ? numericZoneAt(tokens, from + 1) : null
    if (shifted !== null) return shifted
    if (known !== undefined) return { offset: known, next: from + 1 }
    defects.push(
      defect("UNKNOWN_ZONE", `the zone "${first.text}" has no reliable offset; UTC is assumed`),
    )
    return { offset: null, next: from + 1 }
  }
  defects.push(defect("MISSING_ZONE", "a date has no time zone; UTC is assumed"))
  return { offset: null, next: from }
}

/** `+hhmm`, `-hh:mm` or `+hh` at `tokens[from]`, and a zone name after it; else `null`. */
function numericZoneAt(
  tokens: DateToken[],
  from: number,
): { offset: number | null; next: number } | null {
  const sign = tokens[from]
  const value = tokens[from + 1]
  if (sign?.kind !== "sign" || value === undefined) return null
  const minutes = numericOffset(value)
  if (minutes === null) return null
  const next = tokens[from + 2]?.kind === "word" ? from + 3 : from + 2
  if (minutes === 0 && sign.text === "-") return { offset: null, next }
  return { offset: sign.text === "-" ? -minutes : minutes, next }
}

function numericOffset(token: DateToken): number | null {
  if (token.kind === "time" && token.parts.length === 2) {
    const [hours, minutes] = token.parts as [number, number]
    return minutes < 60 ? hours * 60 + minutes : null
  }
  if (token.kind !== "number") return null
  if (token.text.length === 4) {
    const minutes = Number(token.text.slice(2))
    return minutes < 60 ? Number(token.text.slice(0, 2)) * 60 + minutes : null
  }
  if (token.text.length <= 2) return Number(token.text) * 60
  return null
}

function toDate(fields: Fields): Date | null {
  const { year, month, day, hour, minute, second } = fields
  if (month < 0 || month > 11 || day < 1 || day > daysInMonth(year, month)) return null
  if (hour > 23 || minute > 59 || second > 60) return null
  const date = new Date(0)
  date.setUTCFullYear(year, month, day)
  date.setUTCHours(hour, minute, second, 0)
  date.setTime(date.getTime() - (fields.offset ?? 0) * 60_000)
  return Number.isNaN(date.getTime()) ? null : date
}

function daysInMonth(year: number, month: number): number {
  const date = new Date(0)
  date.setUTCFullYear(year, month + 1, 0)
  return date.getUTCDate()
}

/**
 * Writes `date` in the §3.3 form, as seen from `offsetMinutes` east of UTC (default 0,
 * written `+0000`; `null` writes UTC as `-0000`, "zone unknown"):
 * `Thu, 13 Feb 1969 23:32:54 -0330`. Milliseconds are dropped.
 *
 * Throws `LocalProtocolError` for an invalid `Date`, an offset that is not a whole
 * number of minutes within ±99:59, or a year outside 1900–9999 (§3.3 asks for at least
 * 1900 and four digits).
 *
 * @example
 * ```ts
 * formatDate(new Date("1969-02-14T03:02:54Z"), -210)   // "Thu, 13 Feb 1969 23:32:54 -0330"
 * ```
 */
export function formatDate(date: Date, offsetMinutes: number | null = 0): string {
  const offset = offsetMinutes ?? 0
  if (!Number.isInteger(offset) || Math.abs(offset) > MAX_OFFSET_MINUTES) {
    throw new LocalProtocolError("INVALID_DATE", `offset ${offsetMinutes} is not ±99:59 in minutes`)
  }
  const time = date.getTime()
  if (Number.isNaN(time)) throw new LocalProtocolError("INVALID_DATE", "the date is invalid")
  const local = new Date(time + offset * 60_000)
  const year = local.getUTCFullYear()
  if (year < 1900 || year > 9999) {
    throw new LocalProtocolError("INVALID_DATE", `year ${year} cannot be written (1900–9999)`)
  }
  const sign = offsetMinutes === null || offset < 0 ? "-" : "+"
  const abs = Math.abs(offset)
  const zone = `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  const clock = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`
  const day = `${DAY_NAMES[local.getUTCDay()]}, ${local.getUTCDate()}`
  return `${day} ${MONTH_NAMES[local.getUTCMonth()]} ${year} ${clock} ${zone}`
}

function pad(value: number): string {
  return String(value).padStart(2, "0")
}
