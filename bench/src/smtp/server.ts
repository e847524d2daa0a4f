/**
 * A benchmark SMTP server in its own process (`node .build/smtp/server.js <kind>`, bundled
 * by `processes.ts`; `node --import tsx server.ts <kind>` from source) with kind
 * `mailwire` (`createSmtpServer` from `@mailwire/node/smtp`), `smtp-server` (smtp-server
 * 3.21.6) or `node-floor` (the bare `net` responder of `floors/smtp-server.ts`, the least
 * a Node server can spend). The first two read every message to the end and drop it, with
 * no AUTH, no TLS and no reverse DNS. Prints `READY <port>` once listening on 127.0.0.1;
 * SIGTERM exits, first writing the CPU profile when `BENCH_CPU_PROFILE` asks for one.
 */
import type { Readable } from "node:stream"
import { createSmtpServer } from "@mailwire/node/smtp"
import { SMTPServer } from "smtp-server"
import { startFloorSmtpServer } from "../floors/smtp-server.js"
import { startCpuProfile } from "./cpu-profile.js"

const HOSTNAME = "bench.localhost"

/** Reads a message stream to its end and drops the bytes: the same code for both servers. */
function drain(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.on("data", () => {})
    stream.once("end", resolve)
    stream.once("error", reject)
  })
}

async function startMailwire(): Promise<number> {
  const server = createSmtpServer({
    hostname: HOSTNAME,
    onData: (_envelope, stream) => drain(stream),
  })
  const address = await server.listen(0, "127.0.0.1")
  return address.port
}

async function startSmtpServer(): Promise<number> {
  const server = new SMTPServer({
    name: HOSTNAME,
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    onData(stream, _session, callback) {
      drain(stream).then(
        () => callback(),
        (error: Error) => callback(error),
      )
    },
  })
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.server.address()
      if (address !== null && typeof address === "object") resolve(address.port)
      else reject(new Error("smtp-server has no address"))
    })
  })
  server.on("error", () => {})
  return port
}

const kind = process.argv[2]
const port =
  kind === "mailwire"
    ? await startMailwire()
    : kind === "smtp-server"
      ? await startSmtpServer()
      : kind === "node-floor"
        ? await startFloorSmtpServer()
        : null
if (port === null) throw new Error(`unknown server kind ${String(kind)}`)
const writeProfile = await startCpuProfile()
process.once("SIGTERM", () => {
  writeProfile().finally(() => process.exit(0))
})
process.stdout.write(`READY ${port}\n`)
