import {
  DEFAULT_SCRAM_ITERATIONS,
  DEFAULT_SCRAM_SALT_LENGTH,
  decodeBase64,
  deriveScramCredentials,
  encodeBase64,
  formatScramCredentials,
  parseScramCredentials,
  timingSafeEqual,
} from "@mailwire/sasl"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

describe("deriveScramCredentials", () => {
  it("derives SHA-1-sized keys and keeps the salt and iterations it was given", () => {
    const stored = deriveScramCredentials("pencil", {
      algorithm: "SHA-1",
      salt: decodeBase64("QSXCR+Q6sek8bf92")!,
    })
    expect(stored.iterations).toBe(4096)
    expect(stored.storedKey).toHaveLength(20)
    expect(stored.serverKey).toHaveLength(20)
    expect(formatScramCredentials(stored)).toMatch(/^SCRAM-SHA-1\$4096:QSXCR\+Q6sek8bf92\$/)
  })

  it("uses the documented defaults and the injected random source for the salt", () => {
    const asked: number[] = []
    const stored = deriveScramCredentials("pw", {
      algorithm: "SHA-256",
      random: (length) => {
        asked.push(length)
        return new Uint8Array(length).fill(1)
      },
    })
    expect(asked).toEqual([DEFAULT_SCRAM_SALT_LENGTH])
    expect(stored.iterations).toBe(DEFAULT_SCRAM_ITERATIONS)
    expect(stored.salt).toEqual(new Uint8Array(DEFAULT_SCRAM_SALT_LENGTH).fill(1))
    expect(stored.storedKey).toHaveLength(32)
  })

  it("prepares the password with SASLprep, so equivalent spellings derive the same keys", () => {
    const salt = new Uint8Array(16)
    const a = deriveScramCredentials("I\u00ADX", { algorithm: "SHA-256", salt, iterations: 2 })
    const b = deriveScramCredentials("\u2168", { algorithm: "SHA-256", salt, iterations: 2 })
    expect(a.storedKey).toEqual(b.storedKey)
  })

  it("rejects a zero iteration count and an empty salt", () => {
    expect(() => deriveScramCredentials("p", { algorithm: "SHA-1", iterations: 0 })).toThrow()
    expect(() =>
      deriveScramCredentials("p", { algorithm: "SHA-1", salt: new Uint8Array(0) }),
    ).toThrow()
  })
})

describe("formatScramCredentials / parseScramCredentials", () => {
  it("uses the RFC 5803 §3 layout", () => {
    const stored = {
      algorithm: "SHA-256" as const,
      iterations: 4096,
      salt: decodeBase64("W22ZaJ0SNY7soEsUEjb6gQ==")!,
      storedKey: new Uint8Array(32).fill(1),
      serverKey: new Uint8Array(32).fill(2),
    }
    const line = formatScramCredentials(stored)
    expect(line).toBe(
      `SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$${encodeBase64(stored.storedKey)}:${encodeBase64(stored.serverKey)}`,
    )
    expect(parseScramCredentials(line)).toEqual(stored)
  })

  it("round-trips arbitrary credentials", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("SHA-1" as const, "SHA-256" as const),
        fc.uint8Array({ minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (algorithm, salt, iterations, a, b) => {
          const length = algorithm === "SHA-1" ? 20 : 32
          const stored = {
            algorithm,
            salt,
            iterations,
            storedKey: a.slice(0, length),
            serverKey: b.slice(0, length),
          }
          expect(parseScramCredentials(formatScramCredentials(stored))).toEqual(stored)
        },
      ),
    )
  })

  it.each([
    ["an unknown algorithm", "SCRAM-SHA-512$4096:c2FsdA==$AAAA:AAAA"],
    ["keys of the wrong length", "SCRAM-SHA-1$4096:c2FsdA==$AAAA:AAAA"],
    ["a zero iteration count", `SCRAM-SHA-1$0:c2FsdA==$${"A".repeat(27)}=:${"A".repeat(27)}=`],
    ["bad base64", `SCRAM-SHA-1$4096:c2Fsd$${"A".repeat(27)}=:${"A".repeat(27)}=`],
    ["a missing part", "SCRAM-SHA-1$4096:c2FsdA=="],
    ["text that is not SCRAM", "{PLAIN}secret"],
  ])("returns null for %s", (_, line) => {
    expect(parseScramCredentials(line)).toBeNull()
  })

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string(), (line) => {
        parseScramCredentials(line)
      }),
    )
  })
})

describe("timingSafeEqual", () => {
  it("compares contents and lengths", () => {
    expect(timingSafeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true)
    expect(timingSafeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false)
    expect(timingSafeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0))).toBe(false)
    expect(timingSafeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true)
  })

  it("agrees with a plain comparison on arbitrary arrays", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }), (a, b) => {
        const same = a.length === b.length && a.every((byte, i) => byte === b[i])
        expect(timingSafeEqual(a, b)).toBe(same)
      }),
    )
  })
})
