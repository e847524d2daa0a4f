import { Pop3ServerConnection, type Pop3ServerOptions } from "@mailwire/pop3"
import { decodeBase64, encodeBase64 } from "@mailwire/sasl"
import { describe, expect, it } from "vitest"
import { fixedRandom, Link, show, text } from "./link.js"

/** Logs alice in with SCRAM-SHA-256 (stored at 4,096 iterations by the link's `verify`). */
async function scramLogin(minScramIterations?: number) {
  const link = new Link({
    client: {
      isSecure: true,
      ...(minScramIterations === undefined ? {} : { minScramIterations }),
    },
    server: { isSecure: true, saslMechanisms: ["SCRAM-SHA-256"] },
  })
  await link.pump()
  link.client.send({ command: "CAPA" })
  await link.pump()
  const login = link.client.login({ username: "alice", password: "wonderland" })
  await link.pump()
  return { link, reply: link.reply(login) }
}

/** The salt of the server's first SCRAM challenge for an unknown user. */
function saltFor(options: Pop3ServerOptions): string {
  const conn = new Pop3ServerConnection({
    isSecure: true,
    random: fixedRandom,
    saslMechanisms: ["SCRAM-SHA-256"],
    ...options,
  })
  conn.takeOutput()
  const [event] = conn.receive(
    text(`AUTH SCRAM-SHA-256 ${encodeBase64(text("n,,n=mallory,r=abcdef"))}\r\n`),
  )
  if (event?.type !== "Authenticate") throw new Error("expected an Authenticate event")
  conn.answerAuthenticate(event, null)
  const challenge = /^\+ (\S+)/m.exec(show(conn.takeOutput()))?.[1] ?? ""
  return /,s=([^,]+),/.exec(show(decodeBase64(challenge) ?? new Uint8Array()))?.[1] ?? ""
}

describe("SASL options on the POP3 machines", () => {
  it("client minScramIterations refuses a server below it; the default takes 4,096", async () => {
    expect((await scramLogin()).reply).toMatchObject({ type: "Ok" })
    expect((await scramLogin(4096)).reply).toMatchObject({ type: "Ok" })
    const { link, reply } = await scramLogin(10_000)
    // The client cancels with "*" before sending a proof (RFC 5034 §4).
    expect(reply).toMatchObject({ type: "Err", command: "AUTH", text: "Authentication cancelled" })
    expect(link.client.state).not.toBe("TRANSACTION")
    expect(link.server.state).not.toBe("TRANSACTION")
  })

  it("server scramUnknownUserSecret keys the made-up salt of an unknown user", () => {
    const secret = text("0123456789abcdef-server-secret")
    const first = saltFor({ scramUnknownUserSecret: secret })
    expect(first).not.toBe("")
    expect(saltFor({ scramUnknownUserSecret: secret.slice() })).toBe(first)
    expect(saltFor({ scramUnknownUserSecret: text("another-secret-16-bytes") })).not.toBe(first)
    expect(saltFor({})).not.toBe(first)
  })

  it("rejects a secret shorter than 16 bytes at construction", () => {
    expect(() => new Pop3ServerConnection({ scramUnknownUserSecret: new Uint8Array(8) })).toThrow(
      /at least 16 bytes/,
    )
  })
})
