/**
 * Test support for the tests that run the store in a child Node process: bundles
 * `@mailwire/maildir` from source (with its `@mailwire/*` dependencies) into one ES
 * module with esbuild, once per test file, and runs the plain-JS scripts in `fixtures/`
 * against it. Node 20 cannot load TypeScript, hence the bundle.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"
import { afterAll } from "vitest"

const packages = fileURLToPath(new URL("../../", import.meta.url))

let bundled: Promise<string> | undefined
let bundleDir: string | undefined

afterAll(() => {
  if (bundleDir !== undefined) rmSync(bundleDir, { recursive: true, force: true })
})

/** The path of the bundled package, built on first use. */
export function maildirBundle(): Promise<string> {
  bundled ??= (async () => {
    bundleDir = mkdtempSync(join(tmpdir(), "mailwire-maildir-bundle-"))
    const outfile = join(bundleDir, "maildir.mjs")
    await build({
      entryPoints: [join(packages, "maildir/src/index.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile,
      logLevel: "silent",
      plugins: [
        {
          name: "mailwire-source",
          setup(on) {
            on.onResolve({ filter: /^@mailwire\/[a-z0-9-]+$/ }, (args) => ({
              path: join(packages, args.path.slice("@mailwire/".length), "src/index.ts"),
            }))
          },
        },
      ],
    })
    return outfile
  })()
  return bundled
}

/** Starts `fixtures/<script>` with the bundle's path and `args`. */
export async function startFixture(script: string, args: readonly string[]): Promise<ChildProcess> {
  const path = fileURLToPath(new URL(`./fixtures/${script}`, import.meta.url))
  return spawn(process.execPath, [path, await maildirBundle(), ...args], {
    stdio: ["pipe", "pipe", "pipe"],
  })
}

/** Resolves with each line the child writes to stdout, as it comes, until `done` says stop. */
export function readLines(child: ChildProcess, done: (line: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending = ""
    let errors = ""
    child.stderr?.on("data", (chunk: Buffer) => {
      errors += chunk.toString("utf8")
    })
    child.stdout?.on("data", (chunk: Buffer) => {
      pending += chunk.toString("utf8")
      for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
        const line = pending.slice(0, end)
        pending = pending.slice(end + 1)
        if (done(line)) resolve()
      }
    })
    child.on("exit", (code, signal) => {
      reject(new Error(`child exited (${code ?? signal}) early: ${errors}`))
    })
  })
}

/** Kills the child with SIGKILL, as a crash would, and waits until it is gone. */
export function crash(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGKILL")
  })
}
