import {
  createSaslClient,
  createSaslServer,
  decodeBase64,
  deriveScramCredentials,
  encodeBase64,
  type SaslServerStep,
} from "@mailwire/sasl"
import { describe, expect, it } from "vitest"
import { bytes, bytesForNonce, scriptedRandom, text } from "./exchange.js"

function challengeOf(step: SaslServerStep): Uint8Array {
  if (step.type !== "challenge") throw new Error(`expected a challenge, got ${step.type}`)
  return step.challenge
}

function responseOf(reply: { response: Uint8Array } | { done: true } | { error: Error }) {
  if (!("response" in reply)) throw new Error(`expected a response, got ${JSON.stringify(reply)}`)
  return reply.response
}

describe("RFC 4616 §4 PLAIN examples", () => {
  it("encodes tim / tanstaaftanstaaf without authzid", () => {
    const client = createSaslClient("PLAIN", { username: "tim", password: "tanstaaftanstaaf" })
    expect(text(client.initialResponse()!)).toBe("\u0000tim\u0000tanstaaftanstaaf")
    expect(encodeBase64(client.initialResponse()!)).toBe("AHRpbQB0YW5zdGFhZnRhbnN0YWFm")
  })

  it("encodes Kurt acting as Ursel", () => {
    const client = createSaslClient("PLAIN", {
      authzid: "Ursel",
      username: "Kurt",
      password: "xipj3plmq",
    })
    expect(text(client.initialResponse()!)).toBe("Ursel\u0000Kurt\u0000xipj3plmq")
  })

  it("asks the application to verify each example's fields", () => {
    const server = createSaslServer("PLAIN")
    expect(server.start(bytes("Ursel\u0000Kurt\u0000xipj3plmq"))).toEqual({
      type: "verify",
      request: {
        kind: "password",
        mechanism: "PLAIN",
        username: "Kurt",
        password: "xipj3plmq",
        authzid: "Ursel",
      },
    })
    expect(server.answer(true)).toEqual({ type: "success", username: "Kurt", authzid: "Ursel" })

    const second = createSaslServer("PLAIN")
    expect(challengeOf(second.start(null))).toEqual(new Uint8Array(0))
    const step = second.step(bytes("\u0000tim\u0000tanstaaftanstaaf"))
    expect(step).toMatchObject({ type: "verify", request: { username: "tim", authzid: null } })
  })
})

describe("RFC 2195 §2 CRAM-MD5 example", () => {
  const challenge = "<1896.697170952@postoffice.reston.mci.net>"

  it("answers the RFC challenge with the RFC digest", () => {
    const client = createSaslClient("CRAM-MD5", { username: "tim", password: "tanstaaftanstaaf" })
    expect(client.initialResponse()).toBeNull()
    expect(text(responseOf(client.step(bytes(challenge))))).toBe(
      "tim b913a602c7eda7a495b4e6e7334d3890",
    )
  })

  it("issues the RFC challenge from injected randomness, time and host name", () => {
    const server = createSaslServer("CRAM-MD5", {
      random: scriptedRandom(Uint8Array.of(1, 8, 9, 6)),
      now: () => 697170952,
      hostname: "postoffice.reston.mci.net",
    })
    expect(text(challengeOf(server.start(null)))).toBe(challenge)
    expect(server.step(bytes("tim b913a602c7eda7a495b4e6e7334d3890"))).toEqual({
      type: "verify",
      request: { kind: "secret", mechanism: "CRAM-MD5", username: "tim" },
    })
    expect(server.answer({ password: "tanstaaftanstaaf" })).toEqual({
      type: "success",
      username: "tim",
      authzid: null,
    })
  })
})

const scramVectors = [
  {
    rfc: "RFC 5802 §5",
    mechanism: "SCRAM-SHA-1",
    algorithm: "SHA-1",
    clientNonce: "fyko+d2lbbFgONRv9qkxdawL",
    serverNonce: "3rfcNHYJY1ZVvWVs7j",
    salt: "QSXCR+Q6sek8bf92",
    clientFinal:
      "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
  },
  {
    rfc: "RFC 7677 §3",
    mechanism: "SCRAM-SHA-256",
    algorithm: "SHA-256",
    clientNonce: "rOprNGfwEbeRWgbNEkqO",
    serverNonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
    salt: "W22ZaJ0SNY7soEsUEjb6gQ==",
    clientFinal:
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
  },
] as const

describe.each(scramVectors)("$rfc $mechanism example (user / pencil)", (vector) => {
  const clientFirst = `n,,n=user,r=${vector.clientNonce}`
  const serverFirst = `r=${vector.clientNonce}${vector.serverNonce},s=${vector.salt},i=4096`

  it("produces the RFC client messages and accepts the RFC server signature", () => {
    const client = createSaslClient(
      vector.mechanism,
      { username: "user", password: "pencil" },
      { random: scriptedRandom(bytesForNonce(vector.clientNonce)) },
    )
    expect(text(client.initialResponse()!)).toBe(clientFirst)
    expect(text(responseOf(client.step(bytes(serverFirst))))).toBe(vector.clientFinal)
    expect(client.success()).toMatchObject({ error: { code: "MUTUAL_AUTH_INCOMPLETE" } })
    expect(responseOf(client.step(bytes(vector.serverFinal)))).toEqual(new Uint8Array(0))
    expect(client.success()).toEqual({ done: true })
  })

  it("produces the RFC server messages from stored credentials", () => {
    const stored = deriveScramCredentials("pencil", {
      algorithm: vector.algorithm,
      salt: decodeBase64(vector.salt)!,
      iterations: 4096,
    })
    const server = createSaslServer(vector.mechanism, {
      random: scriptedRandom(bytesForNonce(vector.serverNonce)),
    })
    expect(server.start(bytes(clientFirst))).toEqual({
      type: "verify",
      request: { kind: "scram", mechanism: vector.mechanism, username: "user", authzid: null },
    })
    expect(text(challengeOf(server.answer(stored)))).toBe(serverFirst)
    expect(text(challengeOf(server.step(bytes(vector.clientFinal))))).toBe(vector.serverFinal)
    expect(server.step(new Uint8Array(0))).toEqual({
      type: "success",
      username: "user",
      authzid: null,
    })
  })

  it("rejects a server signature that differs from the RFC's", () => {
    const client = createSaslClient(
      vector.mechanism,
      { username: "user", password: "pencil" },
      { random: scriptedRandom(bytesForNonce(vector.clientNonce)) },
    )
    client.initialResponse()
    client.step(bytes(serverFirst))
    const forged = vector.serverFinal.replace(/.(=*)$/, (last, pad) =>
      last[0] === "A" ? `B${pad}` : `A${pad}`,
    )
    expect(client.step(bytes(forged))).toMatchObject({
      error: { code: "SERVER_SIGNATURE_MISMATCH" },
    })
    expect(client.success()).toMatchObject({ error: { code: "MUTUAL_AUTH_INCOMPLETE" } })
  })
})

describe("RFC 7628 §4 OAUTHBEARER examples", () => {
  const token = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=="
  const initial =
    "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB"
  const failure =
    "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0="

  it("builds the §4.1 initial client response", () => {
    const client = createSaslClient(
      "OAUTHBEARER",
      { username: "user@example.com", accessToken: token },
      { host: "server.example.com", port: 143 },
    )
    expect(encodeBase64(client.initialResponse()!)).toBe(initial)
    expect(client.success()).toEqual({ done: true })
  })

  it("answers the §4.3 error challenge with the single ^A of the RFC", () => {
    const client = createSaslClient(
      "OAUTHBEARER",
      { username: "user@example.com", accessToken: token },
      { host: "server.example.com", port: 143 },
    )
    client.initialResponse()
    expect(encodeBase64(responseOf(client.step(decodeBase64(failure)!)))).toBe("AQ==")
  })

  it("reads the §4.1 response on the server and sends an RFC-shaped error on refusal", () => {
    const server = createSaslServer("OAUTHBEARER", { oauthScope: "example_scope" })
    expect(server.start(decodeBase64(initial))).toEqual({
      type: "verify",
      request: {
        kind: "token",
        mechanism: "OAUTHBEARER",
        username: "user@example.com",
        token,
        authzid: null,
      },
    })
    const refusal = challengeOf(server.answer(false))
    expect(JSON.parse(text(refusal))).toEqual({ status: "invalid_token", scope: "example_scope" })
    expect(server.step(decodeBase64("AQ==")!)).toMatchObject({
      type: "failure",
      reason: "invalid-credentials",
    })
  })
})
