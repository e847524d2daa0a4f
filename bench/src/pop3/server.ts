/**
 * A benchmark POP3 server in its own process: `node .build/pop3/server.js <root> [floor]`
 * (bundled by `../smtp/processes.ts`; or this file through tsx).
 * By default it serves the Maildirs under `<root>` with `createPop3Server` from
 * `@mailwire/node/pop3` over `MaildirStore` from `@mailwire/maildir`: one user
 * (`USER`/`PASSWORD` below), USER/PASS allowed without TLS as the Dovecot it is compared
 * with is set up. With `floor` it runs the bare `net` responder of
 * `floors/pop3-server.ts` on `<root>/<USER>` instead, the least a Node server can spend.
 * Prints `READY <port>` once listening on 127.0.0.1; SIGTERM exits, first writing the
 * CPU profile when `BENCH_CPU_PROFILE` asks for one.
 */
import { join } from "node:path"
import { MaildirStore } from "@mailwire/maildir"
import { createPop3Server } from "@mailwire/node/pop3"
import { startFloorPop3Server } from "../floors/pop3-server.js"
import { startCpuProfile } from "../smtp/cpu-profile.js"
import { PASSWORD, USER } from "./account.js"

async function startMailwire(root: string): Promise<number> {
  const server = createPop3Server({
    backend: new MaildirStore({ root }),
    hostname: "bench.localhost",
    allowInsecureAuth: true,
    onAuth: (request) =>
      request.kind === "password"
        ? request.username === USER && request.password === PASSWORD
        : null,
  })
  const address = await server.listen(0, "127.0.0.1")
  return address.port
}

const [root, kind = "mailwire"] = process.argv.slice(2)
if (root === undefined) throw new Error("usage: server.ts <maildir root> [floor]")
const port =
  kind === "floor" ? await startFloorPop3Server(join(root, USER)) : await startMailwire(root)
const writeProfile = await startCpuProfile()
process.once("SIGTERM", () => {
  writeProfile().finally(() => process.exit(0))
})
process.stdout.write(`READY ${port}\n`)
