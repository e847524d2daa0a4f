import { decodeBase64, deriveScramCredentials, encodeBase64 } from "@mailwire/sasl"
import { SmtpClientConnection, SmtpServerConnection, type SmtpServerOptions } from "@mailwire/smtp"
import { describe, expect, it } from "vitest"
import { dec, enc, runLink, ServerApp } from "./support.js"

const aliceAt = (iterations: number) =>
  deriveScramCredentials("secret", {
    algorithm: "SHA-256",
    iterations,
    salt: enc("salt-salt-salt!!"),
  })

/** A SCRAM server whose application holds every `auth` decision for the test to answer. */
function scramServer(options: SmtpServerOptions = {}) {
  return new ServerApp(
    new SmtpServerConnection({ isSecure: true, authMechanisms: ["SCRAM-SHA-256"], ...options }),
    (e) => (e.type === "auth" ? "hold" : "accept"),
  )
}

function login(iterations: number, minScramIterations?: number) {
  const app = scramServer()
  const client = new SmtpClientConnection({
    isSecure: true,
    credentials: { username: "alice", password: "secret" },
    ...(minScramIterations === undefined ? {} : { minScramIterations }),
  })
  const events = runLink(client, app)
  const held = app.held.pop()
  if (held?.type !== "auth") throw new Error("expected an auth event")
  app.handle(app.conn.answerAuth(held, aliceAt(iterations)))
  return [...events, ...runLink(client, app)]
}

/** The salt the server's first SCRAM challenge gives for `user`. */
function saltFor(user: string, options: SmtpServerOptions): string {
  const app = scramServer(options)
  app.conn.takeOutput()
  app.feed(enc(`EHLO c\r\nAUTH SCRAM-SHA-256 ${encodeBase64(enc(`n,,n=${user},r=abcdef`))}\r\n`))
  const held = app.held.pop()
  if (held?.type !== "auth") throw new Error("expected an auth event")
  app.conn.takeOutput()
  app.handle(app.conn.answerAuth(held, null))
  const challenge = /^334 (\S+)/m.exec(dec(app.conn.takeOutput()))?.[1] ?? ""
  const serverFirst = dec(decodeBase64(challenge) ?? new Uint8Array())
  return /,s=([^,]+),/.exec(serverFirst)?.[1] ?? ""
}

describe("SASL options on the SMTP machines", () => {
  it("client minScramIterations refuses a server below it, and the default takes 4,096", () => {
    expect(login(4096).find((e) => e.type === "ready")).toMatchObject({
      authenticated: "SCRAM-SHA-256",
    })
    const refused = login(4096, 10_000)
    expect(refused.some((e) => e.type === "ready")).toBe(false)
    expect(refused.find((e) => e.type === "sessionFailed")).toMatchObject({
      stage: "auth",
      message: expect.stringMatching(/fewer than the 10000 required/),
    })
  })

  it("client minScramIterations lowered lets a weaker server through", () => {
    expect(login(4096, 4096).some((e) => e.type === "ready")).toBe(true)
    expect(login(1000).some((e) => e.type === "ready")).toBe(false)
    expect(login(1000, 1000).some((e) => e.type === "ready")).toBe(true)
  })

  it("server scramUnknownUserSecret keys the made-up salt of an unknown user", () => {
    const secret = enc("0123456789abcdef-server-secret")
    const first = saltFor("mallory", { scramUnknownUserSecret: secret })
    expect(first).not.toBe("")
    expect(saltFor("mallory", { scramUnknownUserSecret: secret.slice() })).toBe(first)
    expect(saltFor("mallory", { scramUnknownUserSecret: enc("another-secret-16-bytes") })).not.toBe(
      first,
    )
    expect(saltFor("mallory", {})).not.toBe(first)
  })

  it("rejects a bad minScramIterations or a short secret at construction", () => {
    expect(() => new SmtpClientConnection({ minScramIterations: 0 })).toThrow(RangeError)
    expect(() => new SmtpServerConnection({ scramUnknownUserSecret: new Uint8Array(8) })).toThrow(
      /at least 16 bytes/,
    )
  })
})
