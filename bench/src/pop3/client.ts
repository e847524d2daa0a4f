/**
 * mailwire's `Pop3Client` in its own process:
 * `node .build/pop3/client.js <port> <messages>` (bundled by `../smtp/processes.ts`) logs in (USER/PASS, no TLS), retrieves
 * messages 1…`messages` one RETR after another, and quits. Prints one JSON line with the
 * wall and CPU seconds of the retrieval (connect and login included, loading the code
 * not) and the octets received, so the caller can check every message arrived whole.
 */
import { Pop3Client } from "@mailwire/node/pop3"
import { PASSWORD, USER } from "./account.js"

const port = Number(process.argv[2])
const messages = Number(process.argv[3])
const cpuBefore = process.cpuUsage()
const started = performance.now()
const client = new Pop3Client({
  host: "127.0.0.1",
  port,
  startTls: "never",
  allowPlaintextAuth: true,
})
await client.connect()
await client.login(USER, PASSWORD)
let octets = 0
for (let n = 1; n <= messages; n++) octets += (await client.retrieve(n)).length
await client.quit()
const seconds = (performance.now() - started) / 1000
const cpu = process.cpuUsage(cpuBefore)
process.stdout.write(
  `${JSON.stringify({ messages, octets, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`,
)
