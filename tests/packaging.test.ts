/**
 * Every public package builds to ESM + CJS + .d.ts and loads both ways, the way a user
 * installs it; and every package follows the workspace conventions (exports map,
 * `sideEffects`, `files`, README, tests).
 */
import { execFileSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("..", import.meta.url))

interface Manifest {
  name: string
  private?: boolean
  sideEffects?: boolean
  files?: string[]
  exports?: Record<string, unknown>
  dependencies?: Record<string, string>
}

const packages = readdirSync(`${root}packages`)
  .filter((name) => existsSync(`${root}packages/${name}/package.json`))
  .map((name) => {
    const dir = `${root}packages/${name}`
    const manifest = JSON.parse(readFileSync(`${dir}/package.json`, "utf8")) as Manifest
    return { name, dir, manifest }
  })

describe("package conventions", () => {
  for (const { name, dir, manifest } of packages) {
    describe(manifest.name, () => {
      it("is named @mailwire/<folder> and is public", () => {
        expect(manifest.name).toBe(`@mailwire/${name}`)
        expect(manifest.private).not.toBe(true)
      })
      it("declares sideEffects: false and ships only dist", () => {
        expect(manifest.sideEffects).toBe(false)
        expect(manifest.files).toEqual(["dist"])
      })
      it("has an exports map with types, import and require for every entry", () => {
        const exports = manifest.exports ?? {}
        const entries = Object.entries(exports).filter(([key]) => key !== "./package.json")
        expect(entries.length).toBeGreaterThan(0)
        for (const [, target] of entries) {
          const conditions = target as Record<string, { types?: string; default?: string }>
          expect(conditions.import?.types).toMatch(/\.d\.ts$/)
          expect(conditions.import?.default).toMatch(/\.js$/)
          expect(conditions.require?.types).toMatch(/\.d\.cts$/)
          expect(conditions.require?.default).toMatch(/\.cjs$/)
        }
      })
      it("has a README with an example and tests", () => {
        const readme = readFileSync(`${dir}/README.md`, "utf8")
        expect(readme).toMatch(/```(ts|js|typescript)/)
        expect(readdirSync(`${dir}/test`).some((file) => file.endsWith(".test.ts"))).toBe(true)
      })
      it("depends on workspace packages with workspace:", () => {
        for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
          if (dep.startsWith("@mailwire/")) expect(range).toMatch(/^workspace:/)
        }
      })
    })
  }
})

describe("built packages", () => {
  beforeAll(() => {
    execFileSync("pnpm", ["exec", "turbo", "run", "build", "--output-logs=errors-only"], {
      cwd: root,
      stdio: "pipe",
    })
  })

  for (const { dir, manifest } of packages) {
    const subpaths = Object.keys(manifest.exports ?? {})
      .filter((key) => key !== "./package.json")
      .map((key) => manifest.name + key.slice(1))

    for (const specifier of subpaths) {
      it(`${specifier} loads with import and with require, with the same exports`, () => {
        // A package may refer to itself by name from its own folder, through its exports map.
        const esm = execFileSync(
          process.execPath,
          [
            "--input-type=module",
            "-e",
            `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m).sort()))`,
          ],
          { cwd: dir, encoding: "utf8" },
        )
        const cjs = execFileSync(
          process.execPath,
          [
            "-e",
            `const m = require(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m).sort()))`,
          ],
          { cwd: dir, encoding: "utf8" },
        )
        const names = JSON.parse(esm) as string[]
        expect(names.length).toBeGreaterThan(0)
        expect(JSON.parse(cjs)).toEqual(names)
      })
    }

    it(`${manifest.name} ships type declarations for both formats`, () => {
      for (const [key, target] of Object.entries(manifest.exports ?? {})) {
        if (key === "./package.json") continue
        const conditions = target as Record<string, { types: string }>
        expect(existsSync(`${dir}/${conditions.import!.types}`)).toBe(true)
        expect(existsSync(`${dir}/${conditions.require!.types}`)).toBe(true)
      }
    })
  }
})

describe("README examples", () => {
  // Each package README's first TypeScript block is run against the built package.
  for (const { name, dir } of packages) {
    it(`the @mailwire/${name} README example runs`, async () => {
      const { transform } = await import("esbuild")
      const { mkdtempSync, rmSync, writeFileSync } = await import("node:fs")
      const readme = readFileSync(`${dir}/README.md`, "utf8")
      const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1]
      expect(block).toBeDefined()
      const { code } = await transform(block!, { loader: "ts", format: "esm" })
      // Inside the package folder, so the package resolves to itself by name.
      const work = mkdtempSync(`${dir}/.readme-`)
      try {
        writeFileSync(`${work}/example.mjs`, code)
        execFileSync(process.execPath, [`${work}/example.mjs`], {
          cwd: dir,
          stdio: "pipe",
          timeout: 60_000,
        })
      } finally {
        rmSync(work, { recursive: true, force: true })
      }
    })
  }
})
