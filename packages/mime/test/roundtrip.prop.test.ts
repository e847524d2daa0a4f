import { buildMessage, type MessageSpec, parseMessage } from "@mailwire/mime"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const canonical = (s: string) => s.replace(/\r\n|\r|\n/g, "\r\n")

/** Printable text without controls, trimmed, single-spaced: what a header can carry unchanged. */
const headerText = fc.string({ unit: "grapheme", maxLength: 60 }).map((s) =>
  s
    .replace(/[\p{Cc}\p{Zl}\p{Zp}\u0085]/gu, "")
    .replace(/\s+/gu, " ")
    .trim(),
)

const bodyText = fc
  .string({ unit: "grapheme", maxLength: 400 })
  .map((s) => s.replace(/\u0000/g, ""))

const mailbox = fc.record({
  name: headerText,
  address: fc
    .tuple(fc.stringMatching(/^[a-z0-9]{1,10}$/), fc.stringMatching(/^[a-z]{1,8}\.(com|org|test)$/))
    .map(([l, d]) => `${l}@${d}`),
})

const attachment = fc.record({
  filename: headerText.filter((s) => s.length > 0),
  contentType: fc.constantFrom(
    "application/octet-stream",
    "image/png",
    "application/pdf",
    "text/csv",
  ),
  content: fc.oneof(
    fc.uint8Array({ maxLength: 2000 }),
    fc.string({ maxLength: 300 }).map((s) => new TextEncoder().encode(s)),
  ),
  isInline: fc.boolean(),
})

const specArb = fc.record({
  subject: headerText,
  from: mailbox,
  to: fc.array(mailbox, { minLength: 1, maxLength: 3 }),
  text: fc.option(bodyText, { nil: undefined }),
  html: fc.option(
    bodyText.map((s) => `<p>${s}</p>`),
    { nil: undefined },
  ),
  attachments: fc.array(attachment, { maxLength: 3 }),
  header: headerText,
  smtputf8: fc.boolean(),
  allow8bit: fc.boolean(),
})

describe("parseMessage(buildMessage(spec))", () => {
  it("gives back the spec's text, html, headers and attachment bytes", async () => {
    await fc.assert(
      fc.asyncProperty(specArb, fc.integer(), async (s, seed) => {
        let n = seed
        const spec: MessageSpec = {
          subject: s.subject,
          from: s.from,
          to: s.to,
          date: new Date("2024-02-29T12:00:00Z"),
          headers: [["X-Extra", s.header]],
          smtputf8: s.smtputf8,
          allow8bit: s.allow8bit,
          random: (bytes) => {
            for (let i = 0; i < bytes.length; i++) bytes[i] = n++ & 0xff
          },
          attachments: s.attachments.map((a, i) => ({
            filename: a.filename,
            contentType: a.contentType,
            content: a.content,
            ...(a.isInline ? { contentId: `part${i}@example.test` } : {}),
          })),
          ...(s.text === undefined ? {} : { text: s.text }),
          ...(s.html === undefined ? {} : { html: s.html }),
        }
        const bytes = buildMessage(spec)
        const m = await parseMessage(bytes)
        // A single 7bit/8bit part ends the message, so the final line break becomes its content.
        const isPlainRoot =
          ["7bit", "8bit"].includes(m.root.transferEncoding) && m.root.children.length === 0
        const expectedBody = (body: string) => {
          const c = canonical(body)
          return isPlainRoot && c.length > 0 && !c.endsWith("\n") ? `${c}\r\n` : c
        }
        expect(m.subject).toBe(s.subject)
        expect(m.from).toEqual([{ type: "mailbox", ...s.from }])
        expect(m.to).toEqual(s.to.map((t) => ({ type: "mailbox", ...t })))
        expect(m.headers.find((h) => h.key === "x-extra")?.value).toBe(s.header)
        expect(m.date?.toISOString()).toBe("2024-02-29T12:00:00.000Z")
        if (s.text !== undefined) expect(m.text).toBe(expectedBody(s.text))
        if (s.html !== undefined) expect(m.html).toBe(expectedBody(s.html))
        // Tree order: inline images sit with the HTML, before the other attachments.
        const all = spec.attachments!
        const inline = s.html === undefined ? [] : all.filter((a) => a.contentId !== undefined)
        const ordered = [...inline, ...all.filter((a) => !inline.includes(a))]
        expect(m.attachments.map((a) => [a.filename, a.mimeType, [...a.content]])).toEqual(
          ordered.map((a) => [a.filename, a.contentType, [...(a.content as Uint8Array)]]),
        )
        expect(m.defects).toEqual([])
      }),
      { numRuns: 300 },
    )
  })
})
