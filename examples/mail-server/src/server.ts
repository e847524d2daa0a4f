/**
 * The whole mail server, started from a validated configuration: the Maildir store, the
 * outbound queue (recovered from disk and scheduled), the certificate, the two SMTP and
 * two POP3 listeners. `stop()` closes the listeners gracefully (`421` / `-ERR` to open
 * sessions after their current step), then the queue (running deliveries get a grace
 * period), so nothing accepted is lost.
 *
 * What it does not do: read the configuration or handle signals (`main.ts` does).
 */
import { join } from "node:path"
import { MaildirStore } from "@mailwire/maildir"
import type { SmtpClient } from "@mailwire/node/smtp"
import { Accounts } from "./accounts.js"
import type { ServerConfig } from "./config.js"
import { Delivery } from "./delivery.js"
import type { Logger } from "./log.js"
import { attemptDelivery } from "./outbound.js"
import { createPop3Listener } from "./pop3.js"
import { OutboundQueue } from "./queue.js"
import { createSmtpListener } from "./smtp.js"
import { serverCertificate } from "./tls.js"

/** The ports actually bound (a configured 0 gets a free one). */
export interface BoundPorts {
  readonly smtp: number
  readonly submission: number
  readonly pop3: number
  readonly pop3s: number
}

/** A running mail server. */
export interface RunningServer {
  readonly ports: BoundPorts
  /** The certificate clients must trust (self-signed unless configured). */
  readonly certPath: string
  /** Messages waiting in the outbound queue at start. */
  readonly queuedAtStart: number
  stop(): Promise<void>
}

/** Starts every part of the server; resolves once all listeners are bound. */
export async function startServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  const certificate = serverCertificate(config.tls, config.dataDir, config.hostname)
  if (certificate.madeBy === "node:crypto") {
    log.event("server", "openssl-not-found", {
      note: "openssl is not on the PATH; the self-signed certificate was made with node:crypto",
    })
  }
  if (certificate.madeBy !== null) {
    log.event("server", "certificate-created", {
      path: certificate.certPath,
      by: certificate.madeBy,
    })
  }
  const tls = { key: certificate.key, cert: certificate.cert }
  const accounts = new Accounts(config)
  const store = new MaildirStore({ root: join(config.dataDir, "mail"), hostname: config.hostname })
  for (const user of config.users) await store.createUser(user.name)
  const clients = new Set<SmtpClient>()
  let delivery: Delivery | null = null
  const queue = new OutboundQueue({
    dir: join(config.dataDir, "queue"),
    retryDelaysMs: config.queue.retryDelaysMs,
    log,
    attempt: (entry, path) =>
      attemptDelivery(entry, path, {
        hostname: config.hostname,
        relay: config.relay,
        mxPort: config.queue.mxPort,
        clients,
      }),
    bounce: (entry, path) => delivery!.bounce(entry, path),
  })
  delivery = new Delivery({
    dataDir: config.dataDir,
    hostname: config.hostname,
    store,
    queue,
    accounts,
    log,
  })
  await delivery.open()
  const smtpDeps = { config, accounts, delivery, tls, log }
  const pop3Deps = { config, accounts, store, tls, log }
  const listeners = {
    smtp: createSmtpListener("mx", smtpDeps),
    submission: createSmtpListener("submission", smtpDeps),
    pop3: createPop3Listener(false, pop3Deps),
    pop3s: createPop3Listener(true, pop3Deps),
  }
  const host = config.listen.host
  const bound: Partial<Record<keyof BoundPorts, number>> = {}
  try {
    for (const name of ["smtp", "submission", "pop3", "pop3s"] as const) {
      const address = await listeners[name].listen(config.listen[name], host)
      bound[name] = address.port
      log.event("server", "listening", { listener: name, host, port: address.port })
    }
  } catch (error) {
    await Promise.all(Object.values(listeners).map((l) => l.close()))
    throw error
  }
  const queuedAtStart = await queue.open()
  if (queuedAtStart > 0) log.event("queue", "recovered", { messages: queuedAtStart })
  let stopping: Promise<void> | null = null
  return {
    ports: bound as BoundPorts,
    certPath: certificate.certPath,
    queuedAtStart,
    stop() {
      stopping ??= (async () => {
        await Promise.all(Object.values(listeners).map((l) => l.close()))
        await queue.close(() => {
          for (const client of clients) client.close()
        })
      })()
      return stopping
    },
  }
}
