import {
  createSaslClient,
  createSaslServer,
  deriveScramCredentials,
  SaslError,
  type SaslMechanismName,
} from "@mailwire/sasl"
import { describe, expect, it } from "vitest"
import { bytes } from "./exchange.js"

const plainMessage = bytes("\u0000tim\u0000tanstaaftanstaaf")

describe("server exchange order", () => {
  it("fails a step before start", () => {
    const server = createSaslServer("PLAIN")
    expect(server.step(plainMessage)).toMatchObject({ type: "failure", reason: "malformed" })
  })

  it("fails a second start", () => {
    const server = createSaslServer("PLAIN")
    server.start(null)
    expect(server.start(plainMessage)).toMatchObject({ type: "failure", reason: "malformed" })
  })

  it("fails a response that arrives while a verification is pending", () => {
    const server = createSaslServer("PLAIN")
    expect(server.start(plainMessage).type).toBe("verify")
    expect(server.step(plainMessage)).toMatchObject({ type: "failure", reason: "malformed" })
  })

  it("fails every step after success", () => {
    const server = createSaslServer("PLAIN")
    server.start(plainMessage)
    expect(server.answer(true).type).toBe("success")
    expect(server.step(plainMessage)).toMatchObject({ type: "failure" })
  })

  it.each(["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256", "XOAUTH2", "OAUTHBEARER"] as const)(
    "%s: cancel ends the exchange with reason cancelled",
    (mechanism) => {
      const server = createSaslServer(mechanism)
      server.start(null)
      expect(server.cancel()).toMatchObject({ type: "failure", reason: "cancelled" })
      expect(server.step(new Uint8Array(0))).toMatchObject({ type: "failure" })
    },
  )

  it("cancel during a pending verification ends it, and a late answer is the app's bug", () => {
    const server = createSaslServer("PLAIN")
    server.start(plainMessage)
    expect(server.cancel()).toMatchObject({ type: "failure", reason: "cancelled" })
    expect(() => server.answer(true)).toThrow(SaslError)
  })
})

describe("answers of the wrong kind are the application's bug", () => {
  it("throws INVALID_ANSWER when nothing is pending", () => {
    const server = createSaslServer("PLAIN")
    expect(() => server.answer(true)).toThrow(expect.objectContaining({ code: "INVALID_ANSWER" }))
  })

  it.each<[SaslMechanismName, Uint8Array | null, unknown]>([
    ["PLAIN", plainMessage, { password: "x" }],
    ["PLAIN", plainMessage, null],
    ["EXTERNAL", new Uint8Array(0), "yes"],
    ["SCRAM-SHA-256", bytes("n,,n=user,r=abc"), true],
    [
      "SCRAM-SHA-256",
      bytes("n,,n=user,r=abc"),
      deriveScramCredentials("p", { algorithm: "SHA-1", iterations: 1 }),
    ],
    [
      "SCRAM-SHA-1",
      bytes("n,,n=user,r=abc"),
      {
        ...deriveScramCredentials("p", { algorithm: "SHA-1", iterations: 1 }),
        storedKey: bytes("short"),
      },
    ],
  ])("%s rejects the answer %j", (mechanism, first, answer) => {
    const server = createSaslServer(mechanism)
    expect(server.start(first).type).toBe("verify")
    expect(() => server.answer(answer as never)).toThrow(
      expect.objectContaining({ code: "INVALID_ANSWER" }),
    )
  })

  it("CRAM-MD5 rejects a boolean where it needs the secret", () => {
    const server = createSaslServer("CRAM-MD5")
    server.start(null)
    expect(server.step(bytes("tim b913a602c7eda7a495b4e6e7334d3890")).type).toBe("verify")
    expect(() => server.answer(true)).toThrow(SaslError)
  })
})

describe("unsupported mechanisms", () => {
  it("a server for an unknown name fails as unsupported", () => {
    const server = createSaslServer("GSSAPI" as SaslMechanismName)
    expect(server.start(null)).toMatchObject({ type: "failure", reason: "unsupported" })
  })

  it("a client for an unknown name throws UNSUPPORTED_MECHANISM", () => {
    expect(() => createSaslClient("GSSAPI" as SaslMechanismName, {})).toThrow(
      expect.objectContaining({ code: "UNSUPPORTED_MECHANISM" }),
    )
  })

  it("a client accepts the mechanism name in any case", () => {
    const client = createSaslClient("plain" as SaslMechanismName, { username: "a", password: "b" })
    expect(client.mechanism).toBe("PLAIN")
  })
})
