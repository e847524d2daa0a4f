/**
 * mailwire SMTP servers for a test file: each listens on 127.0.0.1 on a free port, with
 * `hostname: "mx.test"` unless the test says otherwise, and is closed after each test.
 */
import { createSmtpServer, type SmtpServer, type SmtpServerOptions } from "@mailwire/node/smtp"
import { afterEach } from "vitest"

/** Registers the clean-up for this file and returns the function that starts a server. */
export function smtpServerStarter(): (
  options?: SmtpServerOptions,
) => Promise<{ server: SmtpServer; port: number }> {
  const servers: SmtpServer[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()))
  })
  return async (options = {}) => {
    const server = createSmtpServer({ hostname: "mx.test", ...options })
    servers.push(server)
    const { port } = await server.listen(0, "127.0.0.1")
    return { server, port }
  }
}
