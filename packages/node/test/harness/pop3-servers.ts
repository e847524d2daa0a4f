/**
 * mailwire POP3 servers for a test file: each serves `backend` on 127.0.0.1 on a free
 * port, with `hostname: "pop.test"`, USER/PASS allowed without TLS and accepted for the
 * password {@link POP3_TEST_PASSWORD}, unless the test says otherwise, and is closed
 * after each test.
 */
import { createPop3Server, type Pop3Server } from "@mailwire/node/pop3"
import type { MaildropStore } from "@mailwire/pop3"
import { afterEach } from "vitest"

/** The password every test user logs in with. */
export const POP3_TEST_PASSWORD = "secret"

type Pop3ServerOptions = Parameters<typeof createPop3Server>[0]

/** Registers the clean-up for this file and returns the function that starts a server. */
export function pop3ServerStarter(): (
  backend: MaildropStore,
  options?: Partial<Pop3ServerOptions>,
) => Promise<{ server: Pop3Server; port: number }> {
  const servers: Pop3Server[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()))
  })
  return async (backend, options = {}) => {
    const server = createPop3Server({
      backend,
      hostname: "pop.test",
      allowInsecureAuth: true,
      onAuth: (request) => request.kind === "password" && request.password === POP3_TEST_PASSWORD,
      ...options,
    })
    servers.push(server)
    const { port } = await server.listen(0, "127.0.0.1")
    return { server, port }
  }
}
