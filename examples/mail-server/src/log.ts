/**
 * The server's log: one line per event on stdout, `<ISO time> <source> <event> key=value…`,
 * so a session can be followed with `grep smtp-3`. Values with spaces or quotes are
 * JSON-quoted; CR, LF and other control characters in values from the network are escaped
 * by that quoting, so a client cannot forge a log line.
 *
 * What it does not do: rotate files, filter by level or ship logs anywhere; redirect
 * stdout for that.
 */

/** A field of a log line. `undefined` and `null` fields are left out. */
export type LogValue = string | number | boolean | null | undefined

/** Writes one log line per call. */
export interface Logger {
  /** `source` is who speaks (`smtp-3`, `queue`, `server`), `event` what happened. */
  event(source: string, event: string, fields?: Readonly<Record<string, LogValue>>): void
}

const PLAIN_VALUE = /^[\x21\x23-\x7e]+$/

function formatValue(value: string | number | boolean): string {
  const text = String(value)
  return PLAIN_VALUE.test(text) ? text : JSON.stringify(text)
}

/** The text of one log line (without the newline). */
export function formatLogLine(
  time: Date,
  source: string,
  event: string,
  fields: Readonly<Record<string, LogValue>> = {},
): string {
  const parts = [time.toISOString(), source, event]
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue
    parts.push(`${key}=${formatValue(value)}`)
  }
  return parts.join(" ")
}

/** A logger that writes to `write` (default: stdout), stamping each line with `now()`. */
export function createLogger(
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  now: () => Date = () => new Date(),
): Logger {
  return {
    event(source, event, fields) {
      write(formatLogLine(now(), source, event, fields))
    },
  }
}
