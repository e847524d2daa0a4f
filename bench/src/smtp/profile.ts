/**
 * Reads the `.cpuprofile` files `node --cpu-prof` writes and sums self time two ways: by
 * where the code lives (a mailwire package, an npm package, Node's own `node:` modules,
 * the garbage collector…) and by function. Used where a target is missed, so the report
 * says what the time went to.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

interface ProfileNode {
  readonly id: number
  readonly callFrame: {
    readonly functionName: string
    readonly url: string
    readonly lineNumber: number
  }
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

/** Self time of one place, as a share of all sampled time (idle excluded). */
export interface ProfileEntry {
  readonly name: string
  readonly share: number
}

/** What a profile shows: the biggest places by owner and by function. */
export interface ProfileSummary {
  readonly owners: readonly ProfileEntry[]
  readonly functions: readonly ProfileEntry[]
}

/** Who owns a script URL: `@mailwire/<name>`, an npm package, `node:internal`, or a VM pseudo-frame. */
function owner(url: string, functionName: string): string {
  if (url === "") return `(${functionName.replace(/[()]/g, "") || "native"})`
  const mailwire = /\/packages\/([^/]+)\/(?:src|dist)\//.exec(url)
  if (mailwire !== null) return `@mailwire/${mailwire[1]}`
  const npm = /\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(url)
  if (npm !== null) return npm[1]!
  if (url.startsWith("node:")) return "node: built-ins"
  if (url.includes("/bench/src/") || url.includes("/bench/.build/")) return "benchmark code"
  return url
}

function place(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame
  const file = url.split("/").slice(-2).join("/")
  // Code loaded through tsx reports line 0 for every function: the file alone is shown then.
  const at = lineNumber > 0 ? `${file}:${lineNumber + 1}` : file
  return url === "" ? functionName || "(anonymous)" : `${functionName || "(anonymous)"} ${at}`
}

function top(totals: Map<string, number>, all: number, count: number): ProfileEntry[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, time]) => ({ name, share: time / all }))
}

/** Sums every `.cpuprofile` in `dir`. `count` entries are kept per list. */
export function summarizeProfiles(dir: string, count = 12): ProfileSummary {
  const byOwner = new Map<string, number>()
  const byFunction = new Map<string, number>()
  let all = 0
  for (const file of readdirSync(dir).filter((name) => name.endsWith(".cpuprofile"))) {
    const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
    profile.samples.forEach((id, i) => {
      const node = nodes.get(id)
      const delta = profile.timeDeltas[i] ?? 0
      if (node === undefined || node.callFrame.functionName === "(idle)") return
      all += delta
      const who = owner(node.callFrame.url, node.callFrame.functionName)
      byOwner.set(who, (byOwner.get(who) ?? 0) + delta)
      const where = place(node)
      byFunction.set(where, (byFunction.get(where) ?? 0) + delta)
    })
  }
  if (all === 0) throw new Error(`no CPU samples in ${dir}`)
  return { owners: top(byOwner, all, count), functions: top(byFunction, all, count) }
}
