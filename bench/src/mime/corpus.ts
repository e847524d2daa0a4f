/**
 * The seeded MIME corpus for `pnpm bench:mime`, written by nodemailer's MailComposer
 * into `bench/.corpus/mime/` (gitignored) and reused while the seed and shape stay the
 * same: about 2,000 messages and 300+ MB — plain text, text + HTML, 1–3 attachments of
 * 10 KB–2 MB, attached message/rfc822, non-ASCII headers, quoted-printable bodies —
 * plus one 50 MB message.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"

interface MailComposerLike {
  compile(): { build(callback: (error: Error | null, message: Buffer) => void): void }
}
type MailComposerCtor = new (options: Record<string, unknown>) => MailComposerLike

const require = createRequire(import.meta.url)
const MailComposer = require("nodemailer/lib/mail-composer") as MailComposerCtor

/** Bump when the generator changes, so a stale corpus is rebuilt. */
const CORPUS_VERSION = 3
export const SEED = 20_251_126
export const MESSAGES = 2_000
/** The large single message, in bytes of attachment content (about 50 MB once encoded). */
const BIG_ATTACHMENT_BYTES = 36_500_000

export interface Corpus {
  readonly dir: string
  readonly files: readonly string[]
  readonly bytes: number
  readonly bigFile: string
  readonly bigBytes: number
}

function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function randomBytes(rand: () => number, size: number): Buffer {
  const out = Buffer.allocUnsafe(size)
  for (let i = 0; i < size; i += 4) {
    const v = (rand() * 4294967296) >>> 0
    out[i] = v & 0xff
    if (i + 1 < size) out[i + 1] = (v >>> 8) & 0xff
    if (i + 2 < size) out[i + 2] = (v >>> 16) & 0xff
    if (i + 3 < size) out[i + 3] = v >>> 24
  }
  return out
}

const WORDS = [
  "the",
  "report",
  "Grüße",
  "café",
  "日本語",
  "naïve",
  "Привет",
  "résumé",
  "data",
  "quarter",
  "€100",
  "🙂",
  "meeting",
  "plan",
  "budget",
  "and",
  "of",
  "to",
]
const NAMES = ["Ana Lima", "Jörg Müller", "李雷", "O'Brien, Pat", "Zoë Ångström", "Bob Smith"]

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!
}

function paragraph(rand: () => number, words: number): string {
  return Array.from({ length: words }, () => pick(rand, WORDS)).join(" ")
}

/** Attachment size: 10 KB to 2 MB, skewed towards small files as real mail is (mean about 135 KB). */
function attachmentSize(rand: () => number): number {
  return Math.floor(10_000 * 200 ** (rand() ** 3.5))
}

function build(options: Record<string, unknown>): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    new MailComposer(options)
      .compile()
      .build((error, message) => (error ? reject(error) : resolve(message))),
  )
}

async function message(index: number): Promise<Buffer> {
  const rand = prng(SEED + index * 7919)
  const kind = index % 10
  const text = Array.from({ length: 5 + Math.floor(rand() * 60) }, () => paragraph(rand, 14)).join(
    "\n",
  )
  const options: Record<string, unknown> = {
    from: { name: pick(rand, NAMES), address: `sender${index}@example.com` },
    to: [{ name: pick(rand, NAMES), address: "to@example.org" }, "list@example.net"],
    cc: kind % 3 === 0 ? [{ name: pick(rand, NAMES), address: "cc@example.org" }] : undefined,
    subject: `${paragraph(rand, 4)} #${index}`,
    date: new Date(Date.UTC(2025, 0, 1) + index * 600_000),
    messageId: `<bench-${index}@example.com>`,
    text,
  }
  if (kind >= 2 && kind !== 9)
    options.html = `<html><body><p>${text.replace(/\n/g, "</p>\n<p>")}</p></body></html>`
  if (kind === 0 || kind === 8 || kind === 9) options.textEncoding = "quoted-printable"
  const attachments: Record<string, unknown>[] = []
  if (kind >= 4 && kind <= 7) {
    const count = 1 + Math.floor(rand() * 3)
    for (let i = 0; i < count; i++) {
      attachments.push({
        filename: `${pick(rand, ["scan", "données", "報告"])}-${i}.bin`,
        content: randomBytes(rand, attachmentSize(rand)),
      })
    }
  }
  if (kind === 9)
    attachments.push({ filename: "report.pdf", content: randomBytes(rand, attachmentSize(rand)) })
  if (kind === 7) {
    const inner = await build({
      from: "inner@example.com",
      to: "x@example.com",
      subject: `Fwd: ${paragraph(rand, 3)}`,
      text: paragraph(rand, 80),
      attachments: [{ filename: "inner.bin", content: randomBytes(rand, 20_000) }],
    })
    attachments.push({
      filename: "forwarded.eml",
      contentType: "message/rfc822",
      contentDisposition: "attachment",
      content: inner,
    })
  }
  if (kind === 8) {
    options.html = `<p>${text}</p><img src="cid:logo${index}@example.com">`
    attachments.push({
      filename: "logo.png",
      content: randomBytes(rand, 4_000 + Math.floor(rand() * 40_000)),
      cid: `logo${index}@example.com`,
    })
  }
  options.attachments = attachments
  return build(options)
}

/** Returns the corpus under `root`, generating it first when missing or stale. */
export async function ensureCorpus(root: string, log: (line: string) => void): Promise<Corpus> {
  const dir = join(root, "mime")
  const manifestPath = join(dir, "manifest.json")
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Corpus & {
      version: number
      seed: number
    }
    if (manifest.version === CORPUS_VERSION && manifest.seed === SEED) return manifest
  }
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  log(`generating the corpus (seed ${SEED}) in ${dir} …`)
  const files: string[] = []
  let bytes = 0
  for (let i = 0; i < MESSAGES; i++) {
    const raw = await message(i)
    const file = join(dir, `${String(i).padStart(5, "0")}.eml`)
    writeFileSync(file, raw)
    files.push(file)
    bytes += raw.length
  }
  const rand = prng(SEED)
  const big = await build({
    from: "Big Sender <big@example.com>",
    to: "someone@example.org",
    subject: "A 50 MB message",
    text: "The attachment is large.",
    attachments: [{ filename: "video.bin", content: randomBytes(rand, BIG_ATTACHMENT_BYTES) }],
  })
  const bigFile = join(dir, "big.eml")
  writeFileSync(bigFile, big)
  const corpus: Corpus = { dir, files, bytes, bigFile, bigBytes: big.length }
  writeFileSync(manifestPath, JSON.stringify({ ...corpus, version: CORPUS_VERSION, seed: SEED }))
  return corpus
}
