import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { CORE_PACKAGES, checkCorePurity } from "../scripts/core-purity.js"

const root = fileURLToPath(new URL("..", import.meta.url))
const present = CORE_PACKAGES.filter((name) => existsSync(`${root}packages/${name}/src`))

describe("core purity", () => {
  it("finds at least one core package to check", () => {
    expect(present.length).toBeGreaterThan(0)
  })

  for (const name of present) {
    it(`@mailwire/${name} bundles for the browser with no Node built-in or global`, async () => {
      const { problems } = await checkCorePurity(`${root}packages/${name}`)
      expect(problems).toEqual([])
    })
  }

  it("fails a package that imports node:fs", async () => {
    const { problems } = await checkCorePurity(`${root}tests/fixtures/impure-core`)
    expect(problems.join("\n")).toMatch(/node:fs/)
  })

  it("fails a package that uses the Buffer global", async () => {
    const { problems } = await checkCorePurity(`${root}tests/fixtures/buffer-core`)
    expect(problems).toContain("uses the Node global `Buffer`")
  })
})
