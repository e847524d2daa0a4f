/**
 * Bare `net` servers for a test file — scripted peers that answer as a test says — each
 * listening on 127.0.0.1 on a free port and closed after each test.
 */
import { createServer, type Socket } from "node:net"
import { afterEach } from "vitest"

/** Registers the clean-up for this file and returns the function that starts a server. */
export function netServerStarter(): (onConnection: (socket: Socket) => void) => Promise<number> {
  const servers: ReturnType<typeof createServer>[] = []
  afterEach(async () => {
    await Promise.all(
      servers
        .splice(0)
        .map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    )
  })
  return async (onConnection) => {
    const server = createServer(onConnection)
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
    const address = server.address()
    if (address === null || typeof address === "string") throw new Error("no port")
    return address.port
  }
}
