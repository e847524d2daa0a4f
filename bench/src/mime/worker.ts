/**
 * One measurement in its own process, so each parser's peak RSS is its own. Bundled by
 * `run.ts` and run with plain `node` (no loader in memory). Prints one JSON line.
 *
 *   node mime-worker.mjs <parser> corpus <manifest.json>
 *   node mime-worker.mjs <parser> big <file>
 *   node mime-worker.mjs mailwire-discard huge <bytes>
 */
import { createReadStream, readFileSync } from "node:fs"
import { MimeParser, parseMessage, parseMessageBytes } from "@mailwire/mime"

type Parse = (bytes: Uint8Array, file: string) => Promise<unknown> | unknown

/** Each parser is loaded only in its own process, so no process pays for another's modules. */
const PARSERS: Record<string, () => Promise<Parse>> = {
  /** The floor: find every line end, nothing else. */
  "crlf-scan": async () => (bytes) => {
    let lines = 0
    for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) lines++
    return lines
  },
  mailwire: async () => (bytes) => parseMessageBytes(bytes),
  "mailwire-stream": async () => (_bytes, file) =>
    parseMessage(createReadStream(file, { highWaterMark: 1 << 16 })),
  "postal-mime": async () => {
    const PostalMime = (await import("postal-mime")).default
    return (bytes) => PostalMime.parse(bytes)
  },
  mailparser: async () => {
    const { simpleParser } = await import("mailparser")
    return (bytes) => simpleParser(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
  },
}

/** A file's bytes without a second copy. */
function readBytes(file: string): Uint8Array {
  const buffer = readFileSync(file)
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}

function rssKb(): number {
  return Math.round(process.memoryUsage.rss() / 1024)
}

/** Wall-clock and CPU (user + system, all threads of this process) seconds. */
class Clock {
  wall = 0
  cpu = 0
  private wallStart = 0n
  private cpuStart: NodeJS.CpuUsage | null = null

  start(): void {
    this.cpuStart = process.cpuUsage()
    this.wallStart = process.hrtime.bigint()
  }

  stop(): void {
    this.wall += Number(process.hrtime.bigint() - this.wallStart) / 1e9
    const used = process.cpuUsage(this.cpuStart ?? undefined)
    this.cpu += (used.user + used.system) / 1e6
  }
}

async function corpus(parse: Parse, manifestPath: string): Promise<object> {
  const { files } = JSON.parse(readFileSync(manifestPath, "utf8")) as { files: string[] }
  const clock = new Clock()
  let bytes = 0
  for (const file of files) {
    const raw = readBytes(file)
    clock.start()
    await parse(raw, file)
    clock.stop()
    bytes += raw.length
  }
  return {
    messages: files.length,
    bytes,
    seconds: clock.wall,
    cpuSeconds: clock.cpu,
    peakRssKb: process.resourceUsage().maxRSS,
  }
}

async function big(parse: Parse, file: string, isStreamed: boolean): Promise<object> {
  const raw = isStreamed ? new Uint8Array(0) : readBytes(file)
  const beforeKb = rssKb()
  const clock = new Clock()
  clock.start()
  await parse(raw, file)
  clock.stop()
  return {
    seconds: clock.wall,
    cpuSeconds: clock.cpu,
    beforeKb,
    peakRssKb: process.resourceUsage().maxRSS,
  }
}

/** A synthetic multipart message of `total` bytes streamed through MimeParser, bodies discarded. */
function huge(total: number): object {
  const enc = new TextEncoder()
  const line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n"
  const block = enc.encode(line.repeat(Math.floor(65_536 / line.length)))
  const partBytes = 64 * 1024 * 1024
  const parser = new MimeParser()
  let fed = 0
  let decoded = 0
  const clock = new Clock()
  clock.start()
  const feed = (chunk: Uint8Array) => {
    fed += chunk.length
    for (const event of parser.push(chunk)) if (event.type === "body") decoded += event.bytes.length
  }
  feed(enc.encode("From: a@example.com\r\nContent-Type: multipart/mixed; boundary=huge\r\n\r\n"))
  while (fed < total) {
    feed(
      enc.encode(
        "--huge\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n",
      ),
    )
    const end = Math.min(total, fed + partBytes)
    while (fed < end) feed(block)
  }
  feed(enc.encode("--huge--\r\n"))
  for (const event of parser.end()) if (event.type === "body") decoded += event.bytes.length
  clock.stop()
  return {
    bytes: fed,
    decoded,
    seconds: clock.wall,
    cpuSeconds: clock.cpu,
    peakRssKb: process.resourceUsage().maxRSS,
  }
}

async function main(): Promise<void> {
  const [name = "", mode = "", arg = ""] = process.argv.slice(2)
  let result: object
  if (mode === "huge") {
    result = huge(Number(arg))
  } else {
    const load = PARSERS[name]
    if (load === undefined) throw new Error(`unknown parser ${name}`)
    const parse = await load()
    result =
      mode === "corpus"
        ? await corpus(parse, arg)
        : await big(parse, arg, name === "mailwire-stream")
  }
  process.stdout.write(`${JSON.stringify({ parser: name, mode, ...result })}\n`)
}

await main()
