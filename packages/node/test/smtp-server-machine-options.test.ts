/**
 * The machine options a server's connections share are frozen, with their `extensions`
 * and `authMechanisms`: `@mailwire/smtp` then prepares them once for all connections
 * (see `prepared-options.ts`). What is frozen is the adapter's own copy, never an array
 * the application passed in.
 */
import { describe, expect, it } from "vitest"
import { parseOptions } from "../src/options.js"
import { machineOptionsFor } from "../src/smtp-machine-options.js"
import { smtpServerOptionsSchema } from "../src/smtp-server-options.js"

describe("machineOptionsFor", () => {
  it("returns frozen options whose extensions and AUTH mechanisms are frozen too", () => {
    const resolved = parseOptions(smtpServerOptionsSchema, { onAuth: () => true }, "test")
    for (const hasTls of [false, true]) {
      const options = machineOptionsFor(resolved, hasTls)
      expect(Object.isFrozen(options)).toBe(true)
      expect(Object.isFrozen(options.extensions)).toBe(true)
      expect(Object.isFrozen(options.authMechanisms)).toBe(true)
      expect(options.authMechanisms).toEqual(["PLAIN", "LOGIN"])
      expect(options.extensions?.startTls).toBe(hasTls)
    }
  })

  it("freezes a copy of the application's mechanism list, not the list itself", () => {
    const mechanisms = ["PLAIN"]
    const resolved = parseOptions(smtpServerOptionsSchema, {}, "test")
    const options = machineOptionsFor({ ...resolved, authMechanisms: mechanisms as never }, false)
    expect(options.authMechanisms).toEqual(["PLAIN"])
    expect(Object.isFrozen(mechanisms)).toBe(false)
  })
})
