import {
  type AuthenticateEvent,
  type CommitEvent,
  DEFAULT_MAX_BUFFERED_INPUT,
  type Maildrop,
  MaildropResponder,
  type OpenMaildropEvent,
  Pop3ClientConnection,
  Pop3ServerConnection,
  type Pop3ServerEvent,
  type Pop3ServerOptions,
} from "@mailwire/pop3"
import { createSaslClient, encodeBase64 } from "@mailwire/sasl"
import { LocalProtocolError } from "@mailwire/wire"
import { describe, expect, it } from "vitest"
import { fixedRandom, show, text } from "./link.js"

function server(options: Pop3ServerOptions = {}): Pop3ServerConnection {
  const conn = new Pop3ServerConnection({ random: fixedRandom, ...options })
  conn.takeOutput()
  return conn
}

const feed = (conn: Pop3ServerConnection, input: string): Pop3ServerEvent[] => [
  ...conn.receive(text(input)),
]

describe("POP3 server review: input held while a decision is pending", () => {
  it("says how many bytes it holds behind a pending decision", () => {
    const conn = server({ allowPlaintextAuth: true })
    expect(conn.bufferedLength).toBe(0)
    const [auth] = feed(conn, "USER alice\r\nPASS secret\r\nSTAT\r\n") as [AuthenticateEvent]
    expect(conn.isWaiting).toBe(true)
    expect(conn.bufferedLength).toBe(6)
    const [open] = conn.answerAuthenticate(auth, true) as [OpenMaildropEvent]
    conn.openMaildrop(open, [])
    expect(conn.bufferedLength).toBe(0)
    expect(show(conn.takeOutput()).split("\r\n").at(-2)).toBe("+OK 0 0")
  })

  it("closes once held input passes maxBufferedInput, and holds no more", () => {
    const conn = server({ allowPlaintextAuth: true, maxBufferedInput: 1024 })
    const [auth] = feed(conn, "USER alice\r\nPASS secret\r\n") as [AuthenticateEvent]
    const noops = "NOOP\r\n".repeat(100)
    expect(feed(conn, noops)).toEqual([])
    conn.takeOutput()
    expect(feed(conn, noops)).toEqual([
      { type: "Closed", reason: "too-much-input", maildropOpen: false },
    ])
    expect(conn.state).toBe("CLOSED")
    expect(conn.bufferedLength).toBe(0)
    expect(show(conn.takeOutput())).toBe("-ERR Too much input while a command is pending\r\n")
    expect(conn.answerAuthenticate(auth, true)).toEqual([])
  })

  it("keeps memory bounded when a client pipelines megabytes behind a held decision", () => {
    expect(DEFAULT_MAX_BUFFERED_INPUT).toBeGreaterThanOrEqual(256 * 1024)
    const conn = server({ allowPlaintextAuth: true })
    feed(conn, "USER alice\r\nPASS secret\r\n")
    const chunk = text("NOOP\r\n".repeat(10_000))
    for (let i = 0; i < 100 && conn.state !== "CLOSED"; i++) conn.receive(chunk)
    expect(conn.state).toBe("CLOSED")
    expect(conn.bufferedLength).toBe(0)
  })

  it("takes input byte at a time behind a pending decision in linear time", () => {
    const conn = server({ allowPlaintextAuth: true })
    const [auth] = feed(conn, "USER alice\r\nPASS secret\r\n") as [AuthenticateEvent]
    const bytes = text("NOOP\r\n".repeat((256 * 1024) / 6))
    const started = performance.now()
    for (let i = 0; i < bytes.length; i++) conn.receive(bytes.subarray(i, i + 1))
    // Copying every held byte on every call took 16 s here; linear takes about 0.05 s.
    expect(performance.now() - started).toBeLessThan(1500)
    expect(conn.bufferedLength).toBe(bytes.length)
    const [open] = conn.answerAuthenticate(auth, true) as [OpenMaildropEvent]
    conn.takeOutput()
    conn.openMaildrop(open, [])
    expect(show(conn.takeOutput()).split("\r\n")).toHaveLength(bytes.length / 6 + 2)
  })

  it("does not keep a reference to the caller's chunk", () => {
    const conn = server({ allowPlaintextAuth: true })
    const chunk = text("USER alice\r\nPASS secret\r\nSTAT\r\nNO")
    const [auth] = conn.receive(chunk) as [AuthenticateEvent]
    chunk.fill(0x58)
    conn.receive(text("OP\r\n"))
    const [open] = conn.answerAuthenticate(auth, true) as [OpenMaildropEvent]
    conn.takeOutput()
    conn.openMaildrop(open, [])
    expect(show(conn.takeOutput())).toBe(
      "+OK maildrop has 0 messages (0 octets)\r\n+OK 0 0\r\n+OK\r\n",
    )
  })

  it("keeps only the first bytes of plaintext sent after STLS, however much arrives", () => {
    const conn = server({ tls: true })
    feed(conn, "STLS\r\nUSER evil\r\n")
    expect(conn.state).toBe("TLS_HANDSHAKE")
    const junk = text("x".repeat(64 * 1024))
    for (let i = 0; i < 32; i++) conn.receive(junk)
    expect(show(conn.discardedInput).startsWith("USER evil\r\nxxx")).toBe(true)
    expect(conn.discardedInput.length).toBeLessThanOrEqual(64 * 1024)
    conn.resumeAfterTls()
    expect(feed(conn, "CAPA\r\n")).toEqual([])
    expect(show(conn.takeOutput())).toMatch(/^\+OK Begin TLS negotiation\r\n\+OK Capability/)
  })
})

describe("POP3 server review: answering decisions", () => {
  it("an AUTH answer of the wrong kind throws LocalProtocolError and keeps the decision", () => {
    const conn = server({ isSecure: true })
    const initial = encodeBase64(text("\0alice\0secret"))
    const [auth] = feed(conn, `AUTH PLAIN ${initial}\r\n`) as [AuthenticateEvent]
    expect(() => conn.answerAuthenticate(auth, { password: "x" })).toThrow(LocalProtocolError)
    expect(conn.isWaiting).toBe(true)
    const [open] = conn.answerAuthenticate(auth, true)
    expect(open?.type).toBe("OpenMaildrop")
  })

  it("holds a * sent while a SASL verification is pending and reads it as a command afterwards", () => {
    const conn = server({ isSecure: true })
    const initial = encodeBase64(text("\0alice\0secret"))
    const [auth] = feed(conn, `AUTH PLAIN ${initial}\r\n*\r\n`) as [AuthenticateEvent]
    const events = conn.answerAuthenticate(auth, false)
    expect(events.map((e) => e.type)).toEqual(["CommandError"])
    expect(show(conn.takeOutput()).split("\r\n")[0]).toBe("-ERR [AUTH] Authentication failed")
    expect(conn.failedLoginCount).toBe(1)
  })

  it("rejects a login with [SYS/TEMP] as given, without counting a failed login (RFC 3206)", () => {
    const conn = server({ allowPlaintextAuth: true, maxFailedLogins: 2 })
    for (let i = 0; i < 3; i++) {
      const [auth] = feed(conn, "USER alice\r\nPASS secret\r\n") as [AuthenticateEvent]
      conn.reject(auth, { code: "SYS/TEMP", text: "Authentication unavailable" })
      expect(show(conn.takeOutput())).toBe(
        "+OK Send PASS\r\n-ERR [SYS/TEMP] Authentication unavailable\r\n",
      )
    }
    expect(conn.failedLoginCount).toBe(0)
    expect(conn.state).toBe("AUTHORIZATION")
    const [auth] = feed(conn, "USER alice\r\nPASS wrong\r\n") as [AuthenticateEvent]
    conn.reject(auth)
    expect(show(conn.takeOutput())).toBe("+OK Send PASS\r\n-ERR [AUTH] Authentication failed\r\n")
    expect(conn.failedLoginCount).toBe(1)
  })

  it("refuses STLS once the channel is secure", () => {
    const conn = server({ tls: true })
    feed(conn, "STLS\r\n")
    conn.resumeAfterTls()
    conn.takeOutput()
    feed(conn, "STLS\r\n")
    expect(show(conn.takeOutput())).toBe("-ERR STLS not available\r\n")
  })
})

describe("POP3 client review: plaintext after +OK to STLS", () => {
  it("keeps only the first bytes of what the server sends before the handshake", () => {
    const client = new Pop3ClientConnection({})
    client.receive(text("+OK ready\r\n"))
    client.send({ command: "STLS" })
    client.takeOutput()
    client.receive(text("+OK go ahead\r\n+OK injected\r\n"))
    expect(client.state).toBe("TLS_HANDSHAKE")
    const junk = text("y".repeat(64 * 1024))
    for (let i = 0; i < 32; i++) client.receive(junk)
    expect(show(client.discardedInput).startsWith("+OK injected\r\nyyy")).toBe(true)
    expect(client.discardedInput.length).toBeLessThanOrEqual(64 * 1024)
  })
})

describe("POP3 review: no bearer tokens in clear (DESIGN §4 invariant 3)", () => {
  it("the client refuses to send XOAUTH2 or OAUTHBEARER without TLS", () => {
    const credentials = { username: "alice", accessToken: "ya29.token" }
    for (const mechanism of ["XOAUTH2", "OAUTHBEARER"] as const) {
      const client = new Pop3ClientConnection({})
      client.receive(text("+OK ready\r\n"))
      const sasl = createSaslClient(mechanism, credentials)
      expect(() => client.send({ command: "AUTH", sasl })).toThrow(LocalProtocolError)
      expect(client.takeOutput()).toHaveLength(0)
    }
    const allowed = new Pop3ClientConnection({ allowPlaintext: true })
    allowed.receive(text("+OK ready\r\n"))
    allowed.send({ command: "AUTH", sasl: createSaslClient("XOAUTH2", credentials) })
    expect(show(allowed.takeOutput())).toMatch(/^AUTH XOAUTH2/)
  })

  it("the server neither lists nor accepts bearer-token mechanisms without TLS", () => {
    const conn = server({ saslMechanisms: ["XOAUTH2", "OAUTHBEARER", "SCRAM-SHA-256"] })
    feed(conn, "CAPA\r\n")
    expect(show(conn.takeOutput())).toContain("\r\nSASL SCRAM-SHA-256\r\n")
    expect(feed(conn, "AUTH XOAUTH2\r\n")).toEqual([])
    expect(show(conn.takeOutput())).toBe(
      "-ERR [AUTH] Plaintext authentication disallowed without TLS\r\n",
    )
    const secure = server({ isSecure: true, saslMechanisms: ["XOAUTH2"] })
    feed(secure, "CAPA\r\n")
    expect(show(secure.takeOutput())).toContain("\r\nSASL XOAUTH2\r\n")
  })
})

describe("POP3 review: MaildropResponder streams RETR without holding the message", () => {
  it("writes each piece through the write option instead of keeping it in the output", async () => {
    const piece = text(`${"x".repeat(1022)}\r\n`.repeat(10))
    const maildrop: Maildrop = {
      list: async () => [{ uid: "big", size: piece.length * 100 }],
      read: async function* () {
        for (let i = 0; i < 100; i++) yield piece
      },
      delete: async () => {},
      close: async () => {},
    }
    const conn = server({ isSecure: true })
    const written: number[] = []
    const responder = new MaildropResponder(conn, {
      store: { open: async () => maildrop },
      verify: () => true,
      write: (bytes) => {
        written.push(bytes.length)
      },
    })
    await responder.handle(feed(conn, "USER alice\r\nPASS pw\r\n"))
    conn.takeOutput()
    await responder.handle(feed(conn, "RETR 1\r\n"))
    expect(written).toHaveLength(100)
    expect(Math.max(...written)).toBeLessThan(piece.length + 64)
    expect(written.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(piece.length * 100)
    expect(show(conn.takeOutput())).toBe(".\r\n")
  })
})

describe("POP3 review: the peer closes after QUIT while the Commit is pending", () => {
  it("keeps the UPDATE state and its Commit, instead of reporting a maildrop to release", () => {
    const conn = server({ allowPlaintextAuth: true })
    const [auth] = feed(conn, "USER alice\r\nPASS secret\r\n") as [AuthenticateEvent]
    const [open] = conn.answerAuthenticate(auth, true) as [OpenMaildropEvent]
    conn.openMaildrop(open, [{ uid: "u1", size: 10 }])
    const [commit] = feed(conn, "DELE 1\r\nQUIT\r\n") as [CommitEvent]
    expect(commit).toMatchObject({ type: "Commit", deleted: ["u1"] })
    expect(conn.receiveEnd()).toEqual([])
    expect(conn.state).toBe("UPDATE")
    expect(conn.commit(commit)).toEqual([{ type: "Closed", reason: "quit", maildropOpen: false }])
  })
})
