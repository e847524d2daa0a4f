/**
 * The benchmark input: a `FETCH (UID FLAGS ENVELOPE BODYSTRUCTURE)` response for 10,000
 * messages, as a server such as Dovecot writes it. Deterministic (a fixed-seed generator),
 * so every run parses the same bytes.
 */

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const NAMES = [
  "Alice Example",
  "Bob Smith",
  "Carol Jones",
  "=?UTF-8?B?w4lsb2RpZQ==?=",
  "Dan O'Neil",
]
const WORDS = [
  "meeting",
  "report",
  "invoice",
  "re:",
  "fwd:",
  "quarterly",
  "update",
  "lunch",
  "draft",
]

function address(rnd: () => number): string {
  const name = NAMES[Math.floor(rnd() * NAMES.length)]!
  const user =
    name
      .toLowerCase()
      .replace(/[^a-z]/g, "")
      .slice(0, 8) || "user"
  return `("${name}" NIL "${user}" "example.${rnd() < 0.5 ? "com" : "org"}")`
}

function subject(rnd: () => number): string {
  const n = 2 + Math.floor(rnd() * 6)
  const out: string[] = []
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(rnd() * WORDS.length)]!)
  return out.join(" ")
}

function textPart(rnd: () => number, subtype: string): string {
  const size = Math.floor(rnd() * 50_000)
  return `("text" "${subtype}" ("charset" "utf-8") NIL NIL "quoted-printable" ${size} ${Math.floor(size / 60)} NIL NIL NIL NIL)`
}

function bodyStructure(rnd: () => number, i: number): string {
  const alternative = `(${textPart(rnd, "plain")}${textPart(rnd, "html")} "alternative" ("boundary" "alt-${i}") NIL NIL NIL)`
  if (rnd() < 0.4) return alternative
  const attachment = `("application" "pdf" ("name" "file-${i}.pdf") NIL NIL "base64" ${Math.floor(rnd() * 2_000_000)} NIL ("attachment" ("filename" "file-${i}.pdf")) NIL NIL)`
  return `(${alternative}${attachment} "mixed" ("boundary" "mix-${i}") NIL NIL NIL)`
}

/** The response bytes for `count` messages, CRLF-terminated lines. */
export function fetchResponse(count: number): string {
  const rnd = random(20_261_126)
  const lines: string[] = []
  for (let i = 1; i <= count; i++) {
    const from = address(rnd)
    const to = [address(rnd), address(rnd)].slice(0, 1 + Math.floor(rnd() * 2)).join("")
    const cc = rnd() < 0.3 ? `(${address(rnd)})` : "NIL"
    const flags = rnd() < 0.7 ? "\\Seen" : "\\Seen \\Flagged"
    const envelope = `("Tue, 24 Nov 2026 10:${String(i % 60).padStart(2, "0")}:00 +0000" "${subject(rnd)}" (${from}) (${from}) (${from}) (${to}) ${cc} NIL ${rnd() < 0.3 ? `"<parent-${i}@example.com>"` : "NIL"} "<msg-${i}@example.com>")`
    lines.push(
      `* ${i} FETCH (UID ${1000 + i} FLAGS (${flags}) ENVELOPE ${envelope} BODYSTRUCTURE ${bodyStructure(rnd, i)})\r\n`,
    )
  }
  return lines.join("")
}
