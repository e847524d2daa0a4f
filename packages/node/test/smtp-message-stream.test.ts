/**
 * The body stream `onData` reads: its chunks are the application's own, whatever the
 * session's bytes were a view of (a socket chunk, the machine's reader buffer); and how
 * `onData` settled reaches the session through `whenSettled`, once.
 */
import type { Readable } from "node:stream"
import { describe, expect, it } from "vitest"
import { type DataOutcome, Deadline, MessageStream } from "../src/smtp-message-stream.js"

async function collect(stream: Readable): Promise<Buffer[]> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return chunks
}

function settled(body: MessageStream): Promise<DataOutcome | null> {
  return new Promise((resolve) => body.whenSettled(resolve))
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
    expect(await settled(body)).toEqual({ value: [Buffer.from("Hello, world\r\n")] })
    const [chunk] = await chunks!
    expect(chunk).toBeInstanceOf(Buffer)
  })
})

describe("MessageStream outcome", () => {
  it("has no outcome while onData runs, and its value once it has settled", async () => {
    const body = new MessageStream(
      (stream) => collect(stream).then(() => "stored"),
      new Deadline(1000),
    )
    expect(body.outcome).toBeNull()
    body.end()
    expect(await settled(body)).toEqual({ value: "stored" })
    expect(body.outcome).toEqual({ value: "stored" })
  })

  it("starts onData at once, and calls whenSettled at once for an outcome already known", () => {
    let started = false
    const body = new MessageStream(() => {
      started = true
      return "done"
    }, new Deadline(1000))
    expect(started).toBe(true)
    const outcomes: (DataOutcome | null)[] = []
    body.whenSettled((outcome) => outcomes.push(outcome))
    expect(outcomes).toEqual([{ value: "done" }])
  })

  it("hands a thrown error or a rejection to whenSettled as the outcome", async () => {
    const thrown = new Error("store failed")
    const throwing = new MessageStream(() => {
      throw thrown
    }, new Deadline(1000))
    expect(await settled(throwing)).toEqual({ error: thrown })
    const rejecting = new MessageStream(() => Promise.reject(thrown), new Deadline(1000))
    expect(await settled(rejecting)).toEqual({ error: thrown })
  })

  it("calls whenSettled with null once the deadline passes, and not again when onData settles late", async () => {
    let finish: () => void = () => {}
    const body = new MessageStream(
      () => new Promise<void>((resolve) => (finish = resolve)),
      new Deadline(50),
    )
    const calls: (DataOutcome | null)[] = []
    await new Promise<void>((resolve) =>
      body.whenSettled((outcome) => {
        calls.push(outcome)
        resolve()
      }),
    )
    finish()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(calls).toEqual([null])
    expect(body.outcome).toEqual({ value: undefined })
  })
})
