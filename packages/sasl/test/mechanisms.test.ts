import {
  createSaslClient,
  createSaslServer,
  decodeBase64,
  deriveScramCredentials,
  encodeBase64,
  parseOAuthError,
  type SaslClientStep,
  type SaslServerStep,
} from "@mailwire/sasl"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { bytes, text } from "./exchange.js"

function challengeOf(step: SaslServerStep): Uint8Array {
  if (step.type !== "challenge")
    throw new Error(`expected a challenge, got ${JSON.stringify(step)}`)
  return step.challenge
}

function responseOf(reply: SaslClientStep): Uint8Array {
  if (!("response" in reply)) throw new Error(`expected a response, got ${JSON.stringify(reply)}`)
  return reply.response
}

describe("credentials a mechanism cannot use", () => {
  it.each([
    ["PLAIN", { username: "u" }],
    ["LOGIN", { password: "p" }],
    ["CRAM-MD5", {}],
    ["SCRAM-SHA-1", { username: "u" }],
    ["XOAUTH2", { username: "u" }],
    ["OAUTHBEARER", { username: "u", password: "p" }],
  ] as const)("%s with %j throws MISSING_CREDENTIALS", (mechanism, credentials) => {
    expect(() => createSaslClient(mechanism, credentials)).toThrow(
      expect.objectContaining({ code: "MISSING_CREDENTIALS" }),
    )
  })

  it("SCRAM refuses a password SASLprep prohibits", () => {
    expect(() =>
      createSaslClient("SCRAM-SHA-256", { username: "u", password: "a\u0007b" }),
    ).toThrow(expect.objectContaining({ code: "PROHIBITED_CHARACTER" }))
  })

  it("XOAUTH2 refuses a ^A inside a field", () => {
    expect(() =>
      createSaslClient("XOAUTH2", { username: "u\u0001auth=x", accessToken: "t" }),
    ).toThrow(expect.objectContaining({ code: "PROHIBITED_CHARACTER" }))
  })

  it("ANONYMOUS refuses a trace over 255 characters", () => {
    expect(() => createSaslClient("ANONYMOUS", { trace: "x".repeat(256) })).toThrow()
    expect(createSaslClient("ANONYMOUS", { trace: "x".repeat(255) }).mechanism).toBe("ANONYMOUS")
  })
})

describe("one-message clients (PLAIN, ANONYMOUS, EXTERNAL)", () => {
  const clients = [
    ["PLAIN", { username: "tim", password: "pw" }, "\u0000tim\u0000pw"],
    ["ANONYMOUS", { trace: "sirhc" }, "sirhc"],
    ["EXTERNAL", { authzid: "tim" }, "tim"],
  ] as const

  it.each(clients)(
    "%s sends its one message once, then refuses a challenge by name",
    (name, credentials, message) => {
      const client = createSaslClient(name, credentials)
      const first = client.initialResponse()
      expect(first === null ? null : text(first)).toBe(message)
      // The initial response was the one message: a challenge after it is a protocol error.
      expect(client.step(new Uint8Array(0))).toMatchObject({
        error: { code: "UNEXPECTED_CHALLENGE", message: `${name} has nothing more to send` },
      })
      const again = createSaslClient(name, credentials)
      expect(text(responseOf(again.step(new Uint8Array(0))))).toBe(message)
      expect(again.success()).toEqual({ done: true })
    },
  )
})

describe("PLAIN", () => {
  it("sends its message for the first challenge when there was no initial response", () => {
    const client = createSaslClient("PLAIN", { username: "tim", password: "pw" })
    expect(text(responseOf(client.step(new Uint8Array(0))))).toBe("\u0000tim\u0000pw")
    expect(client.step(new Uint8Array(0))).toMatchObject({
      error: { code: "UNEXPECTED_CHALLENGE" },
    })
  })

  it.each([
    ["two fields", "tim\u0000pw"],
    ["four fields", "a\u0000tim\u0000pw\u0000x"],
    ["an empty authcid", "\u0000\u0000pw"],
    ["an empty password", "\u0000tim\u0000"],
  ])("server fails a message with %s as malformed", (_, message) => {
    const server = createSaslServer("PLAIN")
    expect(server.start(bytes(message))).toMatchObject({ type: "failure", reason: "malformed" })
  })

  it("server fails a message that is not UTF-8", () => {
    const server = createSaslServer("PLAIN")
    const step = server.start(Uint8Array.of(0, 0xff, 0, 0x61))
    expect(step).toMatchObject({ type: "failure", reason: "malformed" })
  })

  it("server treats SASL-IR '=' (an empty message) as malformed, not as a missing one", () => {
    const server = createSaslServer("PLAIN")
    expect(server.start(new Uint8Array(0))).toMatchObject({ type: "failure" })
  })
})

describe("LOGIN", () => {
  it("server prompts Username: then Password: and verifies both", () => {
    const server = createSaslServer("LOGIN")
    expect(text(challengeOf(server.start(null)))).toBe("Username:")
    expect(text(challengeOf(server.step(bytes("tim"))))).toBe("Password:")
    expect(server.step(bytes("secret"))).toEqual({
      type: "verify",
      request: {
        kind: "password",
        mechanism: "LOGIN",
        username: "tim",
        password: "secret",
        authzid: null,
      },
    })
    expect(server.answer(false)).toMatchObject({ type: "failure", reason: "invalid-credentials" })
  })

  it("server takes an initial response as the username", () => {
    const server = createSaslServer("LOGIN")
    expect(text(challengeOf(server.start(bytes("tim"))))).toBe("Password:")
  })

  it("client answers prompts in order whatever their wording, then stops", () => {
    const client = createSaslClient("LOGIN", { username: "tim", password: "pw" })
    expect(client.initialResponse()).toBeNull()
    expect(client.success()).toMatchObject({ error: { code: "MUTUAL_AUTH_INCOMPLETE" } })
    expect(text(responseOf(client.step(bytes("User Name\u0000"))))).toBe("tim")
    expect(text(responseOf(client.step(bytes("Password\u0000"))))).toBe("pw")
    expect(client.step(bytes("Again:"))).toMatchObject({ error: { code: "UNEXPECTED_CHALLENGE" } })
    expect(client.success()).toEqual({ done: true })
  })
})

describe("CRAM-MD5", () => {
  it("server fails an initial response", () => {
    const server = createSaslServer("CRAM-MD5")
    expect(server.start(bytes("tim x"))).toMatchObject({ type: "failure", reason: "malformed" })
  })

  it.each([
    "tim",
    "tim B913A602C7EDA7A495B4E6E7334D3890",
    "tim b913a602",
    " b913a602c7eda7a495b4e6e7334d3890",
  ])("server fails the response %j as malformed", (response) => {
    const server = createSaslServer("CRAM-MD5")
    server.start(null)
    expect(server.step(bytes(response))).toMatchObject({ type: "failure", reason: "malformed" })
  })

  it("server fails an unknown user and a wrong digest as invalid credentials", () => {
    const unknown = createSaslServer("CRAM-MD5")
    unknown.start(null)
    unknown.step(bytes("tim b913a602c7eda7a495b4e6e7334d3890"))
    expect(unknown.answer(null)).toMatchObject({ reason: "invalid-credentials" })
    const wrong = createSaslServer("CRAM-MD5")
    wrong.start(null)
    wrong.step(bytes("tim b913a602c7eda7a495b4e6e7334d3890"))
    expect(wrong.answer({ password: "tanstaaftanstaaf" })).toMatchObject({
      reason: "invalid-credentials",
    })
  })

  it("server challenges are unique per exchange and carry the host name", () => {
    const one = text(challengeOf(createSaslServer("CRAM-MD5", { hostname: "mx.test" }).start(null)))
    const two = text(challengeOf(createSaslServer("CRAM-MD5", { hostname: "mx.test" }).start(null)))
    expect(one).toMatch(/^<\d{16}\.\d+@mx\.test>$/)
    expect(one).not.toBe(two)
  })

  it("client reports success before any challenge as incomplete", () => {
    const client = createSaslClient("CRAM-MD5", { username: "tim", password: "pw" })
    expect(client.success()).toMatchObject({ error: { code: "MUTUAL_AUTH_INCOMPLETE" } })
  })

  it("client refuses an empty challenge", () => {
    const client = createSaslClient("CRAM-MD5", { username: "tim", password: "pw" })
    expect(client.step(new Uint8Array(0))).toMatchObject({ error: { code: "MALFORMED_CHALLENGE" } })
  })
})

describe("SCRAM server", () => {
  const stored = deriveScramCredentials("pencil", { algorithm: "SHA-256", iterations: 64 })

  function handshake() {
    const client = createSaslClient(
      "SCRAM-SHA-256",
      { username: "user", password: "pencil" },
      { minScramIterations: 64 },
    )
    const server = createSaslServer("SCRAM-SHA-256")
    server.start(client.initialResponse())
    const serverFirst = challengeOf(server.answer(stored))
    const clientFinal = text(responseOf(client.step(serverFirst)))
    return { client, server, clientFinal }
  }

  it("fails a client asking for channel binding as unsupported", () => {
    const server = createSaslServer("SCRAM-SHA-256")
    expect(server.start(bytes("p=tls-unique,,n=user,r=abc"))).toMatchObject({
      type: "failure",
      reason: "unsupported",
    })
  })

  it("accepts the y flag (client could bind, thinks we cannot)", () => {
    const server = createSaslServer("SCRAM-SHA-256")
    expect(server.start(bytes("y,,n=user,r=abc"))).toMatchObject({ type: "verify" })
  })

  it.each([
    ["no GS2 header", "n=user,r=abc"],
    ["a bad escape in the name", "n,,n=us=2Xer,r=abc"],
    ["an empty name", "n,,n=,r=abc"],
    ["no nonce", "n,,n=user"],
    ["a mandatory extension", "n,,m=x,n=user,r=abc"],
  ])("fails a client-first with %s", (_, first) => {
    const server = createSaslServer("SCRAM-SHA-256")
    expect(server.start(bytes(first))).toMatchObject({ type: "failure" })
  })

  it("fails a client-final whose channel binding data differs from the GS2 header", () => {
    const { server, clientFinal } = handshake()
    const tampered = clientFinal.replace("c=biws", `c=${encodeBase64(bytes("y,,"))}`)
    expect(server.step(bytes(tampered))).toMatchObject({ type: "failure", reason: "malformed" })
  })

  it("fails a client-final with a nonce that is not the combined one", () => {
    const { server, clientFinal } = handshake()
    const tampered = clientFinal.replace(/,r=([^,]+)/, ",r=$1x")
    expect(server.step(bytes(tampered))).toMatchObject({ type: "failure", reason: "malformed" })
  })

  it("fails a wrong proof as invalid credentials", () => {
    const { server, clientFinal } = handshake()
    const proof = decodeBase64(clientFinal.slice(clientFinal.indexOf(",p=") + 3))!
    proof[0]! ^= 1
    const tampered = `${clientFinal.slice(0, clientFinal.indexOf(",p="))},p=${encodeBase64(proof)}`
    expect(server.step(bytes(tampered))).toMatchObject({ reason: "invalid-credentials" })
  })

  it("fails a client-final replayed into a new exchange", () => {
    const first = handshake()
    expect(first.server.step(bytes(first.clientFinal)).type).toBe("challenge")
    const replay = createSaslServer("SCRAM-SHA-256")
    replay.start(bytes(`n,,n=user,r=${first.clientFinal.match(/r=([^,]+)/)![1]!.slice(0, 24)}`))
    challengeOf(replay.answer(stored))
    expect(replay.step(bytes(first.clientFinal))).toMatchObject({ type: "failure" })
  })

  it("fails a non-empty answer to the server signature", () => {
    const { server, clientFinal } = handshake()
    server.step(bytes(clientFinal))
    expect(server.step(bytes("extra"))).toMatchObject({ type: "failure", reason: "malformed" })
  })

  it("never succeeds when any one byte of the client-final is changed", () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (position, delta) => {
        const { server, clientFinal } = handshake()
        const tampered = bytes(clientFinal)
        const at = position % tampered.length
        tampered[at] = (tampered[at]! + delta) & 255
        expect(server.step(tampered).type).toBe("failure")
      }),
      { numRuns: 60 },
    )
  })
})

describe("SCRAM client", () => {
  it("reports an e= server-final as a server error and never succeeds", () => {
    const client = createSaslClient(
      "SCRAM-SHA-1",
      { username: "user", password: "pencil" },
      { minScramIterations: 8 },
    )
    const server = createSaslServer("SCRAM-SHA-1")
    server.start(client.initialResponse())
    const serverFirst = challengeOf(
      server.answer(deriveScramCredentials("pencil", { algorithm: "SHA-1", iterations: 8 })),
    )
    client.step(serverFirst)
    expect(client.step(bytes("e=invalid-proof"))).toMatchObject({ error: { code: "SERVER_ERROR" } })
    expect(client.success()).toMatchObject({ error: { code: "MUTUAL_AUTH_INCOMPLETE" } })
  })

  it("sends its client-first for an empty first challenge when there was no SASL-IR", () => {
    const client = createSaslClient("SCRAM-SHA-1", { username: "a,b=c", password: "p" })
    expect(text(responseOf(client.step(new Uint8Array(0))))).toMatch(/^n,,n=a=2Cb=3Dc,r=[!-~]{24}$/)
  })
})

describe("XOAUTH2", () => {
  it("builds Google's message form", () => {
    const client = createSaslClient("XOAUTH2", {
      username: "someuser@example.com",
      accessToken: "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg",
    })
    expect(text(client.initialResponse()!)).toBe(
      "user=someuser@example.com\u0001auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\u0001\u0001",
    )
  })

  it("server answers a refused token with a JSON error, then fails on the client's empty reply", () => {
    const server = createSaslServer("XOAUTH2", { oauthScope: "https://mail.google.com/" })
    server.start(bytes("user=a@b\u0001auth=Bearer tok\u0001\u0001"))
    const error = parseOAuthError(challengeOf(server.answer(false)))
    expect(error).toEqual({ status: "401", schemes: "Bearer", scope: "https://mail.google.com/" })
    expect(server.step(new Uint8Array(0))).toMatchObject({ reason: "invalid-credentials" })
  })

  it.each([
    ["no terminator", "user=a\u0001auth=Bearer t"],
    ["no user", "auth=Bearer t\u0001\u0001"],
    ["no Bearer scheme", "user=a\u0001auth=Basic t\u0001\u0001"],
    ["a field without =", "user=a\u0001junk\u0001auth=Bearer t\u0001\u0001"],
  ])("server fails a message with %s as malformed", (_, message) => {
    const server = createSaslServer("XOAUTH2")
    expect(server.start(bytes(message))).toMatchObject({ type: "failure", reason: "malformed" })
  })

  it("client answers the error challenge with an empty response, once", () => {
    const client = createSaslClient("XOAUTH2", { username: "a", accessToken: "t" })
    client.initialResponse()
    const error = bytes('{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}')
    expect(responseOf(client.step(error))).toEqual(new Uint8Array(0))
    expect(client.step(error)).toMatchObject({ error: { code: "UNEXPECTED_CHALLENGE" } })
  })
})

describe("OAUTHBEARER", () => {
  it("server fails a message without auth=", () => {
    const server = createSaslServer("OAUTHBEARER")
    expect(server.start(bytes("n,,\u0001host=x\u0001\u0001"))).toMatchObject({
      type: "failure",
      reason: "malformed",
    })
  })

  it("server reads a message without a=, host or port", () => {
    const server = createSaslServer("OAUTHBEARER")
    expect(server.start(bytes("n,,\u0001auth=Bearer abc\u0001\u0001"))).toMatchObject({
      type: "verify",
      request: { username: "", token: "abc" },
    })
  })
})

describe("parseOAuthError", () => {
  it.each(["", "null", "[]", '{"status":401}', "{", "\u0001"])("returns null for %j", (input) => {
    expect(parseOAuthError(bytes(input))).toBeNull()
  })
})
