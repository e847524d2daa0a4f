/**
 * Markdown for `docs/benchmarks/smtp.md`: tables laid out the way the repository's
 * formatter writes them, number formatting, and the profile sections. Every figure comes
 * from the run; nothing here is a measured value.
 */
import type { ProfileSummary } from "./profile.js"

/** A Markdown table; `rightAligned[c]` right-aligns column `c`. */
export function table(
  rows: readonly (readonly string[])[],
  rightAligned: readonly boolean[],
): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)))
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, c) => (rightAligned[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(" | ")} |`
  const rule = `| ${widths.map((w, c) => (rightAligned[c] ? `${"-".repeat(w - 1)}:` : "-".repeat(w))).join(" | ")} |`
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join("\n")
}

/** A number with thousands separators and `digits` decimals. */
export function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
}

/** `a / b` as a ratio like `1.23×`. */
export function ratio(a: number, b: number): string {
  return `${fmt(a / b, 2)}×`
}

/**
 * Curves of equal steps (one per round) as one: the median of each step over the curves
 * that reach it, up to the shortest curve; empty when any curve is.
 */
export function medianCurve(curves: readonly (readonly number[])[]): number[] {
  const steps = curves.length === 0 ? 0 : Math.min(...curves.map((curve) => curve.length))
  return Array.from({ length: steps }, (_, step) => median(curves.map((curve) => curve[step]!)))
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** "met" or "**missed**". */
export function verdict(ok: boolean): string {
  return ok ? "met" : "**missed**"
}

/** A profile summary as two short lists. */
export function profileSection(
  title: string,
  how: string,
  summary: ProfileSummary,
  findings: string,
): string {
  const list = (entries: ProfileSummary["owners"]) =>
    entries.map((entry) => `  - ${fmt(entry.share * 100, 1)} % ${entry.name}`).join("\n")
  return `### ${title}

${how}

- self time by owner (idle excluded):
${list(summary.owners)}
- self time by function:
${list(summary.functions)}

${findings}
`
}
