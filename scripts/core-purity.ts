/**
 * The core-purity check (DESIGN §1): a core package must bundle for the browser with
 * no Node built-in module and no use of Node globals (`Buffer`, `process`, timers).
 *
 * It bundles a package's `src/index.ts` with esbuild for `platform: "browser"`, its
 * dependencies included, so a Node import anywhere below it fails the bundle. Each
 * forbidden global is replaced by a marker through esbuild's `define`, which rewrites
 * only real references to the global (not properties, strings or comments); a marker
 * left in the output is a use.
 *
 * Run it on its own with `node --experimental-strip-types scripts/core-purity.ts` or,
 * as CI does, through `tests/core-purity.test.ts`.
 */
import { existsSync } from "node:fs"
import { join } from "node:path"
import { build } from "esbuild"

/** The core packages, in dependency order; each is checked once it exists. */
export const CORE_PACKAGES = ["wire", "rfc5322", "mime", "sasl", "smtp", "pop3", "imap"] as const

const FORBIDDEN_GLOBALS = [
  "Buffer",
  "process",
  "global",
  "require",
  "__dirname",
  "__filename",
  "setTimeout",
  "setInterval",
  "setImmediate",
  "clearTimeout",
  "clearInterval",
]

const marker = (name: string) => `__MAILWIRE_FORBIDDEN_GLOBAL_${name}__`

export interface PurityResult {
  readonly packageDir: string
  readonly problems: readonly string[]
}

/** Bundles `packageDir/src/index.ts` for the browser and lists what makes it impure. */
export async function checkCorePurity(packageDir: string): Promise<PurityResult> {
  const entry = join(packageDir, "src", "index.ts")
  const problems: string[] = []
  if (!existsSync(entry)) return { packageDir, problems: [`${entry} does not exist`] }
  const define = Object.fromEntries(FORBIDDEN_GLOBALS.map((name) => [name, marker(name)]))
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      platform: "browser",
      format: "esm",
      target: "es2022",
      logLevel: "silent",
      define,
      // Workspace packages resolve from source, the way the tests see them.
      alias: Object.fromEntries(
        CORE_PACKAGES.map((name) => [
          `@mailwire/${name}`,
          join(packageDir, "..", name, "src", "index.ts"),
        ]),
      ),
    })
    const code = result.outputFiles.map((file) => file.text).join("\n")
    for (const name of FORBIDDEN_GLOBALS) {
      if (code.includes(marker(name))) problems.push(`uses the Node global \`${name}\``)
    }
  } catch (error) {
    const errors = (error as { errors?: Array<{ text: string }> }).errors ?? []
    if (errors.length === 0) problems.push(String(error))
    for (const message of errors) problems.push(message.text)
  }
  return { packageDir, problems }
}
