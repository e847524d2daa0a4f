import { Pop3ClientConnection, type Pop3ClientEvent, type Pop3ClientOptions } from "@mailwire/pop3"
import { createSaslClient } from "@mailwire/sasl"
import { LocalProtocolError, RemoteProtocolError } from "@mailwire/wire"
import { describe, expect, it } from "vitest"
import { byteAtATime, type Splitter, show, text, whole } from "./link.js"

function client(options: Pop3ClientOptions = {}, greeting = "+OK ready\r\n"): Pop3ClientConnection {
  const conn = new Pop3ClientConnection({ isSecure: true, ...options })
  conn.receive(text(greeting))
  return conn
}

function feed(
  conn: Pop3ClientConnection,
  input: string,
  split: Splitter = whole,
): Pop3ClientEvent[] {
  const events: Pop3ClientEvent[] = []
  for (const piece of split(text(input))) {
    for (const event of conn.receive(piece)) {
      events.push(event.type === "MessageData" ? { ...event, bytes: event.bytes.slice() } : event)
    }
  }
  return events
}

/** Adjacent MessageData pieces joined, so splits compare equal. */
function merged(events: Pop3ClientEvent[]): unknown[] {
  const out: unknown[] = []
  for (const event of events) {
    const last = out[out.length - 1] as { type?: string; body?: string } | undefined
    if (event.type === "MessageData") {
      if (last?.type === "MessageData") last.body += show(event.bytes)
      else out.push({ type: "MessageData", id: event.id, body: show(event.bytes) })
    } else {
      out.push(event)
    }
  }
  return out
}

describe("Pop3ClientConnection greeting", () => {
  it("reads the APOP timestamp from the greeting", () => {
    const conn = new Pop3ClientConnection()
    expect(conn.state).toBe("GREETING")
    const events = conn.receive(text("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n"))
    expect(events).toEqual([
      {
        type: "Greeting",
        ok: true,
        code: null,
        text: "POP3 server ready <1896.697170952@dbc.mtview.ca.us>",
        timestamp: "<1896.697170952@dbc.mtview.ca.us>",
      },
    ])
    expect(conn.state).toBe("AUTHORIZATION")
  })

  it("closes on a negative greeting", () => {
    const conn = new Pop3ClientConnection()
    expect(conn.receive(text("-ERR [SYS/TEMP] overloaded\r\n"))).toMatchObject([
      { type: "Greeting", ok: false, code: "SYS/TEMP", text: "overloaded" },
    ])
    expect(conn.state).toBe("CLOSED")
  })

  it("writes nothing before the greeting", () => {
    const conn = new Pop3ClientConnection()
    conn.send({ command: "CAPA" })
    expect(conn.takeOutput().length).toBe(0)
    conn.receive(text("+OK hi\r\n"))
    expect(show(conn.takeOutput())).toBe("CAPA\r\n")
  })
})

type ReplyCase = [
  name: string,
  command: Parameters<Pop3ClientConnection["send"]>[0],
  reply: string,
  expected: unknown[],
]

const REPLY_CASES: ReplyCase[] = [
  [
    "STAT gives count and size, ignoring what follows",
    { command: "STAT" },
    "+OK 2 320 extra\r\n",
    [
      {
        type: "Ok",
        id: 1,
        command: "STAT",
        code: null,
        text: "2 320 extra",
        data: { kind: "stat", count: 2, size: 320 },
      },
    ],
  ],
  [
    "LIST gives scan listings, unstuffed",
    { command: "LIST" },
    "+OK 2 messages\r\n1 120\r\n2 200 x\r\n.\r\n",
    [
      {
        type: "Ok",
        id: 1,
        command: "LIST",
        code: null,
        text: "2 messages",
        data: {
          kind: "list",
          entries: [
            { number: 1, size: 120 },
            { number: 2, size: 200 },
          ],
        },
      },
    ],
  ],
  [
    "UIDL n gives one unique-id",
    { command: "UIDL", message: 2 },
    "+OK 2 QhdPYR:00WBw1Ph7x7\r\n",
    [
      {
        type: "Ok",
        id: 1,
        command: "UIDL",
        code: null,
        text: "2 QhdPYR:00WBw1Ph7x7",
        data: { kind: "uidl", entries: [{ number: 2, uid: "QhdPYR:00WBw1Ph7x7" }] },
      },
    ],
  ],
  [
    "-ERR with a response code is a typed Err event",
    { command: "RETR", message: 1 },
    "-ERR [SYS/PERM] message corrupt\r\n",
    [{ type: "Err", id: 1, command: "RETR", code: "SYS/PERM", text: "message corrupt" }],
  ],
  [
    "RETR streams the body unstuffed, ending only at CRLF.CRLF",
    { command: "RETR", message: 1 },
    "+OK 30 octets\r\nA: b\r\n\r\n..dot\r\nx\n.\ny\r\n.\r\n",
    [
      { type: "MessageData", id: 1, body: "A: b\r\n\r\n.dot\r\nx\n.\ny\r\n" },
      {
        type: "Ok",
        id: 1,
        command: "RETR",
        code: null,
        text: "30 octets",
        data: { kind: "message", size: 21 },
      },
    ],
  ],
  [
    "CAPA is parsed into typed capabilities",
    { command: "CAPA" },
    "+OK\r\nTOP\r\nUSER\r\nSASL SCRAM-SHA-256 PLAIN\r\nRESP-CODES\r\nPIPELINING\r\nEXPIRE NEVER\r\n" +
      "LOGIN-DELAY 900 USER\r\nUIDL\r\nIMPLEMENTATION Shlemazle Plotz v302\r\nX-UNKNOWN 1\r\n.\r\n",
    [
      {
        type: "Ok",
        id: 1,
        command: "CAPA",
        code: null,
        text: "",
        data: {
          kind: "capa",
          capabilities: {
            top: true,
            user: true,
            sasl: ["SCRAM-SHA-256", "PLAIN"],
            respCodes: true,
            authRespCode: false,
            pipelining: true,
            expire: { value: "NEVER", perUser: false },
            loginDelay: { value: 900, perUser: true },
            uidl: true,
            implementation: "Shlemazle Plotz v302",
            stls: false,
            utf8: null,
            lines: [
              "TOP",
              "USER",
              "SASL SCRAM-SHA-256 PLAIN",
              "RESP-CODES",
              "PIPELINING",
              "EXPIRE NEVER",
              "LOGIN-DELAY 900 USER",
              "UIDL",
              "IMPLEMENTATION Shlemazle Plotz v302",
              "X-UNKNOWN 1",
            ],
          },
        },
      },
    ],
  ],
]

describe("Pop3ClientConnection replies golden table", () => {
  for (const [name, command, reply, expected] of REPLY_CASES) {
    for (const [how, split] of [
      ["whole", whole],
      ["byte at a time", byteAtATime],
    ] as const) {
      it(`${name} (${how})`, () => {
        const conn = client()
        conn.send(command)
        conn.takeOutput()
        expect(merged(feed(conn, reply, split))).toEqual(expected)
      })
    }
  }

  it("answers the next command from bytes that follow a message in the same chunk", () => {
    const conn = client()
    conn.send({ command: "CAPA" })
    feed(conn, "+OK\r\nPIPELINING\r\n.\r\n")
    const retr = conn.send({ command: "RETR", message: 1 })
    const noop = conn.send({ command: "NOOP" })
    expect(show(conn.takeOutput())).toBe("CAPA\r\nRETR 1\r\nNOOP\r\n")
    const events = feed(conn, "+OK\r\nbody\r\n.\r\n+OK fine\r\n")
    expect(events.map((e) => [e.type, "id" in e ? e.id : 0])).toEqual([
      ["MessageData", retr],
      ["Ok", retr],
      ["Ok", noop],
    ])
  })
})

describe("Pop3ClientConnection security", () => {
  it("refuses USER, PASS and AUTH PLAIN without TLS unless allowed", () => {
    const conn = client({ isSecure: false })
    expect(() => conn.send({ command: "USER", username: "a" })).toThrow(LocalProtocolError)
    expect(() => conn.send({ command: "PASS", password: "a" })).toThrow(/in clear/)
    const sasl = createSaslClient("PLAIN", { username: "a", password: "b" })
    expect(() => conn.send({ command: "AUTH", sasl })).toThrow(/in clear/)
    const allowed = client({ isSecure: false, allowPlaintext: true })
    allowed.send({ command: "USER", username: "a" })
    expect(show(allowed.takeOutput())).toBe("USER a\r\n")
  })

  it("never writes a command with CR, LF or NUL in an argument", () => {
    const conn = client()
    expect(() => conn.send({ command: "USER", username: "a\r\nDELE 1" })).toThrow(/CR, LF or NUL/)
    expect(() => conn.send({ command: "APOP", username: "a b", secret: "x" })).toThrow(
      LocalProtocolError,
    )
    expect(() => conn.send({ command: "RETR", message: 0 })).toThrow(/message number/)
    expect(conn.takeOutput().length).toBe(0)
  })

  it("drops server bytes that follow +OK to STLS (STARTTLS injection)", () => {
    const conn = client({ isSecure: false })
    conn.send({ command: "STLS" })
    conn.send({ command: "CAPA" })
    expect(show(conn.takeOutput())).toBe("STLS\r\n")
    const events = feed(conn, "+OK Begin TLS\r\n+OK injected\r\n")
    expect(events).toMatchObject([{ type: "Ok", command: "STLS" }])
    expect(conn.state).toBe("TLS_HANDSHAKE")
    expect(feed(conn, "more\r\n")).toEqual([])
    expect(show(conn.discardedInput)).toBe("+OK injected\r\nmore\r\n")
    conn.resumeAfterTls()
    expect(conn.isSecure).toBe(true)
    expect(show(conn.takeOutput())).toBe("CAPA\r\n")
  })

  it("does not send PASS when USER fails, and reports USER's reply for it", () => {
    const conn = client()
    const pass = conn.login({ username: "nobody", password: "pw" })
    expect(show(conn.takeOutput())).toBe("USER nobody\r\n")
    const events = feed(conn, "-ERR [AUTH] no such user\r\n")
    expect(events).toEqual([
      { type: "Err", id: 1, command: "USER", code: "AUTH", text: "no such user" },
      { type: "Err", id: pass, command: "PASS", code: "AUTH", text: "no such user" },
    ])
    expect(conn.takeOutput().length).toBe(0)
  })

  it("sends a long initial response after an empty challenge (RFC 5034 §4)", () => {
    const conn = client()
    feed(conn, "")
    const token = "t".repeat(300)
    const sasl = createSaslClient("XOAUTH2", { username: "a@example.com", accessToken: token })
    conn.send({ command: "AUTH", sasl })
    expect(show(conn.takeOutput())).toBe("AUTH XOAUTH2\r\n")
    feed(conn, "+ \r\n")
    const line = show(conn.takeOutput())
    expect(atob(line.trim())).toBe(`user=a@example.com\x01auth=Bearer ${token}\x01\x01`)
    expect(feed(conn, "+OK welcome\r\n")).toMatchObject([{ type: "Ok", command: "AUTH" }])
    expect(conn.state).toBe("TRANSACTION")
  })
})

describe("Pop3ClientConnection protocol errors", () => {
  it("throws RemoteProtocolError for a line that is not a status, and keeps throwing it", () => {
    const conn = client()
    conn.send({ command: "NOOP" })
    let first: unknown
    try {
      conn.receive(text("HELLO\r\n"))
    } catch (error) {
      first = error
    }
    expect(first).toBeInstanceOf(RemoteProtocolError)
    expect(first).toMatchObject({ code: "UNEXPECTED_RESPONSE" })
    expect(() => conn.receive(text("+OK\r\n"))).toThrow(first as Error)
    expect(conn.state).toBe("CLOSED")
  })

  it("throws RemoteProtocolError for a reply to no command", () => {
    const conn = client()
    expect(() => conn.receive(text("+OK surprise\r\n"))).toThrow(RemoteProtocolError)
  })

  it("reports the commands left unanswered when the server closes", () => {
    const conn = client()
    const retr = conn.send({ command: "RETR", message: 1 })
    const quit = conn.send({ command: "QUIT" })
    feed(conn, "+OK\r\npartial")
    expect(conn.receiveEnd()).toEqual([{ type: "Closed", unanswered: [retr, quit] }])
    expect(conn.state).toBe("CLOSED")
  })
})

describe("Pop3ClientConnection status lines", () => {
  const cases: [line: string, expected: unknown][] = [
    ["+OK", { ok: true, code: null, text: "" }],
    ["+ok fine", { ok: true, code: null, text: "fine" }],
    [
      "-ERR [IN-USE] Do you have another POP session running?",
      { ok: false, code: "IN-USE", text: "Do you have another POP session running?" },
    ],
    ["-ERR [sys/temp] later", { ok: false, code: "SYS/TEMP", text: "later" }],
    ["-ERR [X-VENDOR/ODD] text", { ok: false, code: "X-VENDOR/ODD", text: "text" }],
    ["-ERR [not a code", { ok: false, code: null, text: "[not a code" }],
  ]
  for (const [line, expected] of cases) {
    it(`reads ${JSON.stringify(line)}`, () => {
      const conn = client()
      conn.send({ command: "NOOP" })
      const [event] = feed(conn, `${line}\r\n`)
      const { code, text: said } = event as { code: unknown; text: string }
      expect({ ok: event?.type === "Ok", code, text: said }).toEqual(expected)
    })
  }

  it("refuses a status glued to its text, like +OKAY", () => {
    const conn = client()
    conn.send({ command: "NOOP" })
    expect(() => feed(conn, "+OKAY\r\n")).toThrow(RemoteProtocolError)
  })
})

describe("Pop3ClientConnection SASL exchange", () => {
  it("cancels with * when a challenge is not base64", () => {
    const conn = client()
    const sasl = createSaslClient("LOGIN", { username: "a", password: "b" })
    const id = conn.send({ command: "AUTH", sasl })
    expect(show(conn.takeOutput())).toBe("AUTH LOGIN\r\n")
    expect(feed(conn, "+ !!!\r\n")).toEqual([])
    expect(show(conn.takeOutput())).toBe("*\r\n")
    expect(feed(conn, "-ERR cancelled\r\n")).toEqual([
      { type: "Err", id, command: "AUTH", code: null, text: "cancelled" },
    ])
  })
})
