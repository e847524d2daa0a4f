/**
 * A benchmark SMTP client in its own process:
 * `node .build/smtp/client.js <kind> <port> <messages> <connections> <bodyBytes> [inFlight] [warmUp] [warmUpSteps]`
 * (bundled by `processes.ts`; or this file through tsx).
 *
 * - `mailwire-pipelining`: `connections` `SmtpClient`s from `@mailwire/node/smtp` with
 *   PIPELINING on (MAIL, RCPT and DATA in one round trip, RFC 2920), each kept busy with
 *   the next messages queued behind the current one; the load generator of the pipelining
 *   rows.
 * - `mailwire-pool`: `createTransport({ pool: true })` with `maxConnections` =
 *   `connections` and every other pool setting at its default.
 * - `nodemailer-pool`: nodemailer 10.6.1's `createTransport({ pool: true })`, the same.
 * - `node-floor`: bare `net` connections sending one message per round trip
 *   (`floors/smtp-client.ts`), the least a Node client can spend on this wire.
 *
 * The pooled clients get the same raw message (no MIME building) and the same number of
 * `sendMail` calls in flight (`inFlight`). With `warmUp`, the pools and the floor first send
 * that many messages on a transport (or connections) of their own, closed before the measured
 * run, so the JIT's warm-up is not in the figures, as the servers get theirs; the pipelining
 * generator never warms up (its messages count against the server it loads). Prints one JSON
 * line: wall and CPU seconds of the measured sending alone (connecting included, loading the
 * code and the warm-up not), and for the pools the wall-clock µs per message of each of
 * `warmUpSteps` equal steps of the warm-up, which shows how long the JIT takes to settle
 * in a fresh process.
 */
import { createTransport, SmtpClient } from "@mailwire/node/smtp"
import nodemailer from "nodemailer"
import { floorSend } from "../floors/smtp-client.js"
import { startCpuProfile } from "./cpu-profile.js"
import { FROM, messageText, TO } from "./message.js"

/**
 * Messages in flight per pipelining connection: the one on the wire and two behind it, so
 * the next one is already queued when a body goes out and its MAIL, RCPT and DATA can go in
 * the same write (RFC 2920 §3.1).
 */
const QUEUED_PER_CONNECTION = 3

const [
  kind = "",
  portText = "",
  messagesText = "",
  connectionsText = "",
  bodyText = "",
  inFlightText = "1",
  warmUpText = "0",
  warmUpStepsText = "1",
] = process.argv.slice(2)
const port = Number(portText)
const messages = Number(messagesText)
const connections = Number(connectionsText)
const inFlight = Number(inFlightText)
const warmUp = Number(warmUpText)
const warmUpSteps = Number(warmUpStepsText)
const raw = new TextEncoder().encode(messageText(Number(bodyText)))
const envelope = { from: FROM, to: [TO] }

/** Called after each message a client has finished sending. */
type OnSent = () => void

/**
 * Counts finished messages and notes the wall-clock µs per message of every `step` of
 * them, from the moment it is made.
 */
class StepClock {
  readonly microsPerMessage: number[] = []
  private sent = 0
  private since = performance.now()

  constructor(private readonly step: number) {}

  readonly onSent: OnSent = () => {
    this.sent++
    if (this.sent % this.step !== 0) return
    const now = performance.now()
    this.microsPerMessage.push(((now - this.since) * 1000) / this.step)
    this.since = now
  }
}

/** Runs `send` `count` times with at most `parallel` calls pending. */
async function drive(
  count: number,
  parallel: number,
  send: (n: number) => Promise<unknown>,
  onSent?: OnSent,
): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < count) {
      await send(next++)
      onSent?.()
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker))
}

async function pipelining(count: number): Promise<void> {
  const clients = Array.from(
    { length: connections },
    () => new SmtpClient({ host: "127.0.0.1", port, startTls: "never", pipelining: true }),
  )
  await Promise.all(clients.map((client) => client.connect()))
  let next = 0
  const session = async (client: SmtpClient) => {
    const worker = async () => {
      while (next < count) {
        next++
        await client.send({ from: FROM, to: [TO], body: raw })
      }
    }
    await Promise.all(Array.from({ length: QUEUED_PER_CONNECTION }, worker))
    await client.quit()
  }
  await Promise.all(clients.map(session))
}

async function mailwirePool(count: number, onSent?: OnSent): Promise<void> {
  const transport = createTransport({
    host: "127.0.0.1",
    port,
    startTls: "never",
    pool: true,
    maxConnections: connections,
  })
  await drive(count, inFlight, () => transport.sendMail({ raw, envelope }), onSent)
  await transport.close()
}

async function nodemailerPool(count: number, onSent?: OnSent): Promise<void> {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: connections,
  })
  const body = Buffer.from(raw)
  await drive(count, inFlight, () => transport.sendMail({ raw: body, envelope }), onSent)
  transport.close()
}

/**
 * Each kind's sending of `count` messages; `warms` when it takes a warm-up first. A kind
 * that calls `onSent` per message gets its warm-up's steps timed (the pools do; the floor
 * counts replies on its own connections, not calls).
 */
const runs: Record<
  string,
  { send: (count: number, onSent?: OnSent) => Promise<void>; warms: boolean }
> = {
  "mailwire-pipelining": { send: pipelining, warms: false },
  "mailwire-pool": { send: mailwirePool, warms: true },
  "nodemailer-pool": { send: nodemailerPool, warms: true },
  "node-floor": {
    send: (count) => floorSend(port, count, connections, raw, { from: FROM, to: TO }),
    warms: true,
  },
}
const chosen = runs[kind]
if (chosen === undefined) throw new Error(`unknown client kind ${kind}`)
const warmUpClock = new StepClock(Math.max(1, Math.floor(warmUp / warmUpSteps)))
if (chosen.warms && warmUp > 0) await chosen.send(warmUp, warmUpClock.onSent)
const run = () => chosen.send(messages)
const writeProfile = await startCpuProfile()
const cpuBefore = process.cpuUsage()
const started = performance.now()
await run()
const seconds = (performance.now() - started) / 1000
const cpu = process.cpuUsage(cpuBefore)
await writeProfile()
process.stdout.write(
  `${JSON.stringify({
    kind,
    messages,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    warmUpMicrosPerMessage: warmUpClock.microsPerMessage,
  })}\n`,
)
