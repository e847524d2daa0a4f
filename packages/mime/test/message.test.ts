import { parseMessage, parseMessageBytes } from "@mailwire/mime"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array) => new TextDecoder().decode(b)
const crlf = (s: string) => s.replace(/\r?\n/g, "\r\n")

const SAMPLE = crlf(`From: =?utf-8?Q?Jos=C3=A9?= <jose@example.com>
Sender: secretary@example.com
To: "Doe, Jane" <jane@example.com>, team: =?iso-8859-1?q?J=F6rg?= <joerg@example.com>;
Cc: bob@example.com
Reply-To: replies@example.com
Subject: =?utf-8?B?8J+Ukw==?= Report =?utf-8?Q?f=C3=BCr?= Q3
Date: Tue, 1 Jul 2025 10:00:00 +0200
Message-ID: <m1@example.com>
In-Reply-To: <m0@example.com>
References: <a@example.com>
 <m0@example.com>
X-Custom: =?utf-8?Q?caf=C3=A9?=
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=mixed

--mixed
Content-Type: multipart/alternative; boundary=alt

--alt
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Caf=E9 plain
--alt
Content-Type: multipart/related; boundary=rel

--rel
Content-Type: text/html; charset=utf-8

<p>Caf\u00e9 <img src="cid:logo@x"></p>
--rel
Content-Type: image/png
Content-ID: <logo@x>
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--rel--
--alt--
--mixed
Content-Type: application/pdf; name="=?utf-8?Q?r=C3=A9sum=C3=A9.pdf?="
Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQ=
--mixed
Content-Type: message/rfc822
Content-Disposition: attachment; filename=fwd.eml

Subject: inner

inner body
--mixed
Content-Type: text/plain

Trailing note
begin 644 cat.txt
#0V%T
\`
end
--mixed--
`)

describe("parseMessage", () => {
  it("decodes the envelope headers", async () => {
    const m = await parseMessage(enc(SAMPLE))
    expect(m.subject).toBe("🔓 Report für Q3")
    expect(m.from).toEqual([{ type: "mailbox", name: "José", address: "jose@example.com" }])
    expect(m.sender).toEqual({ type: "mailbox", name: "", address: "secretary@example.com" })
    expect(m.to).toEqual([
      { type: "mailbox", name: "Doe, Jane", address: "jane@example.com" },
      {
        type: "group",
        name: "team",
        members: [{ type: "mailbox", name: "Jörg", address: "joerg@example.com" }],
      },
    ])
    expect(m.cc).toEqual([{ type: "mailbox", name: "", address: "bob@example.com" }])
    expect(m.replyTo).toEqual([{ type: "mailbox", name: "", address: "replies@example.com" }])
    expect(m.bcc).toEqual([])
    expect(m.date?.toISOString()).toBe("2025-07-01T08:00:00.000Z")
    expect(m.messageId).toBe("<m1@example.com>")
    expect(m.inReplyTo).toBe("<m0@example.com>")
    expect(m.references).toEqual(["<a@example.com>", "<m0@example.com>"])
    expect(m.headers.find((h) => h.key === "x-custom")).toEqual({
      key: "x-custom",
      name: "X-Custom",
      value: "café",
    })
  })

  it("chooses text and html as mail clients do", async () => {
    const m = await parseMessage(enc(SAMPLE))
    expect(m.text).toBe("Café plain\nTrailing note\r\n")
    expect(m.html).toBe('<p>Café <img src="cid:logo@x"></p>\n<p>Trailing note<br>\n</p>')
  })

  it("collects attachments with names, content ids, related flags and bytes", async () => {
    const m = await parseMessage(enc(SAMPLE))
    const summary = m.attachments.map((a) => ({
      filename: a.filename,
      mimeType: a.mimeType,
      disposition: a.disposition,
      contentId: a.contentId,
      related: a.related,
      content: dec(a.content),
    }))
    expect(summary).toEqual([
      {
        filename: undefined,
        mimeType: "image/png",
        disposition: undefined,
        contentId: "<logo@x>",
        related: true,
        content: "\u0089PNG\r\n\u001a\n".replace("\u0089", "\ufffd"),
      },
      {
        filename: "résumé.pdf",
        mimeType: "application/pdf",
        disposition: "attachment",
        contentId: undefined,
        related: undefined,
        content: "%PDF-1.4",
      },
      {
        filename: "fwd.eml",
        mimeType: "message/rfc822",
        disposition: "attachment",
        contentId: undefined,
        related: undefined,
        content: "Subject: inner\r\n\r\ninner body",
      },
      {
        filename: "cat.txt",
        mimeType: "application/octet-stream",
        disposition: "attachment",
        contentId: undefined,
        related: undefined,
        content: "Cat",
      },
    ])
    expect(m.attachments[0]!.content[0]).toBe(0x89)
  })

  it("gives the same result from bytes, a ReadableStream and an async iterable, at any split", async () => {
    const bytes = enc(SAMPLE)
    const whole = parseMessageBytes(bytes)
    const shape = (m: typeof whole) => ({
      text: m.text,
      html: m.html,
      subject: m.subject,
      attachments: m.attachments.map((a) => [a.filename, dec(a.content)]),
      defects: m.defects,
    })
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: bytes.length }), { maxLength: 10 }), async (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b)
        const chunks: Uint8Array[] = []
        let at = 0
        for (const p of [...points, bytes.length]) {
          chunks.push(bytes.slice(at, p))
          at = p
        }
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            for (const c of chunks) controller.enqueue(c)
            controller.close()
          },
        })
        async function* iterable() {
          yield* chunks
        }
        expect(shape(await parseMessage(stream))).toEqual(shape(whole))
        expect(shape(await parseMessage(iterable()))).toEqual(shape(whole))
      }),
      { numRuns: 40 },
    )
  })

  it("has no text for an HTML-only message, and derives a block's missing form otherwise", async () => {
    const htmlOnly = await parseMessage(
      enc(crlf("Content-Type: text/html\n\n<p>One &amp; two</p>\n")),
    )
    expect(htmlOnly.text).toBeUndefined()
    expect(htmlOnly.html).toBe("<p>One &amp; two</p>\r\n")
    const mixed = await parseMessage(
      enc(
        crlf(
          "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nfirst <plain>\n--b\nContent-Type: text/html\n\n<p>One &amp; two</p><script>x()</script><p>three</p>\n--b--\n",
        ),
      ),
    )
    expect(mixed.text).toBe("first <plain>\nOne & two\nthree")
    expect(mixed.html).toBe(
      "<p>first &lt;plain&gt;</p>\n<p>One &amp; two</p><script>x()</script><p>three</p>",
    )
  })

  it("shows an inline message/rfc822 in the body", async () => {
    const m = await parseMessage(
      enc(
        crlf(
          "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nouter\n--b\nContent-Type: message/rfc822\n\nSubject: in\n\ninner\n--b--\n",
        ),
      ),
    )
    expect(m.text).toBe("outer\ninner")
    expect(m.attachments).toEqual([])
  })

  it("treats a text part with disposition attachment as an attachment", async () => {
    const m = await parseMessage(
      enc(
        crlf(
          "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nbody\n--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename=notes.txt\n\nnotes\n--b--\n",
        ),
      ),
    )
    expect(m.text).toBe("body")
    expect(m.attachments.map((a) => [a.filename, dec(a.content)])).toEqual([["notes.txt", "notes"]])
  })

  it("decodes text in the declared charset, and unknown charsets as windows-1252", async () => {
    const m = await parseMessage(
      Uint8Array.from([
        ...enc("Content-Type: text/plain; charset=x-unknown-thing\r\n\r\n"),
        0x93,
        0x41,
        0x94,
      ]),
    )
    expect(m.text).toBe("\u201cA\u201d")
    expect(m.defects.map((d) => d.code)).toContain("UNKNOWN_CHARSET")
  })

  it("records defects with the path of their part", async () => {
    const m = await parseMessage(
      enc(
        crlf(
          "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Transfer-Encoding: base64\n\nQUJD!\n",
        ),
      ),
    )
    expect(m.defects).toEqual([
      { code: "MISSING_FINAL_BOUNDARY", message: expect.any(String), path: [] },
      { code: "INVALID_BASE64", message: expect.any(String), path: [0] },
    ])
    expect(m.text).toBe("ABC")
  })

  it("never throws on arbitrary bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const m = await parseMessage(bytes)
        expect(m.root.bodyEnd).toBe(bytes.length)
      }),
    )
  })
})
