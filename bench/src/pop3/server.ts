/**
 * mailwire's POP3 server in its own process: `node --import tsx server.ts <root>` serves
 * the Maildirs under `<root>` with `createPop3Server` from `@mailwire/node/pop3` over
 * `MaildirStore` from `@mailwire/maildir`. One user (`USER`/`PASSWORD` below), USER/PASS
 * allowed without TLS as the Dovecot it is compared with is set up. Prints
 * `READY <port>` once listening on 127.0.0.1; SIGTERM exits, first writing the CPU
 * profile when `BENCH_CPU_PROFILE` asks for one.
 */
import { MaildirStore } from "@mailwire/maildir"
import { createPop3Server } from "@mailwire/node/pop3"
import { startCpuProfile } from "../smtp/cpu-profile.js"
import { PASSWORD, USER } from "./account.js"

const root = process.argv[2]
if (root === undefined) throw new Error("usage: server.ts <maildir root>")
const server = createPop3Server({
  backend: new MaildirStore({ root }),
  hostname: "bench.localhost",
  allowInsecureAuth: true,
  onAuth: (request) =>
    request.kind === "password" ? request.username === USER && request.password === PASSWORD : null,
})
const address = await server.listen(0, "127.0.0.1")
const writeProfile = await startCpuProfile()
process.once("SIGTERM", () => {
  writeProfile().finally(() => process.exit(0))
})
process.stdout.write(`READY ${address.port}\n`)
