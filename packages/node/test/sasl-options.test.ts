/**
 * SASL options passed through the node adapters, over loopback: a client's
 * `minScramIterations` and a server's `scramUnknownUserSecret`.
 */
import { createPop3Server, Pop3Client, type Pop3Server } from "@mailwire/node/pop3"
import { createSmtpServer, createTransport, type SmtpServer } from "@mailwire/node/smtp"
import { InMemoryMaildropStore } from "@mailwire/pop3"
import { deriveScramCredentials } from "@mailwire/sasl"
import { afterEach, describe, expect, it } from "vitest"
import { rawConnection } from "./harness/capture.js"

const closers: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((server) => server.close()))
})

/** alice / secret, stored for SCRAM at 4,096 iterations. */
function scramAuth(request: { readonly kind: string; readonly username?: unknown }) {
  if (request.kind !== "scram" || request.username !== "alice") return null
  return deriveScramCredentials("secret", {
    algorithm: "SHA-256",
    iterations: 4096,
    salt: new TextEncoder().encode("salt-salt-salt!!"),
  })
}

async function smtpServer(options: Parameters<typeof createSmtpServer>[0] = {}) {
  const server: SmtpServer = createSmtpServer({
    hostname: "mx.test",
    authMechanisms: ["SCRAM-SHA-256"],
    allowInsecureAuth: true,
    authFailureDelay: 0,
    onAuth: scramAuth,
    ...options,
  })
  closers.push(server)
  return (await server.listen(0, "127.0.0.1")).port
}

async function pop3Server(options: Partial<Parameters<typeof createPop3Server>[0]> = {}) {
  const backend = new InMemoryMaildropStore()
  backend.deliver("alice", "Subject: hi\r\n\r\nhi\r\n")
  const server: Pop3Server = createPop3Server({
    backend,
    hostname: "pop.test",
    allowInsecureAuth: true,
    saslMechanisms: ["SCRAM-SHA-256"],
    authFailureDelay: 0,
    onAuth: scramAuth,
    ...options,
  })
  closers.push(server)
  return (await server.listen(0, "127.0.0.1")).port
}

const message = { raw: "Subject: x\r\n\r\nx\r\n", envelope: { from: "a@x.test", to: "b@x.test" } }

/** The salt a server's first SCRAM challenge gives an unknown user, read off the wire. */
async function unknownUserSalt(port: number, protocol: "smtp" | "pop3"): Promise<string> {
  const client = await rawConnection(port)
  const first = Buffer.from("n,,n=mallory,r=abcdef").toString("base64")
  if (protocol === "smtp") {
    await client.until(/^220 /m)
    client.send(`EHLO c\r\nAUTH SCRAM-SHA-256 ${first}\r\n`)
    await client.until(/^334 \S+\r\n/m)
  } else {
    await client.until(/^\+OK/m)
    client.send(`AUTH SCRAM-SHA-256 ${first}\r\n`)
    await client.until(/^\+ \S+\r\n/m)
  }
  client.close()
  const challenge = /^(?:334|\+) (\S+)\r\n/m.exec(client.received)?.[1] ?? ""
  return /,s=([^,]+),/.exec(Buffer.from(challenge, "base64").toString())?.[1] ?? ""
}

describe("minScramIterations on the clients", () => {
  it("createTransport refuses a SCRAM server below minScramIterations", async () => {
    const port = await smtpServer()
    const base = { host: "127.0.0.1", port, startTls: "never" as const }
    const auth = { user: "alice", pass: "secret" }
    const good = createTransport({ ...base, auth })
    await expect(good.sendMail(message)).resolves.toMatchObject({ accepted: ["b@x.test"] })
    await good.close()
    const strict = createTransport({ ...base, auth, minScramIterations: 10_000 })
    // The client cancels with "*" before it sends a proof; the server answers 501.
    await expect(strict.sendMail(message)).rejects.toMatchObject({
      name: "SmtpReplyError",
      code: 501,
    })
    await strict.close()
  })

  it("Pop3Client refuses a SCRAM server below minScramIterations", async () => {
    const port = await pop3Server()
    const good = new Pop3Client({ host: "127.0.0.1", port, startTls: "never" })
    await good.connect()
    await good.login("alice", "secret")
    expect((await good.stat()).count).toBe(1)
    await good.quit()
    const strict = new Pop3Client({
      host: "127.0.0.1",
      port,
      startTls: "never",
      minScramIterations: 10_000,
    })
    await strict.connect()
    await expect(strict.login("alice", "secret")).rejects.toMatchObject({
      name: "Pop3ReplyError",
      text: "Authentication cancelled",
    })
    strict.close()
  })

  it("rejects a minScramIterations below 1 at construction", () => {
    expect(() => createTransport({ minScramIterations: 0 })).toThrow(/"minScramIterations"/)
    expect(() => new Pop3Client({ minScramIterations: 1.5 })).toThrow(/"minScramIterations"/)
  })
})

describe("scramUnknownUserSecret on the servers", () => {
  it("gives an unknown user the same salt from two SMTP servers that share the secret", async () => {
    const secret = new TextEncoder().encode("shared-secret-of-32-bytes-length")
    const a = await unknownUserSalt(await smtpServer({ scramUnknownUserSecret: secret }), "smtp")
    const b = await unknownUserSalt(await smtpServer({ scramUnknownUserSecret: secret }), "smtp")
    const other = await unknownUserSalt(await smtpServer(), "smtp")
    expect(a).not.toBe("")
    expect(b).toBe(a)
    expect(other).not.toBe(a)
  })

  it("gives an unknown user the same salt from two POP3 servers that share the secret", async () => {
    const secret = new TextEncoder().encode("shared-secret-of-32-bytes-length")
    const a = await unknownUserSalt(await pop3Server({ scramUnknownUserSecret: secret }), "pop3")
    const b = await unknownUserSalt(await pop3Server({ scramUnknownUserSecret: secret }), "pop3")
    const other = await unknownUserSalt(await pop3Server(), "pop3")
    expect(a).not.toBe("")
    expect(b).toBe(a)
    expect(other).not.toBe(a)
  })

  it("rejects a secret shorter than 16 bytes at construction", () => {
    expect(() => createSmtpServer({ scramUnknownUserSecret: new Uint8Array(8) })).toThrow(
      /"scramUnknownUserSecret": must be at least 16 bytes/,
    )
    expect(() =>
      createPop3Server({
        backend: new InMemoryMaildropStore(),
        onAuth: () => false,
        scramUnknownUserSecret: new Uint8Array(15),
      }),
    ).toThrow(/"scramUnknownUserSecret"/)
  })
})
