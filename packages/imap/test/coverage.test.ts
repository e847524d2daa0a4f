import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { COVERED } from "./fixtures/coverage.js"
import { RFC_COMMANDS } from "./fixtures/rfc-commands.js"
import { EXTENSION_COMMANDS, EXTENSION_RESPONSES } from "./fixtures/rfc-extensions.js"
import { RFC_RESPONSES } from "./fixtures/rfc-responses.js"
import { RFC9051_COMMANDS, RFC9051_RESPONSES } from "./fixtures/rfc9051-session.js"

const FIXTURES = [
  ...RFC_COMMANDS,
  ...RFC_RESPONSES,
  ...RFC9051_COMMANDS,
  ...RFC9051_RESPONSES,
  ...EXTENSION_COMMANDS,
  ...EXTENSION_RESPONSES,
]

/** Every "RFC n §x" a fixture's source cites. */
function cited(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  for (const fixture of FIXTURES) {
    const refs = [...fixture.source.matchAll(/(RFC \d+) (§[\d.]*\d)/g)]
    expect(refs.length, `"${fixture.source}" names an RFC section`).toBeGreaterThan(0)
    for (const [, rfc, section] of refs) {
      if (!out.has(rfc!)) out.set(rfc!, new Set())
      out.get(rfc!)!.add(section!)
    }
  }
  return out
}

describe("the list of covered RFC examples", () => {
  it("names exactly the sections the golden tables cite", () => {
    const fromTables = Object.fromEntries(
      [...cited()].map(([rfc, sections]) => [rfc, [...sections].sort()]),
    )
    const listed = Object.fromEntries(
      Object.entries(COVERED).map(([rfc, sections]) => [rfc, [...sections].sort()]),
    )
    expect(listed).toEqual(fromTables)
  })

  it("is what the README says", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
    for (const [rfc, sections] of Object.entries(COVERED)) {
      expect(readme).toContain(`| ${rfc} | ${sections.join(", ")} |`)
    }
  })
})
