/**
 * Every client mechanism against its server mechanism, through the protocol's base64
 * lines: the right credentials succeed, wrong ones fail, for arbitrary UTF-8 names and
 * secrets (SASLprep applied where RFC 5802 asks for it).
 */
import {
  createSaslClient,
  createSaslServer,
  deriveScramCredentials,
  type SaslMechanismName,
  type ScramCredentials,
  saslprep,
  type VerificationAnswer,
  type VerificationRequest,
} from "@mailwire/sasl"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runExchange } from "./exchange.js"

const text = fc.string({ unit: "binary", minLength: 1, maxLength: 24 })
const noNul = text.filter((value) => !value.includes("\u0000"))
const token = fc.string({
  unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/="),
  minLength: 1,
  maxLength: 40,
})

function prepares(value: string): boolean {
  try {
    return saslprep(value) !== ""
  } catch {
    return false
  }
}

/** The stored SCRAM credentials use 32 iterations to keep the properties fast. */
const LOW_COUNT = { minScramIterations: 32 }

/** An application with one user, answering each kind of request from what it knows. */
function application(user: { username: string; password: string; token: string }) {
  const stored = (algorithm: ScramCredentials["algorithm"]) =>
    deriveScramCredentials(user.password, { algorithm, iterations: 32 })
  return (request: VerificationRequest): VerificationAnswer => {
    switch (request.kind) {
      case "password":
        return request.username === user.username && request.password === user.password
      case "secret":
        return request.username === user.username ? { password: user.password } : null
      case "scram":
        if (request.username !== saslprep(user.username)) return null
        return stored(request.mechanism === "SCRAM-SHA-1" ? "SHA-1" : "SHA-256")
      case "token":
        return request.token === user.token
      case "external":
        return request.authzid === null || request.authzid === user.username
      case "anonymous":
        return true
    }
  }
}

const passwordMechanisms: SaslMechanismName[] = ["PLAIN", "LOGIN", "CRAM-MD5"]

describe.each(passwordMechanisms)("%s client against %s server", (mechanism) => {
  it("succeeds with the right password and fails with a wrong one", () => {
    fc.assert(
      fc.property(noNul, noNul, noNul, fc.boolean(), (username, password, wrong, ir) => {
        fc.pre(wrong !== password)
        const app = application({ username, password, token: "t" })
        const right = runExchange(
          createSaslClient(mechanism, { username, password }, LOW_COUNT),
          createSaslServer(mechanism),
          app,
          { initialResponse: ir },
        )
        expect(right).toMatchObject({ outcome: "success", client: true })
        expect(right.outcome === "success" && right.server.username).toBe(username)
        const bad = runExchange(
          createSaslClient(mechanism, { username, password: wrong }, LOW_COUNT),
          createSaslServer(mechanism),
          app,
          { initialResponse: ir },
        )
        expect(bad).toMatchObject({ outcome: "failure", server: { reason: "invalid-credentials" } })
      }),
      { numRuns: 60 },
    )
  })
})

describe("PLAIN with an authorization identity", () => {
  it("reports the authzid the client asked for", () => {
    fc.assert(
      fc.property(noNul, noNul, noNul, (username, password, authzid) => {
        const result = runExchange(
          createSaslClient("PLAIN", { username, password, authzid }),
          createSaslServer("PLAIN"),
          application({ username, password, token: "t" }),
        )
        expect(result).toMatchObject({ outcome: "success", server: { username, authzid } })
      }),
      { numRuns: 40 },
    )
  })
})

describe.each(["SCRAM-SHA-1", "SCRAM-SHA-256"] as const)(
  "%s client against server",
  (mechanism) => {
    it("succeeds with the right password and fails with a wrong one", () => {
      fc.assert(
        fc.property(text, text, text, fc.boolean(), (username, password, wrong, ir) => {
          fc.pre(prepares(username) && prepares(password) && prepares(wrong))
          fc.pre(saslprep(wrong) !== saslprep(password))
          const app = application({ username, password, token: "t" })
          const right = runExchange(
            createSaslClient(mechanism, { username, password }, LOW_COUNT),
            createSaslServer(mechanism),
            app,
            { initialResponse: ir },
          )
          expect(right).toMatchObject({ outcome: "success", client: true })
          expect(right.outcome === "success" && right.server.username).toBe(saslprep(username))
          const bad = runExchange(
            createSaslClient(mechanism, { username, password: wrong }, LOW_COUNT),
            createSaslServer(mechanism),
            app,
            { initialResponse: ir },
          )
          expect(bad).toMatchObject({
            outcome: "failure",
            server: { reason: "invalid-credentials" },
          })
        }),
        { numRuns: 40 },
      )
    })

    it("accepts a password that differs only by what SASLprep maps away", () => {
      const app = application({ username: "user", password: "pen\u00ADcil", token: "t" })
      const result = runExchange(
        createSaslClient(mechanism, { username: "user", password: "pencil" }, LOW_COUNT),
        createSaslServer(mechanism),
        app,
      )
      expect(result).toMatchObject({ outcome: "success", client: true })
    })

    it("fails an unknown user at the proof, after a normal-looking server-first", () => {
      const server = createSaslServer(mechanism)
      const client = createSaslClient(mechanism, { username: "ghost", password: "pw" }, LOW_COUNT)
      const first = server.start(client.initialResponse())
      expect(first).toMatchObject({ type: "verify", request: { username: "ghost" } })
      const serverFirst = server.answer(null)
      expect(serverFirst.type).toBe("challenge")
      const reply = client.step((serverFirst as { challenge: Uint8Array }).challenge)
      expect("response" in reply).toBe(true)
      expect(server.step((reply as { response: Uint8Array }).response)).toMatchObject({
        type: "failure",
        reason: "invalid-credentials",
      })
    })

    it("carries an authorization identity with , and = in it", () => {
      const result = runExchange(
        createSaslClient(
          mechanism,
          { username: "u,=1", password: "p", authzid: "admin,=x" },
          LOW_COUNT,
        ),
        createSaslServer(mechanism),
        application({ username: "u,=1", password: "p", token: "t" }),
      )
      expect(result).toMatchObject({
        outcome: "success",
        server: { username: "u,=1", authzid: "admin,=x" },
      })
    })
  },
)

describe.each(["XOAUTH2", "OAUTHBEARER"] as const)("%s client against server", (mechanism) => {
  it("succeeds with the right token and fails with a wrong one after the error challenge", () => {
    fc.assert(
      fc.property(
        noNul.filter((name) => !name.includes("\u0001")),
        token,
        token,
        fc.boolean(),
        (username, right, wrong, ir) => {
          fc.pre(right !== wrong)
          const app = application({ username, password: "p", token: right })
          const good = runExchange(
            createSaslClient(mechanism, { username, accessToken: right }),
            createSaslServer(mechanism),
            app,
            { initialResponse: ir },
          )
          expect(good).toMatchObject({ outcome: "success", server: { username } })
          const bad = runExchange(
            createSaslClient(mechanism, { username, accessToken: wrong }),
            createSaslServer(mechanism),
            app,
            { initialResponse: ir },
          )
          expect(bad).toMatchObject({
            outcome: "failure",
            server: { reason: "invalid-credentials" },
          })
        },
      ),
      { numRuns: 60 },
    )
  })
})

describe("EXTERNAL client against server", () => {
  it("passes the authzid through and lets the application decide", () => {
    fc.assert(
      fc.property(noNul, noNul, fc.boolean(), (identity, other, ir) => {
        fc.pre(identity !== other)
        const app = application({ username: identity, password: "p", token: "t" })
        const allowed = runExchange(
          createSaslClient("EXTERNAL", { authzid: identity }),
          createSaslServer("EXTERNAL"),
          app,
          { initialResponse: ir },
        )
        expect(allowed).toMatchObject({ outcome: "success", server: { authzid: identity } })
        const refused = runExchange(
          createSaslClient("EXTERNAL", { authzid: other }),
          createSaslServer("EXTERNAL"),
          app,
          { initialResponse: ir },
        )
        expect(refused).toMatchObject({ outcome: "failure" })
      }),
      { numRuns: 40 },
    )
  })

  it("sends an empty message when no authzid is asked for", () => {
    const result = runExchange(
      createSaslClient("EXTERNAL", {}),
      createSaslServer("EXTERNAL"),
      () => true,
    )
    expect(result).toMatchObject({ outcome: "success", server: { username: "", authzid: null } })
  })
})

describe("ANONYMOUS client against server", () => {
  it("hands the trace to the application", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 255 }), (raw) => {
        const trace = raw.replaceAll("\u0000", "")
        const seen: string[] = []
        const result = runExchange(
          createSaslClient("ANONYMOUS", { trace }),
          createSaslServer("ANONYMOUS"),
          (request) => {
            if (request.kind === "anonymous") seen.push(request.trace)
            return true
          },
        )
        expect(result).toMatchObject({ outcome: "success", server: { username: "anonymous" } })
        expect(seen).toEqual([trace])
      }),
      { numRuns: 40 },
    )
  })
})
