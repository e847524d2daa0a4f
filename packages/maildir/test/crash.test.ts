import { readdirSync, readFileSync, utimesSync } from "node:fs"
import { join } from "node:path"
import { MaildirStore } from "@mailwire/maildir"
import { afterEach, describe, expect, it } from "vitest"
import { crash, readLines, startFixture } from "./child-bundle.js"
import { burstMessage } from "./fixtures/burst-message.mjs"
import { show, tempDir } from "./temp-store.js"

const children: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const stop of children.splice(0)) await stop()
})

function idOf(bytes: Uint8Array): number {
  const match = /^X-Burst-Id: (\d+)\r\n/.exec(show(bytes.subarray(0, 40)))
  if (match === null) throw new Error("a file in new/ without its header")
  return Number(match[1])
}

describe("crash safety", () => {
  it("keeps every delivery that resolved, whole, when the delivering process is killed mid-burst", async () => {
    const root = tempDir()
    const child = await startFixture("deliver-burst.mjs", [root, "4"])
    children.push(() => crash(child))
    const resolved = new Map<number, string>()
    await readLines(child, (line) => {
      const [id, file] = line.split(" ")
      resolved.set(Number(id), file!)
      return resolved.size >= 60
    })
    await crash(child)

    const maildir = join(root, "alice")
    const inNew = readdirSync(join(maildir, "new"))
    for (const [id, file] of resolved) {
      expect(inNew).toContain(file)
      expect(show(readFileSync(join(maildir, "new", file)))).toBe(show(burstMessage(id)))
    }
    // Whatever else reached new/ (resolved but not yet printed) is whole too.
    for (const file of inNew) {
      const bytes = readFileSync(join(maildir, "new", file))
      expect(show(bytes)).toBe(show(burstMessage(idOf(bytes))))
    }

    // The crash left partial files in tmp/ only; once stale, the next scan removes them.
    const leftovers = readdirSync(join(maildir, "tmp"))
    const old = new Date(Date.now() - 48 * 60 * 60 * 1000)
    for (const file of leftovers) utimesSync(join(maildir, "tmp", file), old, old)
    const state = await new MaildirStore({ root }).mailbox("alice", "INBOX").sync()
    expect(state.messages).toHaveLength(inNew.length)
    expect(readdirSync(join(maildir, "tmp"))).toEqual([])
    console.info(
      `crash test: ${resolved.size} resolved, ${inNew.length} in new/, ${leftovers.length} partial in tmp/`,
    )
  })
})
