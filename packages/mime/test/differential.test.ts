/**
 * Differential tests: mailwire against postal-mime 4.0.0, mailparser 3.14.2 and Python's
 * `email` package, on a seeded nodemailer corpus and on the hand-written fixtures.
 * Known, intended disagreements are listed in `KNOWN` with the reason.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Address, type ParsedMessage, parseMessage } from "@mailwire/mime"
import { simpleParser } from "mailparser"
import PostalMime from "postal-mime"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { corpusMessage } from "./fixtures/corpus.js"
import { FIXTURES } from "./fixtures/messages.js"

const CORPUS_SIZE = 48
/** Python's email package is compared only where python3 is installed; otherwise that test says it was skipped. */
const hasPython = spawnSync("python3", ["--version"]).status === 0
const SEED = 20_251_126

const norm = (s: string | false | undefined | null) =>
  s === undefined || s === null || s === false ? "" : s.replace(/\r\n/g, "\n").replace(/\s+$/, "")

function flat(list: readonly Address[]): Array<{ name: string; address: string }> {
  return list
    .flatMap((a) => (a.type === "group" ? a.members : [a]))
    .map((m) => ({ name: m.name, address: m.address }))
}

function hex(bytes: Uint8Array | ArrayBuffer | string): string {
  const view =
    typeof bytes === "string"
      ? new TextEncoder().encode(bytes)
      : new Uint8Array(bytes as ArrayBuffer)
  let h = ""
  for (const b of view) h += b.toString(16).padStart(2, "0")
  return h
}

function fromHex(h: string): Uint8Array {
  const out = new Uint8Array(h.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(h.slice(i * 2, i * 2 + 2), 16)
  return out
}

interface Comparable {
  subject: string
  from: Array<{ name: string; address: string }>
  to: Array<{ name: string; address: string }>
  text: string
  html: string
  attachments: Array<{ filename: string; content: string }>
}

function ours(m: ParsedMessage): Comparable {
  return {
    subject: m.subject ?? "",
    from: flat(m.from),
    to: flat(m.to),
    text: norm(m.text),
    html: norm(m.html),
    attachments: m.attachments.map((a) => ({
      filename: a.filename ?? "",
      content: hex(a.content),
    })),
  }
}

const corpus: Uint8Array[] = []
let python: Array<{
  subject: string
  attachments: Array<{ filename: string; content: string }>
  text: string
}> = []
let workDir = ""

beforeAll(async () => {
  for (let i = 0; i < CORPUS_SIZE; i++) corpus.push(await corpusMessage(SEED, i))
  workDir = mkdtempSync(join(tmpdir(), "mailwire-mime-diff-"))
  for (const [i, bytes] of corpus.entries()) {
    writeFileSync(join(workDir, `${String(i).padStart(4, "0")}.eml`), bytes)
  }
  const script = `
import sys, os, json, email
from email import policy
out = []
for name in sorted(n for n in os.listdir(sys.argv[1]) if n.endswith('.eml')):
    with open(os.path.join(sys.argv[1], name), 'rb') as f:
        m = email.message_from_binary_file(f, policy=policy.default)
    body = m.get_body(preferencelist=('plain',))
    atts = []
    def walk(part):
        ctype = part.get_content_type()
        if ctype == 'message/rfc822' and part.get_content_disposition() == 'attachment':
            atts.append({'filename': part.get_filename() or '', 'content': part.get_payload()[0].as_bytes(policy=policy.SMTP).hex()})
        elif part.is_multipart():
            for child in part.get_payload():
                walk(child)
        elif part.get_content_disposition() == 'attachment' or ctype not in ('text/plain', 'text/html'):
            atts.append({'filename': part.get_filename() or '', 'content': part.get_payload(decode=True).hex()})
    walk(m)
    out.append({'subject': str(m['subject'] or ''), 'attachments': atts, 'text': body.get_content() if body else ''})
print(json.dumps(out))
`
  writeFileSync(join(workDir, "parse.py"), script)
  if (!hasPython) return
  python = JSON.parse(
    execFileSync("python3", [join(workDir, "parse.py"), workDir], {
      encoding: "utf8",
      maxBuffer: 1 << 28,
    }),
  )
}, 120_000)

afterAll(() => {
  if (workDir !== "") rmSync(workDir, { recursive: true, force: true })
})

describe("differential: nodemailer corpus", () => {
  it("agrees with postal-mime on subject, addresses, text, html and attachment bytes", async () => {
    for (const bytes of corpus) {
      const m = await parseMessage(bytes)
      const mine = ours(m)
      const theirs = await PostalMime.parse(bytes, { attachmentEncoding: "arraybuffer" })
      expect(mine.subject).toBe(theirs.subject)
      expect(mine.from).toEqual([
        { name: theirs.from?.name ?? "", address: theirs.from?.address ?? "" },
      ])
      expect(mine.to).toEqual(
        (theirs.to ?? []).map((a) => ({ name: a.name, address: a.address ?? "" })),
      )
      expect(mine.text).toBe(norm(theirs.text))
      expect(mine.html).toBe(norm(theirs.html))
      const attachments = theirs.attachments.map((a) => ({
        filename: a.filename ?? "",
        content: hex(a.content as ArrayBuffer),
      }))
      const enclosed = m.attachments.map((a) => a.mimeType === "message/rfc822")
      expect(mine.attachments.filter((_, i) => !enclosed[i])).toEqual(
        attachments.filter((_, i) => !enclosed[i]),
      )
      // KNOWN (postal-mime): it rewrites the line breaks of an attached message/rfc822 as LF
      // and adds one at the end.
      const lf = (h: string) =>
        hex(fromHex(h).filter((_, k, all) => !(all[k] === 13 && all[k + 1] === 10))).replace(
          /(0a)+$/,
          "",
        )
      for (const [i, isEnclosed] of enclosed.entries()) {
        if (isEnclosed) expect(lf(mine.attachments[i]!.content)).toBe(lf(attachments[i]!.content))
      }
    }
  })

  it("agrees with mailparser on subject, addresses, text, html and attachment bytes", async () => {
    for (const bytes of corpus) {
      const m = await parseMessage(bytes)
      const mine = ours(m)
      const theirs = await simpleParser(Buffer.from(bytes))
      expect(mine.subject).toBe(theirs.subject)
      const from = theirs.from?.value.map((a) => ({ name: a.name, address: a.address ?? "" }))
      expect(mine.from).toEqual(from)
      const to = Array.isArray(theirs.to)
        ? theirs.to.flatMap((t) => t.value)
        : (theirs.to?.value ?? [])
      expect(mine.to).toEqual(to.map((a) => ({ name: a.name, address: a.address ?? "" })))
      expect(mine.text).toBe(norm(theirs.text))
      // KNOWN (mailparser): it rewrites cid: references in the HTML into data: URLs.
      const hasRelated = m.attachments.some((a) => a.related === true)
      if (!hasRelated) expect(mine.html).toBe(norm(theirs.html))
      expect(mine.attachments).toEqual(
        theirs.attachments.map((a) => ({ filename: a.filename ?? "", content: hex(a.content) })),
      )
    }
  })

  it.runIf(hasPython)(
    "agrees with Python's email package on subject, plain text and attachment bytes",
    async () => {
      expect(python).toHaveLength(corpus.length)
      for (const [i, bytes] of corpus.entries()) {
        const m = await parseMessage(bytes)
        const mine = ours(m)
        const theirs = python[i]!
        expect(mine.subject).toBe(theirs.subject)
        const plain =
          m.root.contentType.mimeType === "multipart/mixed" ||
          m.root.contentType.mimeType === "multipart/alternative" ||
          m.root.contentType.mimeType === "text/plain"
        if (plain && theirs.text !== "")
          expect(mine.text.split("\n")[0]).toBe(norm(theirs.text).split("\n")[0])
        expect(mine.attachments).toEqual(theirs.attachments)
      }
    },
  )
})

describe("differential: hand-written odd messages", () => {
  const squash = (s: string | undefined | null | false) => (s || "").replace(/\s+/g, " ").trim()
  const others: Record<
    string,
    (bytes: Uint8Array) => Promise<{ text: string; attachments: string[] }>
  > = {
    "postal-mime": async (bytes) => {
      const m = await PostalMime.parse(bytes, { attachmentEncoding: "arraybuffer" })
      return {
        text: squash(m.text),
        attachments: m.attachments.map((a) => hex(a.content as ArrayBuffer)),
      }
    },
    mailparser: async (bytes) => {
      const m = await simpleParser(Buffer.from(bytes))
      return { text: squash(m.text), attachments: m.attachments.map((a) => hex(a.content)) }
    },
  }
  for (const fixture of FIXTURES) {
    for (const [library, parse] of Object.entries(others)) {
      it(`agrees with ${library}, or differs for a listed reason: ${fixture.name}`, async () => {
        const bytes = new TextEncoder().encode(fixture.raw.replace(/\n/g, "\r\n"))
        const m = await parseMessage(bytes)
        const theirs = await parse(bytes)
        const same =
          squash(m.text) === theirs.text &&
          JSON.stringify(m.attachments.map((a) => hex(a.content))) ===
            JSON.stringify(theirs.attachments)
        const reason = KNOWN[`${library}: ${fixture.name}`]
        // Either both agree, or the difference is listed with its reason (and still exists).
        expect({ fixture: fixture.name, same, listed: reason !== undefined }).toEqual({
          fixture: fixture.name,
          same: reason === undefined,
          listed: reason !== undefined,
        })
      })
    }
  }
})

/** Fixtures where mailwire deliberately differs from postal-mime 4.0.0 or mailparser 3.14.2, and why. */
const KNOWN: Record<string, string> = {
  "postal-mime: RFC 2049 Appendix A style nesting with an enclosed message":
    "postal-mime adds a line break to text/* attachments (text/enriched here) and writes a From/Subject summary of an inline message into the text; mailwire keeps bytes and text as sent",
  "mailparser: RFC 2049 Appendix A style nesting with an enclosed message":
    "mailparser returns an inline message/rfc822 as an attachment; mailwire shows it inline, as Thunderbird and postal-mime do",
  "postal-mime: no header block at all":
    "postal-mime drops the first lines as broken headers; mailwire, like Python's email, starts the body at the first line that is not a header",
  "mailparser: no header block at all":
    "as for postal-mime: the lines are dropped as broken headers",
  "postal-mime: a header block that ends at a line that is not a header":
    "postal-mime reads non-header lines as headers up to the first blank line",
  "mailparser: a header block that ends at a line that is not a header": "as for postal-mime",
  "postal-mime: multipart/digest parts default to message/rfc822 (RFC 2046 §5.1.5)":
    "postal-mime writes a header summary of each enclosed message into the text",
  "mailparser: multipart/digest parts default to message/rfc822 (RFC 2046 §5.1.5)":
    "mailparser ignores the digest default and shows the enclosed message's header lines as text",
  "postal-mime: message/global enclosing a multipart (RFC 6532 §3.7)":
    "postal-mime does not know message/global and returns it as an attachment; mailwire parses it as RFC 6532 §3.7 asks",
  "mailparser: message/global enclosing a multipart (RFC 6532 §3.7)": "as for postal-mime",
}
