import { buildMessage, buildMessageStream, type MessageSpec, parseMessage } from "@mailwire/mime"
import { LocalProtocolError } from "@mailwire/wire"
import { describe, expect, it } from "vitest"

const dec = (b: Uint8Array) => new TextDecoder().decode(b)

/** A deterministic random source: bytes 0, 1, 2, … */
function counter(): (bytes: Uint8Array) => void {
  let n = 0
  return (bytes) => {
    for (let i = 0; i < bytes.length; i++) bytes[i] = n++ & 0xff
  }
}

const BASE: MessageSpec = {
  from: "Ana <ana@example.com>",
  to: "bo@example.com",
  date: new Date("2025-01-02T03:04:05Z"),
  messageId: "<id@example.com>",
  random: counter(),
}

function contentTypes(raw: string): string[] {
  return [...raw.matchAll(/^Content-Type: ([^;\r\n]+)/gim)].map((m) => m[1]!.toLowerCase())
}

describe("buildMessage", () => {
  it("writes a plain message exactly (golden)", () => {
    const raw = dec(buildMessage({ ...BASE, subject: "Hi", text: "Hello\nthere" }))
    expect(raw).toBe(
      [
        "Date: Thu, 2 Jan 2025 03:04:05 +0000",
        "From: Ana <ana@example.com>",
        "To: bo@example.com",
        "Message-ID: <id@example.com>",
        "Subject: Hi",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 7bit",
        "",
        "Hello",
        "there",
        "",
      ].join("\r\n"),
    )
  })

  it("chooses the multipart structure from the content", () => {
    expect(contentTypes(dec(buildMessage({ ...BASE, text: "t" })))).toEqual(["text/plain"])
    expect(contentTypes(dec(buildMessage({ ...BASE, text: "t", html: "<p>h</p>" })))).toEqual([
      "multipart/alternative",
      "text/plain",
      "text/html",
    ])
    const image = {
      filename: "logo.png",
      contentType: "image/png",
      content: new Uint8Array([1, 2]),
      contentId: "logo@x",
    }
    const file = { filename: "a.bin", content: new Uint8Array([0, 255]) }
    expect(
      contentTypes(
        dec(
          buildMessage({
            ...BASE,
            text: "t",
            html: "<img src=cid:logo@x>",
            attachments: [image, file],
          }),
        ),
      ),
    ).toEqual([
      "multipart/mixed",
      "multipart/alternative",
      "text/plain",
      "multipart/related",
      "text/html",
      "image/png",
      "application/octet-stream",
    ])
    expect(contentTypes(dec(buildMessage({ ...BASE, attachments: [file] })))).toEqual([
      "multipart/mixed",
      "application/octet-stream",
    ])
  })

  it("uses deterministic boundaries from the injected random source", () => {
    const a = buildMessage({ ...BASE, text: "t", html: "h", random: counter() })
    const b = buildMessage({ ...BASE, text: "t", html: "h", random: counter() })
    expect(a).toEqual(b)
    expect(dec(a)).toContain('boundary="=_mw_000102030405060708090a0b"')
  })

  it("chooses the transfer encoding per part from its bytes", () => {
    const cte = (spec: Partial<MessageSpec>) =>
      [
        ...dec(buildMessage({ ...BASE, ...spec })).matchAll(/Content-Transfer-Encoding: (\S+)/g),
      ].map((m) => m[1])
    expect(cte({ text: "plain ascii" })).toEqual(["7bit"])
    expect(cte({ text: "mostly ascii with one é" })).toEqual(["quoted-printable"])
    expect(cte({ text: "日本語のテキストです" })).toEqual(["base64"])
    expect(cte({ text: "mostly ascii with one é", allow8bit: true })).toEqual(["8bit"])
    expect(cte({ text: "x".repeat(1200) })).toEqual(["quoted-printable"])
    expect(cte({ attachments: [{ content: "a,b\r\n1,2\r\n", contentType: "text/csv" }] })).toEqual([
      "7bit",
    ])
    expect(cte({ attachments: [{ content: "bare\nlf" }] })).toEqual(["base64"])
  })

  it("keeps every line within 998 octets and header lines near 78", () => {
    const raw = dec(
      buildMessage({
        ...BASE,
        subject: "A very long subject ".repeat(20),
        text: "y".repeat(5000),
        attachments: [{ filename: `${"ü".repeat(50)}.txt`, content: new Uint8Array(3000) }],
      }),
    )
    const lines = raw.split("\r\n")
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(998)
    const headerEnd = lines.indexOf("")
    for (const line of lines.slice(0, headerEnd)) expect(line.length).toBeLessThanOrEqual(78)
  })

  it("writes non-ASCII headers as encoded-words, or as UTF-8 with smtputf8", () => {
    const spec = {
      ...BASE,
      from: "Jöhn Dœ <john@bücher.example>",
      subject: "Grüße",
      headers: { "X-Note": "naïve" },
    }
    const ascii = dec(buildMessage(spec))
    expect(ascii).toMatch(/^From: =\?UTF-8\?[BQ]\?.+\?= <john@xn--bcher-kva\.example>$/m)
    expect(ascii).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/m)
    expect(ascii).toMatch(/^X-Note: =\?UTF-8\?[BQ]\?/m)
    expect(/[^\x00-\x7f]/.test(ascii)).toBe(false)
    const utf8 = dec(buildMessage({ ...spec, smtputf8: true }))
    expect(utf8).toContain("Subject: Grüße")
    expect(utf8).toContain("From: Jöhn Dœ <john@bücher.example>")
  })

  it("writes Bcc only when asked to keep it", async () => {
    expect(dec(buildMessage({ ...BASE, bcc: "hidden@example.com", text: "t" }))).not.toContain(
      "hidden@",
    )
    const kept = await parseMessage(
      buildMessage({ ...BASE, bcc: "hidden@example.com", keepBcc: true, text: "t" }),
    )
    expect(kept.bcc).toEqual([{ type: "mailbox", name: "", address: "hidden@example.com" }])
  })

  it("rejects CR, LF and NUL in header fields, and bad names and types", () => {
    const bad: Array<Partial<MessageSpec>> = [
      { subject: "a\r\nBcc: victim@example.com" },
      { headers: { "X-A": "b\nInjected: yes" } },
      { headers: { "Bad Name": "x" } },
      { headers: { "Content-Type": "text/html" } },
      { to: "a@example.com\r\nBcc: x@example.com" },
      { to: { name: "x\r\n", address: "a@example.com" } },
      { messageId: "<a\r\n@b>" },
      { attachments: [{ content: "x", contentType: "text/plain\r\nX: y" }] },
      { attachments: [{ content: "x", contentId: "a\r\nb" }] },
      { from: "ü@example.com" },
    ]
    for (const spec of bad)
      expect(() => buildMessage({ ...BASE, ...spec })).toThrow(LocalProtocolError)
  })

  it("keeps a filename with CR/LF harmless by percent-encoding it (RFC 2231)", async () => {
    const raw = buildMessage({
      ...BASE,
      attachments: [{ filename: "a\r\nX-Evil: 1.txt", content: "x" }],
    })
    expect(dec(raw)).not.toMatch(/^X-Evil/m)
    const m = await parseMessage(raw)
    expect(m.attachments[0]!.filename).toBe("a\r\nX-Evil: 1.txt")
  })

  it("refuses a streamed attachment in buildMessage", () => {
    const stream = new ReadableStream<Uint8Array>()
    expect(() => buildMessage({ ...BASE, attachments: [{ content: stream }] })).toThrow(
      LocalProtocolError,
    )
  })
})

describe("buildMessageStream", () => {
  it("streams a large attachment through base64 without holding it", async () => {
    const size = 3 * 1024 * 1024 + 7
    let produced = 0
    let maxAhead = 0
    let pulledOut = 0
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (produced >= size) {
          controller.close()
          return
        }
        const n = Math.min(65536, size - produced)
        const chunk = new Uint8Array(n)
        for (let i = 0; i < n; i++) chunk[i] = (produced + i) % 251
        produced += n
        maxAhead = Math.max(maxAhead, produced - (pulledOut * 3) / 4)
        controller.enqueue(chunk)
      },
    })
    const out = buildMessageStream({
      ...BASE,
      text: "see attached",
      attachments: [{ filename: "big.bin", content: source }],
    })
    const chunks: Uint8Array[] = []
    for await (const chunk of out as unknown as AsyncIterable<Uint8Array>) {
      chunks.push(chunk)
      pulledOut += chunk.length
    }
    // The source is never read far ahead of what the consumer took.
    expect(maxAhead).toBeLessThan(1024 * 1024)
    const total = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
    let at = 0
    for (const c of chunks) {
      total.set(c, at)
      at += c.length
    }
    const m = await parseMessage(total)
    const content = m.attachments[0]!.content
    expect(content.length).toBe(size)
    let ok = true
    for (let i = 0; i < size; i++) if (content[i] !== i % 251) ok = false
    expect(ok).toBe(true)
    expect(m.text).toBe("see attached")
  })

  it("gives the same bytes as buildMessage for in-memory content", async () => {
    const spec = (random: (b: Uint8Array) => void): MessageSpec => ({
      ...BASE,
      random,
      text: "t",
      attachments: [{ filename: "a.bin", content: new Uint8Array([1, 2, 3]) }],
    })
    const chunks: Uint8Array[] = []
    for await (const c of buildMessageStream(
      spec(counter()),
    ) as unknown as AsyncIterable<Uint8Array>)
      chunks.push(c)
    expect(dec(new Uint8Array(chunks.flatMap((c) => [...c])))).toBe(
      dec(buildMessage(spec(counter()))),
    )
  })
})
