/**
 * The server sessions' idle timer: `onIdle` runs once the client has been silent for the
 * whole timeout counted from its last touch, never sooner; a touch after `onIdle` ran
 * (a busy session lets it pass) starts the count again; `stop` and a zero timeout mean
 * it never runs.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { IdleTimer } from "../src/idle-timer.js"

describe("IdleTimer", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it("runs onIdle once the timeout passes with no touch", () => {
    const timer = new IdleTimer()
    const onIdle = vi.fn()
    timer.start(1000, onIdle)
    vi.advanceTimersByTime(999)
    expect(onIdle).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(onIdle).toHaveBeenCalledTimes(1)
  })

  it("counts the whole timeout again from the last touch", () => {
    const timer = new IdleTimer()
    const onIdle = vi.fn()
    timer.start(1000, onIdle)
    vi.advanceTimersByTime(600)
    timer.touch()
    vi.advanceTimersByTime(900)
    timer.touch()
    // 1,500 ms since the start: only the last touch counts.
    vi.advanceTimersByTime(999)
    expect(onIdle).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(onIdle).toHaveBeenCalledTimes(1)
  })

  it("starts counting again at a touch after onIdle ran", () => {
    const timer = new IdleTimer()
    const onIdle = vi.fn()
    timer.start(500, onIdle)
    vi.advanceTimersByTime(500)
    expect(onIdle).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(2000)
    expect(onIdle).toHaveBeenCalledTimes(1)
    timer.touch()
    vi.advanceTimersByTime(499)
    expect(onIdle).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(1)
    expect(onIdle).toHaveBeenCalledTimes(2)
  })

  it("never runs onIdle after stop, nor without a limit", () => {
    const stopped = new IdleTimer()
    const onStopped = vi.fn()
    stopped.start(500, onStopped)
    vi.advanceTimersByTime(200)
    stopped.stop()
    stopped.touch()
    const unlimited = new IdleTimer()
    const onUnlimited = vi.fn()
    unlimited.start(0, onUnlimited)
    unlimited.touch()
    vi.advanceTimersByTime(10_000)
    expect(onStopped).not.toHaveBeenCalled()
    expect(onUnlimited).not.toHaveBeenCalled()
  })
})
