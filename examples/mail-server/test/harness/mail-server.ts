/**
 * The server under test as a real child process: a config file with free loopback ports
 * and a fresh data directory, `node --import tsx src/main.ts --config …` (one process, so
 * SIGTERM and SIGKILL reach the server itself; `tsx`'s CLI would put a wrapper process in
 * between), waited for until it logs `server ready`, and stopped by PID.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import {
  freePort,
  isRunning,
  type Started,
  startProcess,
} from "../../../../packages/node/test/harness/processes.js"

const handedOut = new Set<number>()

/**
 * A free loopback port not handed out before in this test process: the kernel may give
 * the same free port to two `freePort()` calls in a row, and two listeners cannot share it.
 */
export async function uniquePort(): Promise<number> {
  for (;;) {
    const port = await freePort()
    if (!handedOut.has(port)) {
      handedOut.add(port)
      return port
    }
  }
}

export const EXAMPLE_DIR = fileURLToPath(new URL("../..", import.meta.url))

export interface TestUser {
  readonly name: string
  readonly password: string
  readonly addresses: readonly string[]
}

export const ALICE: TestUser = {
  name: "alice",
  password: "alice-secret",
  addresses: ["alice@example.test"],
}
export const BOB: TestUser = {
  name: "bob",
  password: "bob-secret",
  addresses: ["bob@example.test"],
}

export interface ServerPorts {
  readonly smtp: number
  readonly submission: number
  readonly pop3: number
  readonly pop3s: number
}

/** One configured server: its directory, config and data; started and restarted as asked. */
export interface MailServerUnderTest {
  readonly dir: string
  readonly dataDir: string
  readonly configPath: string
  readonly ports: ServerPorts
  readonly certPath: string
  /** Starts the server (again); resolves once it logged `server ready`. */
  start(): Promise<void>
  /** SIGTERM; resolves with the exit code once the process is gone. */
  stop(): Promise<number | null>
  /** SIGKILL, no goodbye. */
  kill(): Promise<void>
  /** Everything the current and earlier runs printed. */
  output(): string
  /** The files in `user`'s Maildir `new/` and `cur/`, as bytes, in delivery order. */
  mailbox(user: string): Uint8Array[]
  /** Entries in the outbound queue. */
  queued(): string[]
  /** Rewrites the config (e.g. to point at a relay) for the next start. */
  configure(changes: Record<string, unknown>): void
  /** Stops the server and removes its directory. */
  cleanup(): Promise<void>
}

async function waitFor(test: () => boolean, what: string, timeoutMs: number, log: () => string) {
  const deadline = Date.now() + timeoutMs
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${log()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export async function mailServer(
  options: {
    users?: readonly TestUser[]
    extra?: Record<string, unknown>
    env?: NodeJS.ProcessEnv
  } = {},
): Promise<MailServerUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), "mailwire-server-"))
  const dataDir = join(dir, "data")
  const configPath = join(dir, "config.json")
  const ports = {
    smtp: await uniquePort(),
    submission: await uniquePort(),
    pop3: await uniquePort(),
    pop3s: await uniquePort(),
  }
  let config: Record<string, unknown> = {
    hostname: "mail.example.test",
    dataDir,
    domains: ["example.test"],
    users: options.users ?? [ALICE, BOB],
    listen: { host: "127.0.0.1", ...ports },
    queue: { retryDelays: [0.3, 0.3] },
    ...options.extra,
  }
  const write = () => writeFileSync(configPath, JSON.stringify(config, null, 2))
  write()
  let running: Started | null = null
  let earlier = ""
  const output = () => earlier + (running?.output() ?? "")
  const server: MailServerUnderTest = {
    dir,
    dataDir,
    configPath,
    ports,
    certPath: join(dataDir, "tls", "cert.pem"),
    async start() {
      if (running !== null) earlier += running.output()
      const started = startProcess(
        process.execPath,
        ["--import", "tsx", "src/main.ts", "--config", configPath],
        { cwd: EXAMPLE_DIR, env: options.env ?? process.env },
      )
      running = started
      await waitFor(
        () => started.output().includes("server ready") || !isRunning(started.pid),
        "the server to start",
        20_000,
        output,
      )
      if (!isRunning(started.pid)) throw new Error(`the server exited at start:\n${output()}`)
    },
    async stop() {
      const current = running
      if (current === null) return null
      const exited = new Promise<number | null>((resolve) => {
        if (current.child.exitCode !== null) resolve(current.child.exitCode)
        else current.child.once("exit", (code) => resolve(code))
      })
      await current.stop()
      return exited
    },
    async kill() {
      const current = running
      if (current === null) return
      const exited = new Promise<void>((resolve) => {
        if (current.child.exitCode !== null || current.child.signalCode !== null) resolve()
        else current.child.once("exit", () => resolve())
      })
      current.child.kill("SIGKILL")
      await exited
    },
    output,
    mailbox(user) {
      const root = join(dataDir, "mail", user)
      const files: { path: string; name: string }[] = []
      for (const sub of ["new", "cur"]) {
        try {
          for (const name of readdirSync(join(root, sub)))
            files.push({ path: join(root, sub, name), name })
        } catch {
          // no Maildir yet
        }
      }
      // Delivery order: `<seconds>.M<microseconds>P…` (not zero-padded, so numerically).
      const time = (name: string) => {
        const match = /^(\d+)\.M(\d+)P/.exec(name)
        return match === null ? 0 : Number(match[1]) * 1e6 + Number(match[2])
      }
      return files
        .sort((a, b) => time(a.name) - time(b.name))
        .map((file) => new Uint8Array(readFileSync(file.path)))
    },
    queued() {
      try {
        return readdirSync(join(dataDir, "queue", "entries"))
      } catch {
        return []
      }
    },
    configure(changes) {
      config = { ...config, ...changes }
      write()
    },
    async cleanup() {
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  mkdirSync(dataDir, { recursive: true })
  return server
}

/** Waits until `test` holds, polling; fails with `what` and the server log. */
export function eventually(
  server: Pick<MailServerUnderTest, "output">,
  test: () => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  return waitFor(test, what, timeoutMs, server.output)
}

/** A test message with CRLF line ends. */
export function testMessage(from: string, to: string, subject: string, body: string): Uint8Array {
  return new TextEncoder().encode(
    `From: ${from}\r\nTo: ${to}\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, "")}@client.test>\r\n\r\n${body}`,
  )
}

/** Splits a stored message into our leading `Received:` field and the rest. */
export function splitTrace(stored: Uint8Array): { trace: string; rest: Uint8Array } {
  const text = new TextDecoder("latin1").decode(stored)
  const match = /^Received: [^\r\n]*(\r\n[ \t][^\r\n]*)*\r\n/.exec(text)
  if (match === null) return { trace: "", rest: stored }
  return { trace: match[0], rest: stored.subarray(match[0].length) }
}
