/**
 * A message store for tests: an `onData` hook that keeps each message's bytes and
 * envelope, and a raw-socket SMTP dialogue helper for attack tests.
 */
import { Socket } from "node:net"
import type { Readable } from "node:stream"
import type { SmtpServerEnvelope } from "@mailwire/node/smtp"

export interface Captured {
  readonly from: string
  readonly to: readonly string[]
  readonly body: Buffer
}

/** An `onData` hook that stores what it reads into `into`. */
export function captureInto(into: Captured[]) {
  return async (envelope: SmtpServerEnvelope, stream: Readable): Promise<void> => {
    const chunks: Buffer[] = []
    for await (const chunk of stream) chunks.push(chunk as Buffer)
    into.push({ from: envelope.from, to: envelope.to, body: Buffer.concat(chunks) })
  }
}

/**
 * A raw TCP conversation: `send` writes bytes, `until` waits (with a timeout) for the
 * text received so far to match, `closed` resolves when the server closes.
 */
export async function rawConnection(port: number) {
  const socket = new Socket()
  let received = ""
  const listeners = new Set<() => void>()
  socket.on("data", (chunk: Buffer) => {
    received += chunk.toString("latin1")
    for (const listener of listeners) listener()
  })
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()))
  socket.on("error", () => {})
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject)
    socket.connect(port, "127.0.0.1", () => resolve())
  })
  return {
    socket,
    closed,
    get received() {
      return received
    },
    send(text: string | Uint8Array) {
      socket.write(text)
    },
    until(pattern: RegExp, timeoutMs = 5000): Promise<string> {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(received)) {
            listeners.delete(check)
            clearTimeout(timer)
            resolve(received)
          }
        }
        const timer = setTimeout(() => {
          listeners.delete(check)
          reject(new Error(`timed out waiting for ${pattern}; got ${JSON.stringify(received)}`))
        }, timeoutMs)
        listeners.add(check)
        check()
      })
    },
    close() {
      socket.destroy()
    },
  }
}
