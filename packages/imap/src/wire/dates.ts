/**
 * The text of IMAP dates (RFC 9051 §9 `date-time`, `date`), once the decoder has read the
 * quoted string or atom that holds it. Pure functions; they keep nothing.
 */
import { syntaxError } from "../errors.js"
import type { CalendarDate, DateTime } from "../types.js"

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
const DATE_TIME = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/
const DATE = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/

/** `date-day-fixed "-" date-month "-" date-year SP time SP zone`, or a `SYNTAX` error. */
export function parseDateTime(text: string): DateTime {
  const m = DATE_TIME.exec(text)
  const month = m ? MONTHS.indexOf(m[2]!.toUpperCase()) : -1
  if (!m || month < 0) throw syntaxError(`invalid date-time "${text}"`)
  const offsetMinutes = (m[7] === "-" ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]))
  const utc = Date.UTC(+m[3]!, month, +m[1]!, +m[4]!, +m[5]!, +m[6]!) - offsetMinutes * 60_000
  return { date: new Date(utc), offsetMinutes }
}

/** `date-text = date-day "-" date-month "-" date-year`, or a `SYNTAX` error. */
export function parseDate(text: string): CalendarDate {
  const m = DATE.exec(text)
  const month = m ? MONTHS.indexOf(m[2]!.toUpperCase()) + 1 : 0
  if (!m || month === 0) throw syntaxError(`invalid date "${text}"`)
  return { year: Number(m[3]), month, day: Number(m[1]) }
}
