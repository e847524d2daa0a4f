/**
 * The two SMTP listeners:
 *
 * - **MX** (`listen.smtp`, 2525): how other servers reach our users (RFC 5321). No AUTH;
 *   STARTTLS offered (RFC 3207). Recipients must be local (`550 5.1.1` for an unknown
 *   user of a local domain); any other domain is relaying and refused with `554 5.7.1`.
 * - **Submission** (`listen.submission`, 2587): how our users send (RFC 6409). STARTTLS,
 *   then AUTH (PLAIN, LOGIN, SCRAM; never offered before TLS, DESIGN §4 invariant 3),
 *   required before MAIL (`530 5.7.0`). The sender must be one of the user's own
 *   addresses (`553 5.7.1` otherwise, as Postfix's `reject_sender_login_mismatch`), so a
 *   bounce can always reach them. Local recipients are delivered, others queued.
 *
 * Each session event gets a log line, from the server's structured `onLog` entries (with
 * the reason of each refusal this file makes). What it does not do: store anything itself
 * (`delivery.ts`) or offer implicit-TLS submission on 465 (RFC 8314).
 */
import { createSmtpServer, type SmtpServer } from "@mailwire/node/smtp"
import type { Accounts } from "./accounts.js"
import type { ServerConfig } from "./config.js"
import type { Delivery } from "./delivery.js"
import { type Logger, smtpLogLine } from "./log.js"

/** Which of the two listeners. */
export type SmtpRole = "mx" | "submission"

/** What the SMTP listeners need. */
export interface SmtpDependencies {
  readonly config: ServerConfig
  readonly accounts: Accounts
  readonly delivery: Delivery
  readonly tls: { readonly key: string; readonly cert: string }
  readonly log: Logger
}

/** The SASL mechanisms offered on submission: SCRAM for each algorithm in use, then PLAIN and LOGIN. */
export function submissionMechanisms(
  config: Pick<ServerConfig, "users">,
): ("SCRAM-SHA-256" | "SCRAM-SHA-1" | "PLAIN" | "LOGIN")[] {
  const algorithms = new Set(config.users.map((u) => u.credentials.algorithm))
  const scram: ("SCRAM-SHA-256" | "SCRAM-SHA-1")[] = []
  if (algorithms.has("SHA-256")) scram.push("SCRAM-SHA-256")
  if (algorithms.has("SHA-1")) scram.push("SCRAM-SHA-1")
  return [...scram, "PLAIN", "LOGIN"]
}

/** Creates one of the SMTP listeners (not yet listening). */
export function createSmtpListener(role: SmtpRole, deps: SmtpDependencies): SmtpServer {
  const { config, accounts, delivery, log } = deps
  const isSubmission = role === "submission"
  // Why a hook refused the MAIL or RCPT now being answered, by session id: its `onLog`
  // entry comes right after the hook returns, and takes the reason into the same line.
  const reasons = new Map<string, string>()
  const refuse = <T>(sessionId: string, reason: string, reply: T): T => {
    reasons.set(sessionId, reason)
    return reply
  }
  return createSmtpServer({
    hostname: config.hostname,
    tls: { key: deps.tls.key, cert: deps.tls.cert },
    size: config.limits.messageSize,
    maxRecipients: config.limits.maxRecipients,
    maxConnections: config.limits.maxConnections,
    requireAuth: isSubmission,
    // Neither is implemented here: DSN's NOTIFY/RET (RFC 3461) are not honoured, and
    // REQUIRETLS (RFC 8689) would promise TLS on every onward hop.
    extensions: { dsn: false, requireTls: false },
    ...(isSubmission
      ? {
          authMechanisms: submissionMechanisms(config),
          onAuth: (request) => accounts.verify(request),
        }
      : {}),
    onLog(entry) {
      const reason = reasons.get(entry.sessionId)
      reasons.delete(entry.sessionId)
      const line = smtpLogLine(entry, role, reason)
      log.event(entry.sessionId, line.event, line.fields)
    },
    onMailFrom(address, session) {
      if (isSubmission && session.user !== null) {
        const user = accounts.user(session.user)
        if (user === null || !accounts.maySendAs(user.name, address)) {
          return refuse(session.id, "sender-mismatch", {
            code: 553,
            enhancedCode: "5.7.1",
            text: `Sender address is not owned by user ${session.user}`,
          })
        }
      }
      return undefined
    },
    onRcptTo(address, session) {
      if (accounts.isLocalDomain(address)) {
        if (accounts.recipients(address).length > 0) return undefined
        return refuse(session.id, "unknown-user", {
          code: 550,
          enhancedCode: "5.1.1",
          text: "No such user here",
        })
      }
      if (session.user !== null) return undefined
      return refuse(session.id, "relay-denied", {
        code: 554,
        enhancedCode: "5.7.1",
        text: "Relay access denied",
      })
    },
    async onData(envelope, stream, session) {
      const localUsers = new Set<string>()
      const remote: string[] = []
      for (const to of envelope.to) {
        if (accounts.isLocalDomain(to)) {
          for (const user of accounts.recipients(to)) localUsers.add(user)
        } else {
          remote.push(to)
        }
      }
      const id = await delivery.receive(
        { from: envelope.from, recipients: envelope.to, localUsers: [...localUsers], remote },
        stream,
        {
          clientHostname: session.clientHostname,
          remoteAddress: session.remoteAddress,
          isSecure: session.isSecure,
          isAuthenticated: session.user !== null,
        },
      )
      log.event(session.id, "accepted", {
        id,
        from: envelope.from === "" ? "<>" : envelope.from,
        to: envelope.to.join(","),
        local: localUsers.size,
        queued: remote.length,
      })
    },
    onClose(session) {
      reasons.delete(session.id)
    },
    onError(error, session) {
      log.event(session?.id ?? role, "error", { error: error.message })
    },
  })
}
