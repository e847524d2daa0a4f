/**
 * Starting and stopping the real programs the interop tests talk to. Every process is
 * stopped by its PID (SIGTERM, then SIGKILL), every wait has a timeout, and only loopback
 * addresses are used.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { createServer, Socket } from "node:net"

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port)
        else reject(new Error("no port"))
      })
    })
  })
}

/** Resolves once something accepts TCP connections on `port`, or rejects after `timeoutMs`. */
export async function waitForPort(port: number, host = "127.0.0.1", timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket()
      const done = (ok: boolean) => {
        socket.destroy()
        resolve(ok)
      }
      socket.setTimeout(1000, () => done(false))
      socket.once("error", () => done(false))
      socket.connect(port, host, () => done(true))
    })
    if (open) return
    if (Date.now() > deadline)
      throw new Error(`nothing listened on ${host}:${port} in ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Whether `pid` is alive. A zombie (state Z) counts as stopped: PID 1 here reaps slowly. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3)
    return state !== "Z" && state !== "X"
  } catch {
    return false
  }
}

/** Sends SIGTERM to `pid`, then SIGKILL if it is still running after `graceMs`. */
export async function stopPid(pid: number, graceMs = 5000): Promise<void> {
  if (!isRunning(pid)) return
  try {
    process.kill(pid, "SIGTERM")
  } catch {
    return
  }
  const deadline = Date.now() + graceMs
  while (isRunning(pid) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  if (isRunning(pid)) {
    try {
      process.kill(pid, "SIGKILL")
    } catch {
      // already gone
    }
  }
}

export interface Started {
  readonly pid: number
  readonly child: ChildProcess
  /** What the process wrote, for diagnosing a failed start. */
  output(): string
  stop(): Promise<void>
}

/** Spawns `command` with `args`, keeping its output, without a shell. */
export function startProcess(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Started {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
  })
  let output = ""
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8")
  })
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8")
  })
  child.on("error", (error) => {
    output += `\nspawn error: ${error.message}`
  })
  if (child.pid === undefined) throw new Error(`could not start ${command}`)
  const pid = child.pid
  return {
    pid,
    child,
    output: () => output,
    stop: () => stopPid(pid),
  }
}

/** Runs `command` to completion with a timeout; resolves with its exit code and output. */
export function run(
  command: string,
  args: readonly string[],
  options: {
    input?: string | Uint8Array
    timeoutMs?: number
    env?: NodeJS.ProcessEnv
    cwd?: string
  } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ["pipe", "pipe", "pipe"],
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
      if (child.pid !== undefined) void stopPid(child.pid, 1000)
      reject(new Error(`${command} timed out after ${options.timeoutMs ?? 30_000} ms\n${stderr}`))
    }, options.timeoutMs ?? 30_000)
    child.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    // A program that exits without reading its input must not fail the run with EPIPE.
    child.stdin.on("error", () => {})
    child.stdin.end(options.input ?? "")
  })
}
