import { deriveScramCredentials, encodeBase64 } from "@mailwire/sasl"
import {
  SmtpClientConnection,
  type SmtpClientOptions,
  SmtpServerConnection,
  type SmtpServerOptions,
} from "@mailwire/smtp"
import { describe, expect, it } from "vitest"
import { dec, enc, type Policy, runLink, ServerApp } from "./support.js"

const b64 = (text: string) => encodeBase64(enc(text))
const secure = { isSecure: true, authMechanisms: ["PLAIN", "LOGIN"] } as const

/** Checks passwords: alice / secret. */
const passwords: Policy = (event) => {
  if (event.type !== "auth") return "accept"
  const request = event.request
  return request.kind === "password" &&
    request.username === "alice" &&
    request.password === "secret"
    ? "accept"
    : { code: 535 }
}

function server(options: SmtpServerOptions, policy: Policy = passwords) {
  const app = new ServerApp(new SmtpServerConnection({ hostname: "mx.test", ...options }), policy)
  app.conn.takeOutput()
  app.feed(enc("EHLO c\r\n"))
  app.conn.takeOutput()
  return app
}

function say(app: ServerApp, text: string): string {
  app.feed(enc(text))
  return dec(app.conn.takeOutput())
}

describe("server AUTH (RFC 4954)", () => {
  it("accepts PLAIN with an initial response after the application checks it", () => {
    const app = server(secure)
    expect(say(app, `AUTH PLAIN ${b64("\0alice\0secret")}\r\n`)).toBe(
      "235 2.7.0 Authentication successful\r\n",
    )
    expect(app.events.at(-1)).toEqual({
      type: "authenticated",
      mechanism: "PLAIN",
      username: "alice",
      authzid: null,
    })
    expect(app.conn.authenticatedUser).toBe("alice")
    expect(say(app, `AUTH PLAIN ${b64("\0alice\0secret")}\r\n`)).toBe(
      "503 5.5.1 Already authenticated\r\n",
    )
  })

  it("runs LOGIN's two challenges", () => {
    const app = server(secure)
    expect(say(app, "AUTH LOGIN\r\n")).toBe(`334 ${b64("Username:")}\r\n`)
    expect(app.conn.state).toBe("auth")
    expect(say(app, `${b64("alice")}\r\n`)).toBe(`334 ${b64("Password:")}\r\n`)
    expect(say(app, `${b64("secret")}\r\n`)).toBe("235 2.7.0 Authentication successful\r\n")
  })

  it("answers wrong credentials with 535 5.7.8 and counts them", () => {
    const app = server(secure)
    expect(say(app, `AUTH PLAIN ${b64("\0alice\0wrong")}\r\n`)).toBe(
      "535 5.7.8 Authentication credentials invalid\r\n",
    )
    expect(app.events.at(-1)).toMatchObject({
      type: "authFailure",
      reason: "invalid-credentials",
      failures: 1,
    })
  })

  it("cancels on * and refuses bad base64 (RFC 4954 §4)", () => {
    const app = server(secure)
    say(app, "AUTH LOGIN\r\n")
    expect(say(app, "*\r\n")).toBe("501 5.0.0 Authentication cancelled\r\n")
    say(app, "AUTH LOGIN\r\n")
    expect(say(app, "!!!\r\n")).toBe("501 5.5.2 Malformed authentication data\r\n")
  })

  it("closes with 421 after maxAuthFailures failed attempts (DESIGN §4 invariant 7)", () => {
    const app = server({ ...secure, maxAuthFailures: 2 })
    say(app, `AUTH PLAIN ${b64("\0alice\0x")}\r\n`)
    const out = say(app, `AUTH PLAIN ${b64("\0alice\0y")}\r\nNOOP\r\n`)
    expect(out).toBe(
      "535 5.7.8 Authentication credentials invalid\r\n421 4.7.0 Too many failed authentication attempts\r\n",
    )
    expect(app.events.at(-1)).toEqual({ type: "close", reason: "too-many-auth-failures" })
  })

  it("refuses AUTH without TLS unless allowed (DESIGN §4 invariant 3)", () => {
    const app = server({ authMechanisms: ["PLAIN"] })
    expect(say(app, `AUTH PLAIN ${b64("\0alice\0secret")}\r\n`)).toBe(
      "538 5.7.11 Encryption required for requested authentication mechanism\r\n",
    )
    expect(app.events.some((e) => e.type === "auth")).toBe(false)
  })

  it("refuses AUTH when no mechanism is configured, and an unknown mechanism", () => {
    expect(say(server({ isSecure: true }), "AUTH PLAIN\r\n")).toBe(
      "502 5.5.1 AUTH not available\r\n",
    )
    expect(say(server(secure), "AUTH CRAM-MD5\r\n")).toBe(
      "504 5.5.4 Unrecognized authentication type\r\n",
    )
  })

  it("requires AUTH before MAIL when requireAuth is set", () => {
    const app = server({ ...secure, requireAuth: true })
    expect(say(app, "MAIL FROM:<a@b.test>\r\n")).toBe("530 5.7.0 Authentication required\r\n")
    say(app, `AUTH PLAIN ${b64("\0alice\0secret")}\r\n`)
    expect(say(app, "MAIL FROM:<a@b.test>\r\n")).toBe("250 2.1.0 Sender OK\r\n")
  })

  it("holds pipelined commands behind an auth decision", () => {
    const app = server(secure, (e) => (e.type === "auth" ? "hold" : "accept"))
    expect(say(app, `AUTH PLAIN ${b64("\0alice\0secret")}\r\nMAIL FROM:<a@b.test>\r\n`)).toBe("")
    app.answer(app.held[0]!, "accept")
    expect(dec(app.conn.takeOutput())).toBe(
      "235 2.7.0 Authentication successful\r\n250 2.1.0 Sender OK\r\n",
    )
  })
})

describe("client AUTH through chooseMechanism", () => {
  function link(
    clientOptions: SmtpClientOptions,
    serverOptions: SmtpServerOptions,
    policy: Policy = passwords,
  ) {
    const app = new ServerApp(
      new SmtpServerConnection({ hostname: "mx.test", ...serverOptions }),
      policy,
    )
    const client = new SmtpClientConnection({ hostname: "c.test", ...clientOptions })
    const events = runLink(client, app, (event) => {
      if (event.type === "ready") client.quit()
    })
    return { app, events }
  }

  it("authenticates with PLAIN under TLS", () => {
    const { events } = link(
      { isSecure: true, credentials: { username: "alice", password: "secret" } },
      secure,
    )
    expect(events.find((e) => e.type === "ready")).toMatchObject({
      authenticated: "PLAIN",
      isSecure: true,
    })
  })

  it("uses LOGIN when forced", () => {
    const { events } = link(
      {
        isSecure: true,
        mechanism: "LOGIN",
        credentials: { username: "alice", password: "secret" },
      },
      secure,
    )
    expect(events.find((e) => e.type === "ready")).toMatchObject({ authenticated: "LOGIN" })
  })

  it("reports a refused password as a failed session", () => {
    const { events } = link(
      { isSecure: true, credentials: { username: "alice", password: "nope" } },
      secure,
    )
    const failed = events.find((e) => e.type === "sessionFailed")
    expect(failed).toMatchObject({ stage: "auth", reply: { code: 535, enhancedCode: "5.7.8" } })
    expect(events.at(-1)?.type).toBe("closed")
  })

  it("refuses to send a password in clear (DESIGN §4 invariant 3)", () => {
    const { app, events } = link(
      { credentials: { username: "alice", password: "secret" } },
      { authMechanisms: ["PLAIN"], allowInsecureAuth: true },
    )
    expect(events.find((e) => e.type === "sessionFailed")).toMatchObject({
      stage: "auth",
      reply: null,
    })
    expect(app.events.some((e) => e.type === "auth")).toBe(false)
  })

  it("sends a password in clear only with allowPlaintextAuth", () => {
    const { events } = link(
      { allowPlaintextAuth: true, credentials: { username: "alice", password: "secret" } },
      { authMechanisms: ["PLAIN"], allowInsecureAuth: true },
    )
    expect(events.find((e) => e.type === "ready")).toMatchObject({
      authenticated: "PLAIN",
      isSecure: false,
    })
  })

  it("runs SCRAM-SHA-256 and verifies the server", () => {
    const stored = deriveScramCredentials("secret", {
      algorithm: "SHA-256",
      iterations: 4096,
      salt: enc("salt-salt-salt!!"),
    })
    const policy: Policy = (e) => {
      if (e.type !== "auth") return "accept"
      if (e.request.kind === "scram" && e.request.username === "alice") {
        return "hold"
      }
      return { code: 535 }
    }
    const app = new ServerApp(
      new SmtpServerConnection({ isSecure: true, authMechanisms: ["SCRAM-SHA-256", "PLAIN"] }),
      policy,
    )
    const client = new SmtpClientConnection({
      isSecure: true,
      credentials: { username: "alice", password: "secret" },
    })
    const events = runLink(client, app)
    expect(app.held).toHaveLength(1)
    const held = app.held.pop()!
    if (held.type !== "auth") throw new Error("expected an auth event")
    app.handle(app.conn.answerAuth(held, stored))
    const after = runLink(client, app)
    expect([...events, ...after].find((e) => e.type === "ready")).toMatchObject({
      authenticated: "SCRAM-SHA-256",
    })
  })
})

describe("AUTH line limit", () => {
  it("fails the exchange once, with 501, for a response longer than maxAuthLineLength", () => {
    const app = server({ ...secure, maxAuthLineLength: 100, maxCommandLineLength: 64 })
    say(app, "AUTH LOGIN\r\n")
    expect(say(app, `${"A".repeat(200)}\r\nNOOP\r\n`)).toBe(
      "501 5.5.2 Malformed authentication data\r\n250 2.0.0 OK\r\n",
    )
    expect(app.events.some((e) => e.type === "authFailure" && e.reason === "malformed")).toBe(true)
  })

  it("reads an AUTH command line longer than maxCommandLineLength, up to maxAuthLineLength", () => {
    const app = server({ ...secure, maxCommandLineLength: 64 })
    const line = `AUTH PLAIN ${b64(`\0${"a".repeat(60)}\0secret`)}\r\n`
    expect(line.length).toBeGreaterThan(64)
    expect(say(app, line)).toBe("535 5.7.8 Authentication credentials invalid\r\n")
    expect(say(app, `NOOP ${"x".repeat(80)}\r\n`)).toBe("500 5.5.2 Line too long\r\n")
  })
})
