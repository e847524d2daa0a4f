/**
 * Postfix's `smtp-sink` (C) on loopback, optionally saving each transaction to a file.
 * As root it needs `-u`; its EHLO reply ends with an empty `250 ` line; `-a` stops it
 * advertising AUTH (it would answer AUTH with 250, not 235).
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort, startProcess, waitForPort } from "./processes.js"

export interface SmtpSink {
  readonly port: number
  /** The saved transactions (when started with `save: true`), oldest first. */
  messages(): Uint8Array[]
  stop(): Promise<void>
}

export async function startSmtpSink(
  options: { save?: boolean; lmtp?: boolean } = {},
): Promise<SmtpSink> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), "mailwire-sink-"))
  chmodSync(dir, 0o777)
  const args = ["-u", "nobody", "-a"]
  if (options.lmtp) args.push("-L")
  if (options.save) args.push("-d", `${dir}/%Y%m%d%H%M%S.`)
  args.push(`127.0.0.1:${port}`, "1024")
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
        .map((name) => new Uint8Array(readFileSync(join(dir, name)))),
    stop: async () => {
      await started.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
