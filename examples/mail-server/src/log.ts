/**
 * The server's log: one line per event on stdout, `<ISO time> <source> <event> key=value…`,
 * so a session can be followed with `grep smtp-3`. Values with spaces or quotes are
 * JSON-quoted; CR, LF and other control characters in values from the network are escaped
 * by that quoting, so a client cannot forge a log line.
 *
 * The SMTP and POP3 listeners' lines come from `@mailwire/node`'s structured `onLog`
 * entries (`smtpLogLine`, `pop3LogLine`), which never carry a password or message content.
 *
 * What it does not do: rotate files, filter by level or ship logs anywhere; redirect
 * stdout for that.
 */
import type { Pop3LogEntry } from "@mailwire/node/pop3"
import type { SmtpLogEntry } from "@mailwire/node/smtp"

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

/** A log line's event name and fields, before the time and source are added. */
export interface LogLine {
  readonly event: string
  readonly fields: Readonly<Record<string, LogValue>>
}

const mailbox = (address: string) => (address === "" ? "<>" : address)

/**
 * The log line of an SMTP listener's `onLog` entry (`@mailwire/node`). `listener` names
 * the listener on `connect`; `reason` is why the application refused MAIL or RCPT, when
 * it said. Entries carry no password or message content, so neither do the lines.
 */
export function smtpLogLine(entry: SmtpLogEntry, listener: string, reason?: string): LogLine {
  switch (entry.type) {
    case "connect": {
      const remote = `${entry.remoteAddress}:${entry.remotePort}`
      return { event: "connect", fields: { listener, remote, tls: entry.isSecure } }
    }
    case "helo":
      return { event: "helo", fields: { verb: entry.verb, name: entry.hostname } }
    case "startTls":
      return { event: "starttls", fields: {} }
    case "authSuccess":
      return { event: "auth-ok", fields: { mechanism: entry.mechanism, user: entry.user } }
    case "authFailure": {
      const { mechanism, failures } = entry
      return { event: "auth-failed", fields: { mechanism, reason: entry.reason, failures } }
    }
    case "mailFrom": {
      const fields = { from: mailbox(entry.address), reason, code: entry.code }
      return { event: entry.accepted ? "mail-from" : "mail-refused", fields }
    }
    case "rcptTo": {
      const fields = { to: entry.address, reason, code: entry.code }
      return { event: entry.accepted ? "rcpt" : "rcpt-refused", fields }
    }
    case "message": {
      const { size, code, recipients } = entry
      return {
        event: entry.accepted ? "message" : "message-refused",
        fields: { size, recipients, code },
      }
    }
    case "protocolError":
      return { event: "protocol-error", fields: { code: entry.code, error: entry.message } }
    case "close":
      return { event: "close", fields: { reason: entry.reason } }
  }
}

/** The log line of a POP3 listener's `onLog` entry; `listener` is named on connect and logins. */
export function pop3LogLine(entry: Pop3LogEntry, listener: string): LogLine {
  switch (entry.type) {
    case "connect": {
      const remote = `${entry.remoteAddress}:${entry.remotePort}`
      return { event: "connect", fields: { listener, remote, tls: entry.isSecure } }
    }
    case "startTls":
      return { event: "stls", fields: {} }
    case "loginSuccess": {
      const { user, method, mechanism, messages } = entry
      return { event: "auth-ok", fields: { listener, user, method, mechanism, messages } }
    }
    case "loginFailure": {
      const { user, method, reason } = entry
      return { event: "auth-failed", fields: { listener, user, method, reason } }
    }
    case "retrieve": {
      const { command, number, size, ok } = entry
      return { event: "retrieve", fields: { command, number, size, ok } }
    }
    case "commit":
      return { event: "commit", fields: { user: entry.user, deleted: entry.deleted, ok: entry.ok } }
    case "close":
      return { event: "close", fields: { reason: entry.reason } }
  }
}
