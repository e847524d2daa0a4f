import { createSaslServer, type SaslServerStep, SCRAM_MIN_SECRET_LENGTH } from "@mailwire/sasl"
import { describe, expect, it } from "vitest"

const enc = (text: string) => new TextEncoder().encode(text)
const dec = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

/** Runs client-first for `username`, answers `null` (unknown user), returns s= and i=. */
function serverFirstFor(
  username: string,
  options: Parameters<typeof createSaslServer>[1] = {},
  mechanism: "SCRAM-SHA-1" | "SCRAM-SHA-256" = "SCRAM-SHA-256",
) {
  const server = createSaslServer(mechanism, options)
  const verify = server.start(enc(`n,,n=${username},r=clientnonce`))
  expect(verify).toMatchObject({ type: "verify", request: { kind: "scram", username } })
  const step: SaslServerStep = server.answer(null)
  if (step.type !== "challenge") throw new Error(`expected a challenge, got ${step.type}`)
  const fields = Object.fromEntries(
    dec(step.challenge)
      .split(",")
      .map((f) => [f[0], f.slice(2)]),
  )
  return { salt: fields.s!, iterations: fields.i!, nonce: fields.r! }
}

describe("SCRAM server: the salt shown for an unknown user", () => {
  it("is the same on every attempt for the same name, as a real user's would be", () => {
    const a = serverFirstFor("ghost")
    const b = serverFirstFor("ghost")
    expect(a.salt).toBe(b.salt)
    expect(a.iterations).toBe("4096")
    expect(a.nonce).not.toBe(b.nonce)
  })

  it("differs between names and between mechanisms", () => {
    expect(serverFirstFor("ghost").salt).not.toBe(serverFirstFor("phantom").salt)
    expect(serverFirstFor("ghost", {}, "SCRAM-SHA-1").salt).not.toBe(serverFirstFor("ghost").salt)
  })

  it("comes from scramUnknownUserSecret when given: the same secret, the same salt", () => {
    const secret = new Uint8Array(32).fill(7)
    const first = serverFirstFor("ghost", { scramUnknownUserSecret: secret })
    const again = serverFirstFor("ghost", { scramUnknownUserSecret: new Uint8Array(32).fill(7) })
    const other = serverFirstFor("ghost", { scramUnknownUserSecret: new Uint8Array(32).fill(8) })
    expect(first.salt).toBe(again.salt)
    expect(first.salt).not.toBe(other.salt)
    expect(first.salt).not.toBe(serverFirstFor("ghost").salt)
    expect(atob(first.salt)).toHaveLength(16)
  })

  it("does not use the injected random source, so a fixed one cannot make it per-attempt", () => {
    let counter = 0
    const random = (length: number) => new Uint8Array(length).fill(counter++)
    const secret = new Uint8Array(16).fill(1)
    const a = serverFirstFor("ghost", { random, scramUnknownUserSecret: secret })
    const b = serverFirstFor("ghost", { random, scramUnknownUserSecret: secret })
    expect(a.salt).toBe(b.salt)
  })

  it("refuses a secret shorter than SCRAM_MIN_SECRET_LENGTH", () => {
    expect(SCRAM_MIN_SECRET_LENGTH).toBe(16)
    expect(() =>
      createSaslServer("SCRAM-SHA-256", { scramUnknownUserSecret: new Uint8Array(15) }),
    ).toThrow(RangeError)
  })
})
