/**
 * Root test configuration: one vitest project per workspace package, plus the
 * repository-wide checks in `tests/`.
 *
 * Tests import packages by their public names (`@mailwire/wire`), and they run
 * from source: every `@mailwire/<name>` (and `@mailwire/<name>/<sub>`) is
 * aliased to `packages/<name>/src/index.ts` (or `src/<sub>.ts`), so no build is
 * needed first.
 */
import { existsSync, readdirSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const root = fileURLToPath(new URL(".", import.meta.url))

function workspaceDirs(parent: string): string[] {
  const dir = `${root}${parent}`
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(`${dir}/${entry.name}/package.json`))
    .map((entry) => `${parent}/${entry.name}`)
}

const packageDirs = workspaceDirs("packages")

const alias = [
  {
    find: /^@mailwire\/([a-z0-9-]+)\/([a-z0-9/-]+)$/,
    replacement: `${root}packages/$1/src/$2.ts`,
  },
  { find: /^@mailwire\/([a-z0-9-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
]

const projectDirs = [
  ...packageDirs,
  ...workspaceDirs("examples"),
  ...(existsSync(`${root}bench/test`) ? ["bench"] : []),
].filter((dir) => existsSync(`${root}${dir}/test`))

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      ...projectDirs.map((dir) => ({
        resolve: { alias },
        test: {
          name: dir.slice(dir.indexOf("/") + 1) || dir,
          root: `${root}${dir}`,
          include: ["test/**/*.test.ts"],
          testTimeout: 20_000,
        },
      })),
      {
        resolve: { alias },
        test: {
          name: "repo",
          root: `${root}tests`,
          include: ["**/*.test.ts"],
          exclude: ["fixtures/**"],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
    coverage: {
      provider: "v8",
      include: ["packages/*/src/**"],
      reporter: ["text-summary", "html"],
    },
  },
})
