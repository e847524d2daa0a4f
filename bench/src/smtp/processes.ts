/**
 * Child processes of the SMTP/POP3 benchmark: Node children (servers and load
 * generators: the benchmark's own scripts bundled for plain `node`, see
 * {@link bundleChildren}), Postfix's C tools, and CPU accounting read from `/proc`.
 * Every process started here is stopped by its PID (the `processes.ts` harness of
 * `@mailwire/node`'s tests: SIGTERM, then SIGKILL).
 */
import { spawn } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"
import {
  freePort,
  type Started,
  startProcess,
  waitForPort,
} from "../../../packages/node/test/harness/processes.js"

/** The `bench/` folder: the children run with it as their working directory. */
export const benchDir = fileURLToPath(new URL("../..", import.meta.url))

/** Where {@link bundleChildren} writes the children (git-ignored); under `bench/`, so their imports resolve from `bench/node_modules`. */
const BUILD_DIR = join(benchDir, ".build")

/** The scripts run as Node children, relative to `bench/src/`. */
const CHILD_SCRIPTS = ["smtp/server.ts", "smtp/client.ts", "pop3/server.ts", "pop3/client.ts"]

/** Kernel clock ticks per second for `/proc/PID/stat` times (`getconf CLK_TCK`; 100 on Linux x86-64 and arm64). */
const CLOCK_TICKS = 100

/** How long a child may take to say it is ready (with `BENCH_FROM_SOURCE=1`, tsx compiles the sources on first load). */
const READY_TIMEOUT_MS = 60_000

interface ProcStat {
  readonly ppid: number
  /** utime + stime of the process itself, in seconds. */
  readonly own: number
  /** cutime + cstime: children it has already reaped, in seconds. */
  readonly reaped: number
}

function procStat(pid: number): ProcStat | null {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8")
  } catch {
    return null
  }
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ")
  const field = (n: number) => Number(fields[n - 3])
  return {
    ppid: field(4),
    own: (field(14) + field(15)) / CLOCK_TICKS,
    reaped: (field(16) + field(17)) / CLOCK_TICKS,
  }
}

/**
 * CPU seconds (user + system) used so far by `pid` and every process under it, including
 * children it has already reaped. Dovecot forks a process per session and reaps it at the
 * end, so the difference of two readings covers the sessions between them.
 */
export function treeCpuSeconds(pid: number): number {
  const parents = new Map<number, number[]>()
  for (const entry of readdirSync("/proc")) {
    const child = Number(entry)
    if (!Number.isInteger(child)) continue
    const stat = procStat(child)
    if (stat === null) continue
    const list = parents.get(stat.ppid) ?? []
    list.push(child)
    parents.set(stat.ppid, list)
  }
  let total = 0
  const visit = (at: number) => {
    const stat = procStat(at)
    if (stat === null) return
    total += stat.own + stat.reaped
    for (const child of parents.get(at) ?? []) visit(child)
  }
  visit(pid)
  return total
}

/** Stops for every server still running, so an interrupted run leaves none behind. */
const running = new Set<() => Promise<void>>()
let isInterruptHandled = false

/**
 * Registers `stop` to run, by PID, if the benchmark is interrupted (SIGINT, SIGTERM)
 * before the server is stopped in the normal way. Returns a `stop` that also unregisters.
 */
export function stopOnInterrupt(stop: () => Promise<void>): () => Promise<void> {
  if (!isInterruptHandled) {
    isInterruptHandled = true
    const interrupted = (signal: NodeJS.Signals) => {
      void Promise.all([...running].map((each) => each())).finally(() => {
        process.exit(signal === "SIGINT" ? 130 : 143)
      })
    }
    process.once("SIGINT", interrupted)
    process.once("SIGTERM", interrupted)
  }
  running.add(stop)
  return async () => {
    running.delete(stop)
    await stop()
  }
}

/** A server child: a Node process that printed `READY <port>`, or a C peer. */
export interface NodeServer {
  readonly pid: number
  readonly port: number
  /** CPU seconds the server process (and anything it forked) used so far. */
  cpuSeconds(): number
  stop(): Promise<void>
}

let bundled: Promise<unknown> | null = null

/**
 * Bundles the benchmark's own child scripts into `bench/.build/` once per run, with every
 * package left as an import: plain `node` runs them, and `@mailwire/*` loads from its
 * `dist/` through each package's `exports`, as `npm install` gives it.
 *
 * Not tsx: tsx compiles again every JavaScript file outside `node_modules`, and pnpm
 * links the workspace's packages from outside it, so under tsx mailwire's `dist/` ran
 * recompiled (minified, every function wrapped by esbuild's `__name`), while
 * smtp-server and nodemailer, inside `node_modules`, ran as published. That cost the
 * mailwire server about 7 µs per message on the persistent load (65 → 72).
 */
function bundleChildren(): Promise<unknown> {
  bundled ??= build({
    entryPoints: CHILD_SCRIPTS.map((script) => join(benchDir, "src", script)),
    outdir: BUILD_DIR,
    outbase: join(benchDir, "src"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    // Not bench/tsconfig.json: its `paths` map `@mailwire/*` to `src/` for the type checker.
    tsconfigRaw: {},
    logLevel: "error",
  })
  return bundled
}

/**
 * Node's arguments for a child script: its bundle, or with `BENCH_FROM_SOURCE=1` its
 * TypeScript through tsx (mailwire from `src/` too, see {@link childEnv}).
 */
async function nodeArgs(script: string, args: readonly string[]): Promise<string[]> {
  if (FROM_SOURCE) return ["--import", "tsx", join(benchDir, "src", script), ...args]
  await bundleChildren()
  return [join(BUILD_DIR, script.replace(/\.ts$/, ".js")), ...args]
}

/**
 * Whether mailwire is measured from its TypeScript sources (`BENCH_FROM_SOURCE=1`, for
 * quick turns while changing it) instead of the built packages users install.
 */
export const FROM_SOURCE = process.env.BENCH_FROM_SOURCE === "1"

/**
 * The environment of a Node child; with `profileFile`, it writes a CPU profile there (see
 * `cpu-profile.ts`). With `BENCH_FROM_SOURCE=1`, tsx reads `tsconfig.json`, which maps
 * `@mailwire/*` to each package's `src/`.
 */
function childEnv(profileFile: string | undefined): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...(FROM_SOURCE ? { TSX_TSCONFIG_PATH: join(benchDir, "tsconfig.json") } : {}),
    ...(profileFile === undefined ? {} : { BENCH_CPU_PROFILE: profileFile }),
  }
}

/**
 * Starts `bench/src/<script>` in its own Node process and waits for its `READY <port>`
 * line. With `profileFile`, the child writes a CPU profile of its work there when stopped.
 */
export async function startNodeServer(
  script: string,
  args: readonly string[],
  profileFile?: string,
): Promise<NodeServer> {
  const started: Started = startProcess(process.execPath, await nodeArgs(script, args), {
    cwd: benchDir,
    env: childEnv(profileFile),
  })
  const port = await new Promise<number>((resolve, reject) => {
    let seen = ""
    const timer = setTimeout(() => {
      reject(new Error(`${script} ${args.join(" ")} did not start\n${started.output()}`))
    }, READY_TIMEOUT_MS)
    started.child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString("utf8")
      const ready = /READY (\d+)/.exec(seen)
      if (ready !== null) {
        clearTimeout(timer)
        resolve(Number(ready[1]))
      }
    })
    started.child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`${script} exited with ${code}\n${started.output()}`))
    })
  }).catch(async (error: unknown) => {
    await started.stop()
    throw error
  })
  return {
    pid: started.pid,
    port,
    cpuSeconds: () => treeCpuSeconds(started.pid),
    stop: stopOnInterrupt(() => started.stop()),
  }
}

/** Wall and CPU time of a finished child, with what it printed. */
export interface Timed {
  readonly seconds: number
  readonly cpuSeconds: number
  readonly stdout: string
}

/**
 * Runs a command to completion and measures its CPU time with `getrusage(RUSAGE_CHILDREN)`
 * through a tiny Python wrapper (Node cannot read a finished child's rusage). Rejects on
 * a non-zero exit or after `timeoutMs`.
 */
export function runTimed(
  command: string,
  args: readonly string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Timed> {
  const wrapper = [
    "import resource, subprocess, sys, time",
    "t = time.monotonic()",
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE)",
    "w = time.monotonic() - t",
    "sys.stdout.buffer.write(p.stdout)",
    "r = resource.getrusage(resource.RUSAGE_CHILDREN)",
    'print("\\nRUSAGE %f %f %d" % (w, r.ru_utime + r.ru_stime, p.returncode))',
  ].join("\n")
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/python3", ["-c", wrapper, command, ...args], {
      cwd: benchDir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8")
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    const timer = setTimeout(() => {
      if (child.pid !== undefined) {
        for (const pid of descendants(child.pid)) killQuietly(pid)
        killQuietly(child.pid)
      }
      reject(new Error(`${command} ${args.join(" ")} timed out after ${timeoutMs} ms\n${stderr}`))
    }, timeoutMs)
    child.once("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once("close", () => {
      clearTimeout(timer)
      const match = /RUSAGE (\S+) (\S+) (-?\d+)\s*$/.exec(stdout)
      if (match === null || match[3] !== "0") {
        reject(new Error(`${command} ${args.join(" ")} failed\n${stdout}\n${stderr}`))
        return
      }
      resolve({
        seconds: Number(match[1]),
        cpuSeconds: Number(match[2]),
        stdout: stdout.slice(0, match.index),
      })
    })
  })
}

/** A Node child script (see {@link nodeArgs}) run with `args`, timed (see {@link runTimed}). */
export async function runNodeTimed(
  script: string,
  args: readonly string[],
  timeoutMs: number,
  profileFile?: string,
): Promise<Timed> {
  return runTimed(process.execPath, await nodeArgs(script, args), timeoutMs, childEnv(profileFile))
}

/** A C peer started by PID: Postfix's `smtp-sink` as the SMTP floor. */
export async function startSmtpSink(): Promise<NodeServer> {
  const port = await freePort()
  // As root smtp-sink must drop to another user; -a: no AUTH; 1024: the listen backlog.
  const started = startProcess("/usr/sbin/smtp-sink", [
    "-u",
    "nobody",
    "-a",
    `127.0.0.1:${port}`,
    "1024",
  ])
  try {
    await waitForPort(port)
  } catch (error) {
    await started.stop()
    throw new Error(`smtp-sink did not start: ${(error as Error).message}\n${started.output()}`)
  }
  return {
    pid: started.pid,
    port,
    cpuSeconds: () => treeCpuSeconds(started.pid),
    stop: stopOnInterrupt(() => started.stop()),
  }
}

function descendants(pid: number): number[] {
  const found: number[] = []
  for (const entry of readdirSync("/proc")) {
    const child = Number(entry)
    if (!Number.isInteger(child)) continue
    if (procStat(child)?.ppid === pid) found.push(child, ...descendants(child))
  }
  return found
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL")
  } catch {
    // already gone
  }
}
