/**
 * Postfix's `smtp-sink` as the relay, on a port chosen by the test (the shared harness
 * picks its own port, but a relay that "comes back" must come back where the server
 * expects it). Saves each transaction to a file; can refuse every RCPT with a given
 * permanent reply.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startProcess, waitForPort } from "../../../../packages/node/test/harness/processes.js"

export interface SinkRelay {
  readonly port: number
  /** The saved transactions (smtp-sink's dump: its `X-…` envelope lines, then the message). */
  messages(): string[]
  stop(): Promise<void>
}

export async function startSinkRelay(
  port: number,
  options: { rejectRcpt?: string } = {},
): Promise<SinkRelay> {
  const dir = mkdtempSync(join(tmpdir(), "mailwire-relay-"))
  chmodSync(dir, 0o777)
  const args = ["-u", "nobody", "-a", "-d", `${dir}/%Y%m%d%H%M%S.`]
  if (options.rejectRcpt !== undefined) args.push("-f", "RCPT", "-B", options.rejectRcpt)
  args.push(`127.0.0.1:${port}`, "64")
  const started = startProcess("/usr/sbin/smtp-sink", args)
  try {
    await waitForPort(port)
  } catch (error) {
    await started.stop()
    throw new Error(`smtp-sink did not start: ${(error as Error).message}\n${started.output()}`)
  }
  return {
    port,
    messages: () =>
      readdirSync(dir)
        .sort()
        .map((name) => readFileSync(join(dir, name), "latin1")),
    stop: async () => {
      await started.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
