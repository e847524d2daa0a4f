/**
 * The body stream `onData` reads: its chunks are the application's own, whatever the
 * session's bytes were a view of (a socket chunk, the machine's reader buffer).
 */
import type { Readable } from "node:stream"
import { describe, expect, it } from "vitest"
import { Deadline, MessageStream } from "../src/smtp-message-stream.js"

async function collect(stream: Readable): Promise<Buffer[]> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return chunks
}

describe("MessageStream chunks", () => {
  it("copies a Buffer view, so later writes into the source do not reach the application", async () => {
    const socketChunk = Buffer.from("MAIL FROM:<a@b>\r\nHello, world\r\n")
    const view = socketChunk.subarray(17)
    let chunks: Promise<Buffer[]> | null = null
    const body = new MessageStream((stream) => {
      chunks = collect(stream)
      return chunks
    }, new Deadline(1000))
    body.push(view)
    socketChunk.fill(0x58)
    body.end()
    expect(await body.result()).toEqual({ value: [Buffer.from("Hello, world\r\n")] })
    const [chunk] = await chunks!
    expect(chunk).toBeInstanceOf(Buffer)
  })
})
