/**
 * The POP3 listeners (RFC 1939) over the Maildir store: `listen.pop3` (2110) with STLS
 * (RFC 2595) and `listen.pop3s` (2995) with implicit TLS (RFC 8314). USER/PASS, PLAIN and
 * LOGIN are offered only under TLS (DESIGN §4 invariant 3). A login name may be the user
 * name or one of the user's addresses; either opens the user's Maildir. The maildrop is
 * locked for the session and deletions happen at QUIT (`@mailwire/maildir`).
 *
 * Each session event (connect, STLS, logins, RETR/TOP, the QUIT commit, close) gets a log
 * line, from the server's structured `onLog` entries. What it does not do: APOP (it
 * needs the plain password, which the server does not keep).
 */
import type { MaildirStore } from "@mailwire/maildir"
import { createPop3Server, type Pop3Server } from "@mailwire/node/pop3"
import type { Accounts } from "./accounts.js"
import type { ServerConfig } from "./config.js"
import { type Logger, pop3LogLine } from "./log.js"

/** What the POP3 listeners need. */
export interface Pop3Dependencies {
  readonly config: ServerConfig
  readonly accounts: Accounts
  readonly store: MaildirStore
  readonly tls: { readonly key: string; readonly cert: string }
  readonly log: Logger
}

/** Creates one POP3 listener (not yet listening); `secure` is implicit TLS. */
export function createPop3Listener(secure: boolean, deps: Pop3Dependencies): Pop3Server {
  const { accounts, store, log } = deps
  const hasSha256 = deps.config.users.some((u) => u.credentials.algorithm === "SHA-256")
  return createPop3Server({
    hostname: deps.config.hostname,
    secure,
    tls: { key: deps.tls.key, cert: deps.tls.cert },
    maxConnections: deps.config.limits.maxConnections,
    saslMechanisms: hasSha256 ? ["SCRAM-SHA-256", "PLAIN", "LOGIN"] : ["PLAIN", "LOGIN"],
    backend: {
      open: (login) => store.open(accounts.user(login)?.name ?? login),
    },
    onAuth: (request) => accounts.verify(request),
    onLog(entry) {
      const line = pop3LogLine(entry, secure ? "pop3s" : "pop3")
      log.event(entry.sessionId, line.event, line.fields)
    },
    onError(error, session) {
      log.event(session?.id ?? "pop3", "error", { error: error.message })
    },
  })
}
