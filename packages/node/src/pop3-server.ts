/**
 * `createPop3Server`: a POP3 server (RFC 1939) on `node:net` over any `MaildropStore`,
 * with implicit TLS (RFC 8314, port 995) or STLS (RFC 2595), USER/PASS, SASL AUTH
 * (RFC 5034) and optional APOP through an `onAuth` hook, a connection limit, an
 * autologout timer and graceful close (`-ERR [SYS/TEMP]`, nothing deleted).
 *
 * What it does not do: store mail; the backend does.
 */
import type { AddressInfo } from "node:net"
import { encodeUtf8 } from "@mailwire/wire"
import { Listener } from "./listener.js"
import { parseOptions } from "./options.js"
import { type Pop3ServerOptions, pop3ServerOptionsSchema } from "./pop3-server-options.js"
import { Pop3ServerSession } from "./pop3-server-session.js"
import { serverTlsContexts } from "./tls-options.js"

/** A running (or not yet listening) POP3 server. */
export interface Pop3Server {
  /** Starts listening; port 0 picks a free port. Resolves with the bound address. */
  listen(port: number, host?: string): Promise<AddressInfo>
  /** Stops accepting, says `-ERR` to every session, and resolves when all are closed. */
  close(): Promise<void>
  /** The bound address, or `null` before `listen` resolved. */
  address(): AddressInfo | null
  /** Open connections now. */
  readonly connections: number
}

/**
 * Creates a POP3 server. Throws a `TypeError` naming the field for a bad option.
 *
 * @example
 * ```ts
 * const backend = new InMemoryMaildropStore()
 * const server = createPop3Server({ backend, tls: { key, cert }, onAuth: (r) => r.kind === "password" && r.password === "secret" })
 * await server.listen(1100)
 * ```
 */
export function createPop3Server(options: Pop3ServerOptions): Pop3Server {
  const resolved = parseOptions(
    pop3ServerOptionsSchema.refine((o) => !o.secure || o.tls !== undefined, {
      message: "secure: true needs tls (a key and certificate)",
      path: ["tls"],
    }),
    options,
    "createPop3Server",
  )
  const tls = resolved.tls === undefined ? null : serverTlsContexts(resolved.tls)
  const listener = new Listener({
    maxConnections: resolved.maxConnections,
    closeTimeout: resolved.closeTimeout,
    busyReply: () => encodeUtf8("-ERR [SYS/TEMP] Too many connections, try again later\r\n"),
    startSession: (socket) => new Pop3ServerSession(socket, resolved, tls),
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
