/**
 * How the POP3 session writes an answer made of several pieces (`+OK` line, message,
 * `.` line): joined into one `write` when it is small, so it skips Node's corked
 * `writev` path, and through `cork`/`writev` unjoined above `JOIN_MAX_BYTES`.
 */
import type { Socket } from "node:net"
import { describe, expect, it } from "vitest"
import { JOIN_MAX_BYTES } from "../src/pop3-server-session.js"
import { writeChunks } from "../src/socket-io.js"

/** A stand-in socket that records the calls `writeChunks` makes. */
function recordingSocket(hasRoom = true) {
  const calls: string[] = []
  const written: Uint8Array[] = []
  const socket = {
    cork: () => calls.push("cork"),
    uncork: () => calls.push("uncork"),
    write: (chunk: Uint8Array) => {
      calls.push("write")
      written.push(Uint8Array.from(chunk))
      return hasRoom
    },
  }
  return { socket: socket as unknown as Socket, calls, written }
}

const bytes = (text: string) => new TextEncoder().encode(text)
const text = (chunks: readonly Uint8Array[]) =>
  chunks.map((chunk) => new TextDecoder().decode(chunk)).join("")

describe("writeChunks", () => {
  it("joins a small answer's pieces into one write, without cork", () => {
    const { socket, calls, written } = recordingSocket()
    const pieces = [bytes("+OK 8 octets\r\n"), bytes("hi\r\n"), bytes("..x\r\n"), bytes(".\r\n")]
    expect(writeChunks(socket, pieces, JOIN_MAX_BYTES)).toBe(true)
    expect(calls).toEqual(["write"])
    expect(text(written)).toBe("+OK 8 octets\r\nhi\r\n..x\r\n.\r\n")
  })

  it("joins up to JOIN_MAX_BYTES and passes on what write says about room", () => {
    const { socket, calls, written } = recordingSocket(false)
    const head = bytes("+OK\r\n")
    const body = new Uint8Array(JOIN_MAX_BYTES - head.length).fill(0x61)
    expect(writeChunks(socket, [head, body], JOIN_MAX_BYTES)).toBe(false)
    expect(calls).toEqual(["write"])
    expect(written[0]!.length).toBe(JOIN_MAX_BYTES)
    expect(written[0]!.subarray(0, head.length)).toEqual(head)
    expect(written[0]!.subarray(head.length)).toEqual(body)
  })

  it("writes a larger answer's pieces unjoined while corked", () => {
    const { socket, calls, written } = recordingSocket()
    const head = bytes("+OK\r\n")
    const body = new Uint8Array(JOIN_MAX_BYTES).fill(0x62)
    const end = bytes(".\r\n")
    expect(writeChunks(socket, [head, body, end], JOIN_MAX_BYTES)).toBe(true)
    expect(calls).toEqual(["cork", "write", "write", "write", "uncork"])
    expect(written).toEqual([head, body, end])
  })

  it("writes a single piece as it is", () => {
    const { socket, calls, written } = recordingSocket()
    expect(writeChunks(socket, [bytes("+OK\r\n")], JOIN_MAX_BYTES)).toBe(true)
    expect(calls).toEqual(["write"])
    expect(text(written)).toBe("+OK\r\n")
  })
})
