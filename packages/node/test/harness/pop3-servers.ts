/**
 * mailwire POP3 servers for a test file: each serves `backend` on 127.0.0.1 on a free
 * port, with `hostname: "pop.test"`, USER/PASS allowed without TLS and accepted for the
 * password {@link POP3_TEST_PASSWORD}, unless the test says otherwise, and is closed
 * after each test.
 */
import { createPop3Server, type Pop3Server } from "@mailwire/node/pop3"
import {
  InMemoryMaildropStore,
  isMaildropRefusal,
  type Maildrop,
  type MaildropRefusal,
  type MaildropStore,
} from "@mailwire/pop3"
import { afterEach } from "vitest"
import { rawConnection } from "./capture.js"

type RawConnection = Awaited<ReturnType<typeof rawConnection>>

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

/** Logs in as alice with USER/PASS on a raw connection; resolves once the maildrop is open. */
export async function loggedIn(port: number): Promise<RawConnection> {
  const conn = await rawConnection(port)
  await conn.until(/^\+OK/m)
  conn.send(`USER alice\r\nPASS ${POP3_TEST_PASSWORD}\r\n`)
  await conn.until(/^\+OK[^\r]*\r\n\+OK[^\r]*\r\n\+OK maildrop/m)
  return conn
}

/** An in-memory store with `messages` delivered to alice. */
export function storeWith(messages: readonly string[]): InMemoryMaildropStore {
  const store = new InMemoryMaildropStore()
  for (const message of messages) store.deliver("alice", message)
  return store
}

/**
 * A store that opens `inner`'s maildrops and hands out `wrap`'s view of each in their
 * place (refusals pass through): for tests of how the session uses a maildrop's methods.
 */
export abstract class WrappingStore<Inner extends MaildropStore = MaildropStore>
  implements MaildropStore
{
  constructor(readonly inner: Inner) {}

  async open(username: string): Promise<Maildrop | MaildropRefusal> {
    const opened = await this.inner.open(username)
    return isMaildropRefusal(opened) ? opened : this.wrap(opened)
  }

  protected abstract wrap(opened: Maildrop): Maildrop
}
