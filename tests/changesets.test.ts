/** Every changeset names real public packages in a frontmatter block that changesets can read. */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("..", import.meta.url))
const files = readdirSync(`${root}.changeset`).filter((f) => f.endsWith(".md") && f !== "README.md")

describe("changesets", () => {
  for (const file of files) {
    it(`${file} has frontmatter naming existing packages with a bump type`, () => {
      const text = readFileSync(`${root}.changeset/${file}`, "utf8")
      const match = /^---\n([\s\S]*?)\n---\n\n\S/.exec(text)
      expect(match, "frontmatter block followed by a summary").not.toBeNull()
      const lines = match![1]!.split("\n")
      expect(lines.length).toBeGreaterThan(0)
      for (const line of lines) {
        const entry = /^"(@mailwire\/([a-z0-9-]+))": (major|minor|patch)$/.exec(line)
        expect(entry, line).not.toBeNull()
        expect(existsSync(`${root}packages/${entry![2]}/package.json`)).toBe(true)
      }
    })
  }
})
