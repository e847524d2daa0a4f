/** Shared by the floors: listen on a free port of 127.0.0.1 and resolve with it. */
import type { Server } from "node:net"

export function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      if (address !== null && typeof address === "object") resolve(address.port)
      else reject(new Error("the floor server has no address"))
    })
  })
}
