/**
 * The input pump with a step that ends by callback (`Handoff`, what the SMTP server
 * returns while `onData` reads the end of a message): chunks that arrive meanwhile wait
 * their turn and pause the socket, and the pump goes on, in order, from `finish()` itself.
 */
import { EventEmitter } from "node:events"
import type { Socket } from "node:net"
import { describe, expect, it } from "vitest"
import { Handoff, InputPump, type PumpWait } from "../src/socket-io.js"

/** Just what the pump uses of a socket: its events, `pause` and `resume`. */
class FakeSocket extends EventEmitter {
  destroyed = false
  paused = false
  pause(): this {
    this.paused = true
    return this
  }
  resume(): this {
    this.paused = false
    return this
  }
}

const bytes = (text: string) => new TextEncoder().encode(text)
const text = (chunk: Uint8Array) => new TextDecoder().decode(chunk)

describe("InputPump with a Handoff step", () => {
  it("holds later chunks and pauses the socket until finish(), then goes on in order", () => {
    const socket = new FakeSocket()
    const handled: string[] = []
    const waits = new Map<string, Handoff>()
    const pump = new InputPump(
      socket as unknown as Socket,
      (chunk): PumpWait => {
        handled.push(text(chunk))
        const handoff = new Handoff()
        waits.set(text(chunk), handoff)
        return text(chunk) === "end" ? handoff : undefined
      },
      () => undefined,
    )
    socket.emit("data", bytes("end"))
    expect(pump.isBusy).toBe(true)
    socket.emit("data", bytes("next"))
    socket.emit("data", bytes("last"))
    expect(handled).toEqual(["end"])
    expect(socket.paused).toBe(true)

    waits.get("end")!.finish()
    expect(handled).toEqual(["end", "next", "last"])
    expect(socket.paused).toBe(false)
    expect(pump.isBusy).toBe(false)
  })

  it("goes on at once from a Handoff that finished before the pump waited on it", () => {
    const socket = new FakeSocket()
    const handled: string[] = []
    new InputPump(
      socket as unknown as Socket,
      (chunk): PumpWait => {
        handled.push(text(chunk))
        const handoff = new Handoff()
        handoff.finish()
        return handoff
      },
      () => undefined,
    )
    socket.emit("data", bytes("a"))
    socket.emit("data", bytes("b"))
    expect(handled).toEqual(["a", "b"])
    expect(socket.paused).toBe(false)
  })

  it("ends a long chain of handoffs with one call to the first waiter, not a nested call per link", () => {
    const first = new Handoff()
    let calls = 0
    first.onFinish(() => {
      calls++
    })
    // Each link finishes with the next one, as a pipelined message waits for its onData.
    let link = first
    for (let i = 0; i < 200_000; i++) {
      const later = new Handoff()
      link.finishWith(later)
      link = later
    }
    expect(calls).toBe(0)
    link.finish()
    expect(calls).toBe(1)
  })

  it("finishes with a later handoff that has already finished, and waits for one that has not", () => {
    const done = new Handoff()
    done.finish()
    const early = new Handoff()
    let earlyCalls = 0
    early.onFinish(() => earlyCalls++)
    early.finishWith(done)
    expect(earlyCalls).toBe(1)

    const waiting = new Handoff()
    const later = new Handoff()
    waiting.finishWith(later)
    let waitingCalls = 0
    // A waiter that comes after the hand-over is still called once `later` finishes.
    waiting.onFinish(() => waitingCalls++)
    expect(waitingCalls).toBe(0)
    later.finish()
    expect(waitingCalls).toBe(1)
  })

  it("handles the peer's end only once the step before it has finished", () => {
    const socket = new FakeSocket()
    const handoff = new Handoff()
    let ended = false
    new InputPump(
      socket as unknown as Socket,
      () => handoff,
      () => {
        ended = true
        return undefined
      },
    )
    socket.emit("data", bytes("x"))
    socket.emit("end")
    expect(ended).toBe(false)
    handoff.finish()
    expect(ended).toBe(true)
    // A second finish() changes nothing.
    handoff.finish()
    expect(ended).toBe(true)
  })
})
