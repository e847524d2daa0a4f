/**
 * `createSmtpServer`: an SMTP (RFC 5321) or LMTP (RFC 2033) server on `node:net`, with
 * implicit TLS (RFC 8314) or STARTTLS (RFC 3207), AUTH (RFC 4954) through an `onAuth`
 * hook, async hooks for each step of a transaction, a connection limit and graceful
 * close (`421`, RFC 5321 §3.8).
 *
 * What it does not do: store or relay mail — `onData` gets each message as a stream and
 * decides. No greeting delay and no reverse DNS unless `reverseLookup` is on.
 */
import type { AddressInfo } from "node:net"
import { formatReply } from "@mailwire/smtp"
import { Listener } from "./listener.js"
import { parseOptions } from "./options.js"
import { machineOptionsFor } from "./smtp-machine-options.js"
import { type SmtpServerOptions, smtpServerOptionsSchema } from "./smtp-server-options.js"
import { SmtpServerSession } from "./smtp-server-session.js"
import { serverTlsContexts } from "./tls-options.js"

/** A running (or not yet listening) SMTP server. */
export interface SmtpServer {
  /** Starts listening; port 0 picks a free port. Resolves with the bound address. */
  listen(port: number, host?: string): Promise<AddressInfo>
  /**
   * Stops accepting, answers every open session with `421` once its current step is
   * done, and resolves when all connections are closed (or `closeTimeout` passed).
   */
  close(): Promise<void>
  /** The bound address, or `null` before `listen` resolved. */
  address(): AddressInfo | null
  /** Open connections now. */
  readonly connections: number
}

/**
 * Creates an SMTP or LMTP server. Throws a `TypeError` naming the field for a bad option.
 *
 * @example
 * ```ts
 * const server = createSmtpServer({
 *   hostname: "mx.example.com",
 *   async onData(envelope, stream) {
 *     for await (const chunk of stream) store(chunk)
 *   },
 * })
 * await server.listen(2525)
 * ```
 */
export function createSmtpServer(options: SmtpServerOptions = {}): SmtpServer {
  const resolved = parseOptions(
    smtpServerOptionsSchema.refine((o) => !o.secure || o.tls !== undefined, {
      message: "secure: true needs tls (a key and certificate)",
      path: ["tls"],
    }),
    options,
    "createSmtpServer",
  )
  const tls = resolved.tls === undefined ? null : serverTlsContexts(resolved.tls)
  const machineOptions = machineOptionsFor(resolved, tls !== null)
  const listener = new Listener({
    maxConnections: resolved.maxConnections,
    closeTimeout: resolved.closeTimeout,
    busyReply: () =>
      formatReply({
        code: 421,
        enhancedCode: "4.7.0",
        text: `${resolved.hostname} Too many connections, try again later`,
      }),
    startSession: (socket) => new SmtpServerSession(socket, resolved, tls, machineOptions),
  })
  return {
    listen: (port, host) => listener.listen(port, host),
    close: () => listener.close(),
    address: () => listener.address(),
    get connections() {
      return listener.connections
    },
  }
}
