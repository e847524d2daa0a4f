/**
 * Arbitrary bytes as challenges and responses never throw: servers end in a failure (and
 * never in success without the application's approval), clients return `{ error }`.
 */
import {
  createSaslClient,
  createSaslServer,
  DEFAULT_MIN_SCRAM_ITERATIONS,
  deriveScramCredentials,
  SASL_MECHANISMS,
  type SaslClient,
  type SaslCredentials,
  type SaslMechanismName,
  type SaslServerStep,
  type VerificationAnswer,
  type VerificationRequest,
} from "@mailwire/sasl"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const credentials: SaslCredentials = {
  username: "user",
  password: "pencil",
  accessToken: "token",
  trace: "trace@example.com",
}

const stored = {
  "SHA-1": deriveScramCredentials("pencil", { algorithm: "SHA-1", iterations: 16 }),
  "SHA-256": deriveScramCredentials("pencil", { algorithm: "SHA-256", iterations: 16 }),
}

/** An application that approves nothing but does know the user's secrets. */
function refusing(request: VerificationRequest): VerificationAnswer {
  switch (request.kind) {
    case "secret":
      return { password: "pencil" }
    case "scram":
      return stored[request.mechanism === "SCRAM-SHA-1" ? "SHA-1" : "SHA-256"]
    default:
      return false
  }
}

const message = fc.oneof(
  fc.uint8Array({ maxLength: 120 }),
  fc
    .string({ unit: fc.constantFrom(..."n,=ar0sipcv\u0001\u0000 =A/+", "auth=Bearer ", "user=") })
    .map((value) => new TextEncoder().encode(value)),
)

const operation = fc.oneof(
  message.map((bytes) => ({ op: "step" as const, bytes })),
  fc.constant({ op: "cancel" as const }),
  fc.constant({ op: "start" as const }),
)

describe.each(SASL_MECHANISMS)("%s", (mechanism: SaslMechanismName) => {
  it("server: arbitrary responses in any order end in failure, never success or a throw", () => {
    fc.assert(
      fc.property(fc.option(message), fc.array(operation, { maxLength: 6 }), (first, ops) => {
        const server = createSaslServer(mechanism, { random: () => new Uint8Array(24).fill(3) })
        const seen: SaslServerStep[] = []
        const follow = (step: SaslServerStep) => {
          seen.push(step)
          if (step.type === "verify") follow(server.answer(refusing(step.request)))
        }
        follow(server.start(first))
        for (const item of ops) {
          if (item.op === "step") follow(server.step(item.bytes))
          else if (item.op === "cancel") follow(server.cancel())
          else follow(server.start(null))
        }
        expect(seen.some((step) => step.type === "success")).toBe(false)
      }),
      { numRuns: 150 },
    )
  })

  it("client: arbitrary challenges give a response or an error, never a throw", () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 5 }), fc.boolean(), (challenges, ir) => {
        const client: SaslClient = createSaslClient(mechanism, credentials, {
          random: () => new Uint8Array(24).fill(9),
        })
        if (ir) client.initialResponse()
        for (const challenge of challenges) {
          const reply = client.step(challenge)
          expect("response" in reply || "error" in reply || "done" in reply).toBe(true)
        }
        const outcome = client.success()
        expect("done" in outcome || "error" in outcome).toBe(true)
      }),
      { numRuns: 150 },
    )
  })
})

describe("SCRAM client against a hostile server-first", () => {
  function serverFirst(iterations: number, options: { minScramIterations?: number } = {}) {
    const client = createSaslClient("SCRAM-SHA-256", credentials, {
      random: () => new Uint8Array(24),
      ...options,
    })
    const first = new TextDecoder().decode(client.initialResponse()!)
    const nonce = first.slice(first.indexOf("r=") + 2)
    return client.step(new TextEncoder().encode(`r=${nonce}xyz,s=QSXCR+Q6sek8bf92,i=${iterations}`))
  }

  it("refuses i=1 and anything under 4096 by default (RFC 7677 §4)", () => {
    expect(DEFAULT_MIN_SCRAM_ITERATIONS).toBe(4096)
    for (const count of [1, 2, 1000, 4095]) {
      const reply = serverFirst(count)
      expect(reply).toMatchObject({ error: { code: "WEAK_ITERATION_COUNT" } })
      expect((reply as { error: Error }).error.message).toContain("minScramIterations")
    }
    expect(serverFirst(4096)).toHaveProperty("response")
  })

  it("takes a lower count only when minScramIterations allows it", () => {
    expect(serverFirst(1, { minScramIterations: 1 })).toHaveProperty("response")
    expect(serverFirst(9, { minScramIterations: 10 })).toMatchObject({
      error: { code: "WEAK_ITERATION_COUNT" },
    })
  })

  it("rejects a minScramIterations that is not a positive integer", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() =>
        createSaslClient("SCRAM-SHA-1", credentials, { minScramIterations: bad }),
      ).toThrow(RangeError)
    }
  })

  it("refuses an iteration count over SCRAM_MAX_ITERATIONS without computing it", () => {
    const client = createSaslClient("SCRAM-SHA-256", credentials, {
      random: () => new Uint8Array(24),
    })
    const first = new TextDecoder().decode(client.initialResponse()!)
    const nonce = first.slice(first.indexOf("r=") + 2)
    const reply = client.step(
      new TextEncoder().encode(`r=${nonce}xyz,s=QSXCR+Q6sek8bf92,i=4000000000`),
    )
    expect(reply).toMatchObject({ error: { code: "MALFORMED_CHALLENGE" } })
  })

  it.each([
    ["a nonce that does not extend ours", "r=other,s=QSXCR+Q6sek8bf92,i=4096"],
    ["no salt", "r=NONCEx,i=4096"],
    ["a bad salt", "r=NONCEx,s=***,i=4096"],
    ["a zero iteration count", "r=NONCEx,s=QSXCR+Q6sek8bf92,i=0"],
    ["a mandatory extension", "m=ext,r=NONCEx,s=QSXCR+Q6sek8bf92,i=4096"],
    ["the same nonce back", "r=NONCE,s=QSXCR+Q6sek8bf92,i=4096"],
  ])("rejects %s", (_, template) => {
    const client = createSaslClient("SCRAM-SHA-1", credentials, {
      random: () => new Uint8Array(24),
    })
    const first = new TextDecoder().decode(client.initialResponse()!)
    const nonce = first.slice(first.indexOf("r=") + 2)
    const reply = client.step(new TextEncoder().encode(template.replace("NONCE", nonce)))
    expect(reply).toMatchObject({ error: { code: "MALFORMED_CHALLENGE" } })
  })

  it("reports a server-first error attribute as a server error", () => {
    const client = createSaslClient("SCRAM-SHA-1", credentials)
    client.initialResponse()
    expect(client.step(new TextEncoder().encode("e=unknown-user"))).toMatchObject({
      error: { code: "SERVER_ERROR" },
    })
  })
})
