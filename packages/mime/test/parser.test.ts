import {
  DEFAULT_MAX_HEADER_BYTES,
  type MimeEvent,
  MimeParser,
  type MimeParserOptions,
  type MimePart,
} from "@mailwire/mime"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { FIXTURES } from "./fixtures/messages.js"

const enc = (s: string) => new TextEncoder().encode(s)
const latin1 = (b: Uint8Array) => {
  let s = ""
  for (const x of b) s += String.fromCharCode(x)
  return s
}
const crlf = (s: string) => s.replace(/\n/g, "\r\n")

interface Summary {
  type: string
  path: string
  mimeType?: string
  body?: string
}

/** Runs the parser over `chunks` and merges adjacent body events, as the split property asks. */
function run(
  chunks: Uint8Array[],
  options: MimeParserOptions = {},
): { events: Summary[]; root: MimePart } {
  const parser = new MimeParser(options)
  const raw: MimeEvent[] = []
  const events: Summary[] = []
  const take = (list: MimeEvent[]) => {
    for (const event of list) {
      raw.push(event)
      const path = "part" in event ? event.part.path.join(".") : ""
      const last = events[events.length - 1]
      if (event.type === "body") {
        if (last?.type === "body" && last.path === path) last.body += latin1(event.bytes)
        else events.push({ type: "body", path, body: latin1(event.bytes) })
      } else if (event.type === "partStart") {
        events.push({ type: event.type, path, mimeType: event.part.contentType.mimeType })
      } else {
        events.push({ type: event.type, path })
      }
    }
  }
  for (const chunk of chunks) take(parser.push(chunk))
  take(parser.end())
  const end = raw[raw.length - 1]
  if (end?.type !== "end") throw new Error("no end event")
  return { events, root: end.root }
}

function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const out: Uint8Array[] = []
  let at = 0
  for (const p of points) {
    out.push(bytes.slice(at, p))
    at = p
  }
  out.push(bytes.slice(at))
  return out
}

function bytewise(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (b) => Uint8Array.of(b))
}

function walk(part: MimePart, visit: (p: MimePart) => void): void {
  visit(part)
  for (const child of part.children) walk(child, visit)
}

function allDefects(root: MimePart): string[] {
  const out: string[] = []
  walk(root, (p) => out.push(...p.defects.map((d) => d.code)))
  return out
}

function countLines(bytes: Uint8Array): number {
  let n = 0
  for (const b of bytes) if (b === 10) n++
  return n + (bytes.length > 0 && bytes[bytes.length - 1] !== 10 ? 1 : 0)
}

describe("MimeParser golden fixtures", () => {
  for (const fixture of FIXTURES) {
    for (const [variant, text] of [
      ["LF", fixture.raw],
      ["CRLF", crlf(fixture.raw)],
    ] as const) {
      describe(`${fixture.name} (${variant})`, () => {
        const bytes = enc(text)
        const whole = run([bytes])

        it("gives the expected parts and decoded bodies", () => {
          const parts: Array<[string, string, string | null]> = []
          const bodies = new Map<string, string>()
          for (const e of whole.events) if (e.type === "body") bodies.set(e.path, e.body!)
          walk(whole.root, (p) => {
            const path = p.path.join(".")
            const isContainer = p.children.length > 0 || p.contentType.type === "multipart"
            const body =
              isContainer && p.contentType.parameters.boundary !== undefined
                ? null
                : (bodies.get(path) ?? "")
            parts.push([
              path,
              p.contentType.mimeType,
              p.children.length > 0 ? null : (body?.replace(/\r\n/g, "\n") ?? null),
            ])
          })
          expect(parts).toEqual(fixture.parts)
          expect(allDefects(whole.root)).toEqual(fixture.defects ?? [])
        })

        it("gives the same events byte at a time", () => {
          expect(run(bytewise(bytes)).events).toEqual(whole.events)
        })

        it("gives the same events at any split", () => {
          fc.assert(
            fc.property(fc.array(fc.nat(), { maxLength: 8 }), (cuts) => {
              expect(run(splitAt(bytes, cuts)).events).toEqual(whole.events)
            }),
            { numRuns: 60 },
          )
        })

        it("records offsets that slice out each raw body and its line count", () => {
          const raw = run([bytes], { bodies: "raw" })
          const rawBodies = new Map<string, string>()
          for (const e of raw.events) if (e.type === "body") rawBodies.set(e.path, e.body!)
          walk(raw.root, (p) => {
            const slice = bytes.subarray(p.bodyStart, p.bodyEnd)
            if (p.children.length === 0 && p.contentType.type !== "multipart") {
              expect(latin1(slice)).toBe(rawBodies.get(p.path.join(".")) ?? "")
            }
            expect(p.bodyLines).toBe(countLines(slice))
            expect(p.headerStart).toBeLessThanOrEqual(p.bodyStart)
          })
          expect(raw.root.bodyEnd).toBe(bytes.length)
        })
      })
    }
  }
})

describe("MimeParser headers and offsets", () => {
  it("gives each part its headers, path and offsets", () => {
    const text = crlf(`Subject: x
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain; charset=utf-8
Content-ID: <a@b>

one
two
--b--
`)
    const bytes = enc(text)
    const { root } = run([bytes])
    const child = root.children[0]!
    expect(root.headers.get("subject")).toBe("x")
    expect(child.path).toEqual([0])
    expect(child.headers.get("content-id")).toBe("<a@b>")
    expect(child.contentType.parameters.charset).toBe("utf-8")
    expect(latin1(bytes.subarray(child.headerStart, child.bodyStart))).toBe(
      "Content-Type: text/plain; charset=utf-8\r\nContent-ID: <a@b>\r\n\r\n",
    )
    expect(latin1(bytes.subarray(child.bodyStart, child.bodyEnd))).toBe("one\r\ntwo")
    expect(child.bodyLines).toBe(2)
  })

  it("unfolds folded header fields and reads 8-bit headers as UTF-8", () => {
    const { root } = run([enc("Subject: a\r\n  folded\r\n\tvalue\r\nX-Name: Grüße\r\n\r\n")])
    expect(root.headers.get("subject")).toBe("a  folded\tvalue")
    expect(root.headers.get("x-name")).toBe("Grüße")
  })
})

describe("MimeParser limits", () => {
  it("treats parts past maxParts as body, with a defect", () => {
    const parts = Array.from({ length: 10 }, (_, i) => `--b\r\n\r\npart ${i}\r\n`).join("")
    const { root } = run(
      [enc(`Content-Type: multipart/mixed; boundary=b\r\n\r\n${parts}--b--\r\n`)],
      { maxParts: 4 },
    )
    let count = 0
    walk(root, () => count++)
    expect(count).toBe(4)
    expect(root.defects.map((d) => d.code)).toContain("TOO_MANY_PARTS")
  })

  it("keeps a multipart past maxDepth as a leaf, with a defect", () => {
    let text = "leaf\r\n"
    for (let i = 5; i >= 0; i--)
      text = `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n${text}--b${i}--\r\n`
    const { root } = run([enc(text)], { maxDepth: 3 })
    let depth = 0
    let deepest: MimePart = root
    walk(root, (p) => {
      if (p.path.length > depth) {
        depth = p.path.length
        deepest = p
      }
    })
    expect(depth).toBe(3)
    expect(deepest.defects.map((d) => d.code)).toEqual(["TOO_DEEP"])
  })

  it("ends a header block past maxHeaderBytes and reads the rest as body", () => {
    const big = `X-Big: ${"a".repeat(200)}\r\n`.repeat(10)
    const { root, events } = run([enc(`Subject: s\r\n${big}\r\nbody\r\n`)], {
      maxHeaderBytes: 1000,
    })
    expect(root.defects.map((d) => d.code)).toContain("HEADER_TOO_LARGE")
    expect(root.headers.get("subject")).toBe("s")
    const body = events.find((e) => e.type === "body")!.body!
    expect(body.endsWith("\r\n\r\nbody\r\n")).toBe(true)
    expect(DEFAULT_MAX_HEADER_BYTES).toBe(102_400)
  })

  it("keeps its buffer small on a huge body without line breaks", () => {
    const parser = new MimeParser()
    parser.push(enc("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n"))
    const chunk = new Uint8Array(1 << 16).fill(0x2d)
    let total = 0
    for (let i = 0; i < 64; i++) {
      for (const e of parser.push(chunk)) if (e.type === "body") total += e.bytes.length
    }
    // Every byte but a held-back tail shorter than one boundary line has come out.
    expect(total).toBeGreaterThan(64 * chunk.length - 400)
  })
})

describe("MimeParser robustness", () => {
  const interesting = fc.constantFrom(
    ..."--b\r\n",
    "\r\n--b\r\n",
    "\r\n--b--\r\n",
    "Content-Type: multipart/mixed; boundary=b\r\n",
    "Content-Type: message/rfc822\r\n",
    "Content-Transfer-Encoding: base64\r\n",
    "Content-Transfer-Encoding: quoted-printable\r\n",
    "\r\n",
    "\n",
    "=",
    "x: y\r\n",
  )
  const input = fc
    .array(fc.oneof(interesting, fc.string({ maxLength: 12 })), { maxLength: 40 })
    .map((a) => enc(a.join("")))

  it("never throws on arbitrary structured bytes, and any split gives the same events", () => {
    fc.assert(
      fc.property(input, fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
        const whole = run([bytes], { maxParts: 20, maxDepth: 5 })
        expect(run(splitAt(bytes, cuts), { maxParts: 20, maxDepth: 5 }).events).toEqual(
          whole.events,
        )
        let count = 0
        walk(whole.root, (p) => {
          count++
          expect(p.path.length).toBeLessThanOrEqual(6)
          expect(p.bodyEnd).toBeLessThanOrEqual(bytes.length)
        })
        expect(count).toBeLessThanOrEqual(20)
      }),
      { numRuns: 300 },
    )
  })

  it("never throws on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        expect(run([bytes]).root.bodyEnd).toBe(bytes.length)
      }),
    )
  })
})
