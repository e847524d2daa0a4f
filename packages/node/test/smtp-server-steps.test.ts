/**
 * The server session's fast paths: commands answered within the socket's `'data'` event
 * when no hook makes them wait, one `dataTimeout` timer re-armed for every message, and
 * the `onData` outcome. Each test checks a behaviour those paths must keep.
 */
import type { Readable } from "node:stream"
import { SmtpReplyError, type SmtpServer } from "@mailwire/node/smtp"
import { describe, expect, it } from "vitest"
import { rawConnection } from "./harness/capture.js"
import { smtpServerStarter } from "./harness/smtp-servers.js"

const start = smtpServerStarter()

async function readAll(stream: Readable): Promise<string> {
  let text = ""
  for await (const chunk of stream) text += (chunk as Buffer).toString("latin1")
  return text
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The reply codes in a transcript, in order. */
function codes(text: string): string[] {
  return text
    .split("\r\n")
    .filter((line) => /^\d{3} /.test(line))
    .map((line) => line.slice(0, 3))
}

/** Opens a connection and sends one message in lock step; resolves with the final reply. */
async function sendOne(conn: Awaited<ReturnType<typeof rawConnection>>, nth: number) {
  const before = codes(conn.received).length
  const replies = (count: number) =>
    conn.until(new RegExp(`(?:^\\d{3} .*\\r\\n[^]*){${before + count}}`, "m"), 10_000)
  conn.send("MAIL FROM:<a@x.test>\r\n")
  await replies(1)
  conn.send("RCPT TO:<b@x.test>\r\n")
  await replies(2)
  conn.send("DATA\r\n")
  await replies(3)
  conn.send(`Subject: ${nth}\r\n\r\nbody ${nth}\r\n.\r\n`)
  const text = await replies(4)
  return codes(text).at(-1)
}

describe("SMTP server steps", () => {
  it("re-arms the data timeout for each message instead of counting from the first", async () => {
    const bodies: string[] = []
    let calls = 0
    const { port } = await start({
      dataTimeout: 1000,
      onData: async (_envelope, stream) => {
        calls++
        bodies.push(await readAll(stream))
        // The second message takes half the timeout, well after the first one started.
        if (calls === 2) await sleep(500)
      },
    })
    const conn = await rawConnection(port)
    await conn.until(/^220 /m)
    conn.send("EHLO c.test\r\n")
    await conn.until(/^250 /m)
    expect(await sendOne(conn, 1)).toBe("250")
    await sleep(700)
    expect(await sendOne(conn, 2)).toBe("250")
    conn.close()
    expect(bodies).toEqual(["Subject: 1\r\n\r\nbody 1\r\n", "Subject: 2\r\n\r\nbody 2\r\n"])
  })

  it("answers 451 when onData reads the body but never settles, and goes on", async () => {
    const errors: string[] = []
    let calls = 0
    const { port } = await start({
      dataTimeout: 300,
      onError: (error) => errors.push(error.message),
      onData: async (_envelope, stream) => {
        calls++
        await readAll(stream)
        if (calls === 1) await new Promise(() => {})
      },
    })
    const conn = await rawConnection(port)
    await conn.until(/^220 /m)
    conn.send("EHLO c.test\r\n")
    await conn.until(/^250 /m)
    expect(await sendOne(conn, 1)).toBe("451")
    expect(conn.received).toMatch(/^451 4\.4\.2 /m)
    expect(await sendOne(conn, 2)).toBe("250")
    conn.close()
    expect(errors.some((message) => message.includes("onData did not settle"))).toBe(true)
  })

  it("takes onData's refusal, thrown at once or rejected later", async () => {
    let calls = 0
    const { port } = await start({
      onData: (_envelope, stream) => {
        calls++
        stream.resume()
        if (calls === 1) throw new SmtpReplyError(550, "No thanks", { enhancedCode: "5.7.1" })
        return Promise.reject(new SmtpReplyError(452, "Later", { enhancedCode: "4.3.1" }))
      },
    })
    const conn = await rawConnection(port)
    await conn.until(/^220 /m)
    conn.send("EHLO c.test\r\n")
    await conn.until(/^250 /m)
    const first = await sendOne(conn, 1)
    const second = await sendOne(conn, 2)
    conn.close()
    expect([first, second]).toEqual(["550", "452"])
    expect(conn.received).toMatch(/^550 5\.7\.1 No thanks\r\n/m)
    expect(conn.received).toMatch(/^452 4\.3\.1 Later\r\n/m)
  })

  it("closes gracefully when a plain (not async) hook shuts the server down mid-command", async () => {
    let server: SmtpServer | null = null
    let closing: Promise<void> | null = null
    const started = await start({
      onMailFrom: () => {
        closing = server!.close()
      },
    })
    server = started.server
    const conn = await rawConnection(started.port)
    await conn.until(/^220 /m)
    conn.send("EHLO c.test\r\n")
    await conn.until(/^250 /m)
    conn.send("MAIL FROM:<a@x.test>\r\nNOOP\r\n")
    await conn.closed
    await closing
    // The answer to MAIL goes out, then 421; the pipelined NOOP is never read.
    expect(codes(conn.received).slice(-2)).toEqual(["250", "421"])
  })

  it("answers a message whose onData settles later, then closes for a shutdown asked meanwhile", async () => {
    let server: SmtpServer | null = null
    let closing: Promise<void> | null = null
    const started = await start({
      onRcptTo: async () => {
        await sleep(20)
      },
      onData: async (_envelope, stream) => {
        await readAll(stream)
        closing = server!.close()
        await sleep(50)
        return { code: 250, enhancedCode: "2.0.0", text: "Queued later" }
      },
    })
    server = started.server
    const conn = await rawConnection(started.port)
    await conn.until(/^220 /m)
    conn.send("EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA\r\n")
    await conn.until(/^354 /m)
    conn.send("Subject: s\r\n\r\nx\r\n.\r\nNOOP\r\n")
    await conn.closed
    await closing
    // The end of data waits for onData; the NOOP held behind it is answered in the same
    // step, and the shutdown asked for meanwhile follows that step with 421.
    expect(codes(conn.received)).toEqual(["220", "250", "250", "250", "354", "250", "250", "421"])
    expect(conn.received).toMatch(/^250 2\.0\.0 Queued later\r\n/m)
  })

  it("answers every pipelined command of one chunk, in order", async () => {
    const { port } = await start({
      onData: async (_envelope, stream) => {
        await readAll(stream)
      },
    })
    const conn = await rawConnection(port)
    await conn.until(/^220 /m)
    conn.send(
      "EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nRCPT TO:<c@x.test>\r\nDATA\r\n",
    )
    await conn.until(/^354 /m)
    conn.send("Subject: p\r\n\r\nx\r\n.\r\nNOOP\r\nQUIT\r\n")
    await conn.until(/^221 /m)
    conn.close()
    expect(codes(conn.received)).toEqual([
      "220",
      "250",
      "250",
      "250",
      "250",
      "354",
      "250",
      "250",
      "221",
    ])
  })

  it("answers a pipelined message behind one whose onData settles later, through async hooks", async () => {
    const bodies: string[] = []
    const { port } = await start({
      onMailFrom: async () => {
        await sleep(20)
      },
      onData: async (_envelope, stream) => {
        bodies.push(await readAll(stream))
        await sleep(20)
      },
    })
    const conn = await rawConnection(port)
    await conn.until(/^220 /m)
    conn.send("EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA\r\n")
    await conn.until(/^354 /m)
    // The end of the first message and the next transaction arrive together: they wait
    // for the first onData, then for the async MAIL hook, and are answered in order.
    conn.send(
      "Subject: 1\r\n\r\none\r\n.\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<c@x.test>\r\nDATA\r\n",
    )
    await conn.until(/(?:^354 [^\r]*\r\n[\s\S]*){2}/m)
    conn.send("Subject: 2\r\n\r\ntwo\r\n.\r\nQUIT\r\n")
    await conn.until(/^221 /m)
    conn.close()
    expect(codes(conn.received)).toEqual([
      "220",
      "250",
      "250",
      "250",
      "354",
      "250",
      "250",
      "250",
      "354",
      "250",
      "221",
    ])
    expect(bodies).toEqual(["Subject: 1\r\n\r\none\r\n", "Subject: 2\r\n\r\ntwo\r\n"])
  })

  it("answers thousands of pipelined BDAT messages whose onData each settles later", async () => {
    const count = 3000
    let stored = 0
    const { port } = await start({
      onData: async (_envelope, stream) => {
        await readAll(stream)
        await Promise.resolve()
        stored++
      },
    })
    const conn = await rawConnection(port)
    await conn.until(/^220 /m)
    conn.send("EHLO c.test\r\n")
    await conn.until(/^250 /m)
    const message = "MAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nBDAT 1 LAST\r\nx"
    conn.send(`${message.repeat(count)}QUIT\r\n`)
    await conn.until(/^221 /m, 20_000)
    conn.close()
    const replies = codes(conn.received)
    expect(replies.length).toBe(2 + count * 3 + 1)
    expect(replies.filter((code) => code !== "250")).toEqual(["220", "221"])
    expect(stored).toBe(count)
  })

  it("counts the idle timeout from the client's last command", async () => {
    const { port } = await start({ idleTimeout: 600 })
    const conn = await rawConnection(port)
    await conn.until(/^220 /m)
    // Five commands 200 ms apart: longer than the idle timeout in all, never idle that long.
    for (let i = 1; i <= 5; i++) {
      await sleep(200)
      conn.send("NOOP\r\n")
      await conn.until(new RegExp(`(?:^250 [^\\r]*\\r\\n[^]*){${i}}`, "m"))
    }
    await conn.closed
    expect(codes(conn.received)).toEqual(["220", "250", "250", "250", "250", "250", "421"])
  })

  it("gives the client a full idle timeout again after a hook slower than it", async () => {
    const { port } = await start({
      idleTimeout: 500,
      onMailFrom: async () => {
        await sleep(700)
      },
    })
    const conn = await rawConnection(port)
    await conn.until(/^220 /m)
    conn.send("EHLO c.test\r\n")
    await conn.until(/^250 /m)
    conn.send("MAIL FROM:<a@x.test>\r\n")
    await conn.until(/^250 2\.1\.0 /m)
    await sleep(100)
    conn.send("RCPT TO:<b@x.test>\r\n")
    await conn.until(/^250 2\.1\.5 /m)
    // Then idle: the timeout still closes the connection.
    await conn.closed
    expect(codes(conn.received)).toEqual(["220", "250", "250", "250", "421"])
  })

  it("closes a client that goes silent after the reply to a slow hook", async () => {
    const { port } = await start({
      idleTimeout: 200,
      onMailFrom: async () => {
        await sleep(400)
      },
    })
    const conn = await rawConnection(port)
    await conn.until(/^220 /m)
    conn.send("EHLO c.test\r\n")
    await conn.until(/^250 /m)
    conn.send("MAIL FROM:<a@x.test>\r\n")
    await conn.closed
    expect(codes(conn.received)).toEqual(["220", "250", "250", "421"])
  })
})
