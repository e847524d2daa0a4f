/**
 * `pnpm bench:mime`: mailwire's MIME parser against postal-mime 4.0.0, mailparser 3.14.2
 * and a CRLF-scan floor, in one run on one machine. Each measurement runs in its own
 * child process (plain `node` on a bundled worker) so peak RSS is per parser. Prints
 * the tables and writes them to `docs/benchmarks/mime.md`.
 */
import { execFileSync } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { cpus, totalmem } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"
import { ensureCorpus, MESSAGES, SEED } from "./corpus.js"

const benchDir = fileURLToPath(new URL("../..", import.meta.url))
const repoDir = join(benchDir, "..")
const corpusRoot = join(benchDir, ".corpus")
const workerFile = join(corpusRoot, "mime-worker.mjs")
const HUGE_BYTES = 1024 ** 3
/** Each measurement is repeated this many times, interleaved, and the fastest kept. */
const ROUNDS = 3
const COMMAND = "pnpm bench:mime"

interface Result {
  parser: string
  seconds: number
  cpuSeconds: number
  peakRssKb: number
  bytes?: number
  messages?: number
  beforeKb?: number
  decoded?: number
}

const log = (line: string) => process.stderr.write(`${line}\n`)

async function bundleWorker(): Promise<void> {
  mkdirSync(corpusRoot, { recursive: true })
  const alias = Object.fromEntries(
    ["wire", "rfc5322", "mime"].map((name) => [
      `@mailwire/${name}`,
      join(repoDir, "packages", name, "src", "index.ts"),
    ]),
  )
  await build({
    entryPoints: [join(benchDir, "src", "mime", "worker.ts")],
    outfile: workerFile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    alias,
    logLevel: "error",
  })
}

function measure(parser: string, mode: string, arg: string): Result {
  const out = execFileSync(process.execPath, [workerFile, parser, mode, arg], {
    cwd: benchDir,
    encoding: "utf8",
    maxBuffer: 1 << 20,
  })
  const result = JSON.parse(out.trim().split("\n").at(-1)!) as Result
  log(
    `  ${mode} ${parser}: ${result.cpuSeconds.toFixed(2)} s CPU, ${result.seconds.toFixed(2)} s wall, peak RSS ${(result.peakRssKb / 1024).toFixed(0)} MiB`,
  )
  return result
}

/** Runs every parser ROUNDS times, round-robin so load changes hit all alike; keeps each one's fastest CPU time. */
function best(parsers: string[], mode: string, arg: string): Result[] {
  const runs = new Map<string, Result[]>()
  for (let round = 0; round < ROUNDS; round++) {
    for (const parser of parsers) {
      const list = runs.get(parser) ?? []
      list.push(measure(parser, mode, arg))
      runs.set(parser, list)
    }
  }
  return parsers.map((parser) =>
    runs.get(parser)!.reduce((a, b) => (b.cpuSeconds < a.cpuSeconds ? b : a)),
  )
}

const mb = (bytes: number) => bytes / 1e6
const mib = (kb: number) => kb / 1024
const fmt = (n: number, digits = 1) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })

async function main(): Promise<void> {
  const corpus = await ensureCorpus(corpusRoot, log)
  await bundleWorker()
  const manifest = join(corpus.dir, "manifest.json")
  log(
    `corpus: ${corpus.files.length} messages, ${fmt(mb(corpus.bytes))} MB; big message ${fmt(mb(corpus.bigBytes))} MB`,
  )

  const corpusParsers = ["crlf-scan", "mailwire", "postal-mime", "mailparser"]
  const corpusResults = best(corpusParsers, "corpus", manifest)
  const bigParsers = ["crlf-scan", "mailwire", "mailwire-stream", "postal-mime", "mailparser"]
  const bigResults = best(bigParsers, "big", corpus.bigFile)
  const huge = best(["mailwire-discard"], "huge", String(HUGE_BYTES))[0]!

  const byName = (list: Result[], name: string) => list.find((r) => r.parser === name)!
  const ours = byName(corpusResults, "mailwire")
  const corpusRows = corpusResults.map((r) => {
    const ratio = r.parser === "mailwire" ? "—" : `${fmt(r.cpuSeconds / ours.cpuSeconds, 2)}×`
    return `| ${r.parser} | ${fmt(mb(r.bytes!) / r.cpuSeconds)} | ${fmt(r.messages! / r.cpuSeconds, 0)} | ${fmt(r.cpuSeconds, 2)} | ${fmt(r.seconds, 2)} | ${fmt(mib(r.peakRssKb), 0)} | ${ratio} |`
  })
  const bigOurs = byName(bigResults, "mailwire")
  const bigRows = bigResults.map((r) => {
    const ratio = r.parser === "mailwire" ? "—" : `${fmt(r.cpuSeconds / bigOurs.cpuSeconds, 2)}×`
    const input = r.parser === "mailwire-stream" ? "streamed from disk" : "in memory"
    return `| ${r.parser} | ${input} | ${fmt(r.cpuSeconds, 2)} | ${fmt(r.seconds, 2)} | ${fmt(mb(corpus.bigBytes) / r.cpuSeconds)} | ${fmt(mib(r.beforeKb!), 0)} | ${fmt(mib(r.peakRssKb), 0)} | ${fmt(mib(r.peakRssKb - r.beforeKb!), 0)} | ${ratio} |`
  })
  const postal = byName(corpusResults, "postal-mime")
  const bigPostal = byName(bigResults, "postal-mime")
  const bigStream = byName(bigResults, "mailwire-stream")
  const bigMiB = corpus.bigBytes / 1024 / 1024
  const check = (ok: boolean) => (ok ? "met" : "**missed**")
  const targets = [
    `| corpus throughput ≥ 4× postal-mime's | ${fmt(postal.cpuSeconds / ours.cpuSeconds, 2)}× | ${check(postal.cpuSeconds / ours.cpuSeconds >= 4)} |`,
    `| 50 MB message in ≤ ¼ of postal-mime's time | ${fmt(bigPostal.cpuSeconds / bigOurs.cpuSeconds, 2)}× faster | ${check(bigPostal.cpuSeconds / bigOurs.cpuSeconds >= 4)} |`,
    `| 50 MB message: peak RSS ≤ 2× message size (${fmt(2 * bigMiB, 0)} MiB), whole process | in memory ${fmt(mib(bigOurs.peakRssKb), 0)} MiB; streamed ${fmt(mib(bigStream.peakRssKb), 0)} MiB | ${check(Math.min(bigOurs.peakRssKb, bigStream.peakRssKb) / 1024 <= 2 * bigMiB)} |`,
    `| 50 MB message: memory the parse adds (peak − RSS before) ≤ 2× message size | in memory ${fmt(mib(bigOurs.peakRssKb - bigOurs.beforeKb!), 0)} MiB (${fmt((bigOurs.peakRssKb - bigOurs.beforeKb!) / 1024 / bigMiB, 2)}×); streamed ${fmt(mib(bigStream.peakRssKb - bigStream.beforeKb!), 0)} MiB (${fmt((bigStream.peakRssKb - bigStream.beforeKb!) / 1024 / bigMiB, 2)}×) | ${check((bigOurs.peakRssKb - bigOurs.beforeKb!) / 1024 <= 2 * bigMiB)} |`,
    `| 1 GiB message, bodies discarded: RSS < 64 MiB | ${fmt(mib(huge.peakRssKb), 0)} MiB at ${fmt(mb(huge.bytes!) / huge.cpuSeconds)} MB/s | ${check(huge.peakRssKb / 1024 < 64)} |`,
  ]
  const cpu = cpus()
  const doc = `# MIME parsing: mailwire against postal-mime and mailparser

Written by \`${COMMAND}\` (\`bench/src/mime/run.ts\`); do not edit by hand.

- date: ${new Date().toISOString()}
- machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? "unknown"}), ${fmt(totalmem() / 1024 ** 3, 0)} GiB RAM, Node ${process.version}
- command: \`${COMMAND}\`
- corpus: ${MESSAGES} messages, ${fmt(mb(corpus.bytes))} MB, written by nodemailer 10.6.1's MailComposer with seed ${SEED} (plain, text + HTML, 1–3 attachments of 10 KB–2 MB, attached message/rfc822, inline images, non-ASCII headers, quoted-printable bodies); one ${fmt(mb(corpus.bigBytes))} MB message with one attachment
- each row is its own child process (plain \`node\` on a bundled worker), run ${ROUNDS} times round-robin with the other parsers; the fastest run is shown. Time is parse time only (files are read before the clock starts). Rates and ratios use CPU time (user + system, all threads of the process), which other load on this shared 2-core machine disturbs far less than wall time; wall time is shown next to it. Peak RSS is the child's \`maxRSS\` and includes Node itself (about 42 MiB) and the input held in memory
- parsers: \`parseMessageBytes\` (mailwire: headers, addresses, text/html, decoded attachments), \`PostalMime.parse\` (postal-mime 4.0.0), \`simpleParser\` (mailparser 3.14.2); the floor finds every LF and nothing else

## Corpus

| parser | MB/s | messages/s | CPU s | wall s | peak RSS (MiB) | CPU time vs mailwire |
|---|---:|---:|---:|---:|---:|---:|
${corpusRows.join("\n")}

## One ${fmt(mb(corpus.bigBytes))} MB message

| parser | input | CPU s | wall s | MB/s | RSS before (MiB) | peak RSS (MiB) | growth (MiB) | CPU time vs mailwire |
|---|---|---:|---:|---:|---:|---:|---:|---:|
${bigRows.join("\n")}

## 1 GiB message through \`MimeParser\`, decoded bodies discarded

${fmt(mb(huge.bytes!))} MB in ${fmt(huge.cpuSeconds, 2)} s CPU (${fmt(mb(huge.bytes!) / huge.cpuSeconds)} MB/s, ${fmt(mb(huge.decoded!))} MB decoded), peak RSS ${fmt(mib(huge.peakRssKb), 0)} MiB, Node included.

## Targets (issue 4)

| target | measured | |
|---|---|---|
${targets.join("\n")}

## Notes

- Peak RSS is the whole process. Node 20 alone is about 42 MiB, and the in-memory rows
  also hold the 50 MB input before parsing starts, so "≤ 2× the message size" cannot hold
  for the whole process there; the growth column (peak minus the RSS just before parsing,
  input loaded) is the parser's own cost: mailwire's is the decoded attachment itself.
- Streamed, mailwire collects an attachment's decoded chunks and joins them once at the
  end, so for one large attachment the peak briefly holds it twice. What remains: a buffer
  that grows in place (a resizable \`ArrayBuffer\`) would remove the join, but Node 20 has
  no \`transferToFixedLength\` to hand the result back as an ordinary fixed-length array,
  and browsers' Web APIs reject views of resizable buffers, so it is not done yet. A
  caller that does not need the whole attachment in memory uses \`MimeParser\` directly
  (the 1 GiB row).
- Profile of the corpus run: base64 decoding and allocating the decoded attachments
  dominate; the boundary/line scan is next. The base64 decoder decodes two characters per
  table look-up and quoted-printable is decoded in one pass without per-escape objects;
  \`MimeParser\` decodes into a buffer reused from push to push, so streaming makes no
  garbage per chunk.
`
  const docFile = join(repoDir, "docs", "benchmarks", "mime.md")
  mkdirSync(dirname(docFile), { recursive: true })
  writeFileSync(docFile, doc)
  process.stdout.write(doc)
  log(`wrote ${docFile}`)
}

await main()
