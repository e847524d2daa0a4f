/**
 * mailwire's `Pop3Client` in its own process:
 * `node .build/pop3/client.js <port> <messages> [warmUpSessions]` (bundled by
 * `../smtp/processes.ts`) logs in (USER/PASS, no TLS), retrieves messages 1…`messages`
 * one RETR after another, and quits; first `warmUpSessions` times unmeasured, so V8 has
 * optimized the per-message code before the measured session, as the SMTP clients get
 * their warm-up. Prints one JSON line with the wall and CPU seconds of the measured
 * session (connect and login included, loading the code not), the octets received, so
 * the caller can check every message arrived whole, and the wall-clock µs per message of
 * each warm-up session.
 */
import { Pop3Client } from "@mailwire/node/pop3"
import { PASSWORD, USER } from "./account.js"

const port = Number(process.argv[2])
const messages = Number(process.argv[3])
const warmUpSessions = Number(process.argv[4] ?? "0")

/** One session: connect, log in, RETR 1…`messages`, quit; the octets received. */
async function retrieveAll(): Promise<number> {
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
  return octets
}

const warmUpMicrosPerMessage: number[] = []
for (let session = 0; session < warmUpSessions; session++) {
  const started = performance.now()
  await retrieveAll()
  warmUpMicrosPerMessage.push(((performance.now() - started) * 1000) / messages)
}
const cpuBefore = process.cpuUsage()
const started = performance.now()
const octets = await retrieveAll()
const seconds = (performance.now() - started) / 1000
const cpu = process.cpuUsage(cpuBefore)
process.stdout.write(
  `${JSON.stringify({
    messages,
    octets,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    warmUpMicrosPerMessage,
  })}\n`,
)
