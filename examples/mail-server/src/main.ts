/**
 * `pnpm start`: loads the configuration (`--config path` or `MAILWIRE_CONFIG`, else the
 * demo defaults), starts the server, prints how to connect, and shuts down cleanly on
 * SIGINT or SIGTERM. A bad configuration or an unusable certificate ends it with exit
 * code 1 and a message that says what to fix.
 */

import { connectionHelp } from "./banner.js"
import { ConfigError, loadConfig } from "./config.js"
import { createLogger } from "./log.js"
import { startServer } from "./server.js"
import { CertificateError } from "./tls.js"

/**
 * 2,000 ms: a second SIGINT/SIGTERM sooner than this after the first is the same request
 * delivered twice; a later one cuts a slow shutdown short.
 */
const FORCE_EXIT_AFTER_MS = 2_000

const log = createLogger()

async function main(): Promise<void> {
  const config = loadConfig(process.argv.slice(2), process.env)
  const server = await startServer(config, log)
  process.stdout.write(connectionHelp(config, server))
  log.event("server", "ready", { hostname: config.hostname, dataDir: config.dataDir })
  let firstSignalAt: number | null = null
  const shutdown = (signal: string) => {
    if (firstSignalAt !== null) {
      // Ctrl-C reaches this process twice (from the terminal and relayed by tsx); only a
      // signal well after the first means "stop now".
      if (Date.now() - firstSignalAt < FORCE_EXIT_AFTER_MS) return
      log.event("server", "forced-exit", { signal })
      process.exit(1)
    }
    firstSignalAt = Date.now()
    log.event("server", "shutdown", { signal })
    server.stop().then(
      () => {
        log.event("server", "stopped")
        process.exit(0)
      },
      (error: unknown) => {
        log.event("server", "error", { error: String(error) })
        process.exit(1)
      },
    )
  }
  process.on("SIGINT", () => shutdown("SIGINT"))
  process.on("SIGTERM", () => shutdown("SIGTERM"))
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof CertificateError) {
    process.stderr.write(`mailwire: ${error.message}\n`)
  } else {
    process.stderr.write(`mailwire: could not start: ${(error as Error)?.stack ?? String(error)}\n`)
  }
  process.exit(1)
})
