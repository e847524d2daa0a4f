import {
  type AuthenticateEvent,
  apopDigest,
  type OpenMaildropEvent,
  Pop3ServerConnection,
  type Pop3ServerEvent,
  type Pop3ServerOptions,
  type RetrieveEvent,
} from "@mailwire/pop3"
import { describe, expect, it } from "vitest"
import { byteAtATime, fixedRandom, type Splitter, show, text, whole } from "./link.js"

const LISTING = [
  { uid: "uid-a", size: 120 },
  { uid: "uid-b", size: 200 },
  { uid: "uid-c", size: 5 },
]

function server(options: Pop3ServerOptions = {}): Pop3ServerConnection {
  const conn = new Pop3ServerConnection({ random: fixedRandom, ...options })
  conn.takeOutput()
  return conn
}

function feed(
  conn: Pop3ServerConnection,
  input: string,
  split: Splitter = whole,
): Pop3ServerEvent[] {
  return split(text(input)).flatMap((piece) => [...conn.receive(piece)])
}

/** A server in TRANSACTION for alice with {@link LISTING}, output taken. */
function transaction(options: Pop3ServerOptions = {}): Pop3ServerConnection {
  const conn = server({ allowPlaintextAuth: true, ...options })
  const [auth] = feed(conn, "USER alice\r\nPASS secret\r\n") as [AuthenticateEvent]
  const [open] = conn.answerAuthenticate(auth, true) as [OpenMaildropEvent]
  conn.openMaildrop(open, LISTING)
  conn.takeOutput()
  return conn
}

describe("Pop3ServerConnection greeting and AUTHORIZATION", () => {
  it("greets with +OK and no timestamp unless APOP is on", () => {
    expect(show(new Pop3ServerConnection().takeOutput())).toBe("+OK POP3 server ready\r\n")
    const apop = new Pop3ServerConnection({
      apop: true,
      random: fixedRandom,
      hostname: "pop.example",
    })
    expect(show(apop.takeOutput())).toBe(
      "+OK POP3 server ready <0b30557a9fc4e90e33587da2@pop.example>\r\n",
    )
    expect(apop.apopTimestamp).toBe("<0b30557a9fc4e90e33587da2@pop.example>")
  })

  it("lists capabilities by state and channel security", () => {
    const plain = server({
      tls: true,
      implementation: "mailwire",
      expire: { value: 31, perUser: false },
    })
    feed(plain, "CAPA\r\n")
    expect(show(plain.takeOutput())).toBe(
      "+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n" +
        "EXPIRE 31\r\nSTLS\r\nIMPLEMENTATION mailwire\r\n.\r\n",
    )
    const secure = server({ isSecure: true, utf8: true, loginDelay: { value: 300, perUser: true } })
    feed(secure, "CAPA\r\n")
    expect(show(secure.takeOutput())).toBe(
      "+OK Capability list follows\r\nTOP\r\nUIDL\r\nUSER\r\nSASL PLAIN\r\nRESP-CODES\r\n" +
        "AUTH-RESP-CODE\r\nPIPELINING\r\nLOGIN-DELAY 300 USER\r\nUTF8\r\n.\r\n",
    )
  })

  it("refuses USER, PASS and AUTH PLAIN without TLS unless allowed", () => {
    const conn = server()
    expect(feed(conn, "USER alice\r\nPASS x\r\nAUTH PLAIN\r\n")).toEqual([])
    const refusal = "-ERR [AUTH] Plaintext authentication disallowed without TLS\r\n"
    expect(show(conn.takeOutput())).toBe(refusal.repeat(3))
  })

  it("asks the application to check USER/PASS, and keeps pipelined input until it answers", () => {
    const conn = server({ isSecure: true })
    const events = feed(conn, "USER alice\r\nPASS open sesame\r\nSTAT\r\n")
    expect(events).toEqual([
      {
        type: "Authenticate",
        id: 1,
        method: "USER",
        request: {
          kind: "password",
          mechanism: "USER",
          username: "alice",
          password: "open sesame",
          authzid: null,
        },
      },
    ])
    expect(show(conn.takeOutput())).toBe("+OK Send PASS\r\n")
    const opened = conn.answerAuthenticate(events[0] as AuthenticateEvent, true)
    expect(opened).toEqual([
      {
        type: "OpenMaildrop",
        id: 2,
        username: "alice",
        authzid: null,
        method: "USER",
        mechanism: null,
      },
    ])
    expect(conn.takeOutput().length).toBe(0)
    expect(conn.openMaildrop(opened[0] as OpenMaildropEvent, LISTING)).toEqual([])
    expect(show(conn.takeOutput())).toBe(
      "+OK maildrop has 3 messages (325 octets)\r\n+OK 3 325\r\n",
    )
    expect(conn.state).toBe("TRANSACTION")
  })

  it("answers [IN-USE] when the application cannot open the maildrop, and stays in AUTHORIZATION", () => {
    const conn = server({ isSecure: true })
    const [auth] = feed(conn, "USER alice\r\nPASS pw\r\n") as [AuthenticateEvent]
    const [open] = conn.answerAuthenticate(auth, true) as [OpenMaildropEvent]
    conn.takeOutput()
    conn.reject(open, { code: "IN-USE", text: "Maildrop locked" })
    expect(show(conn.takeOutput())).toBe("-ERR [IN-USE] Maildrop locked\r\n")
    expect(conn.state).toBe("AUTHORIZATION")
  })

  it("closes after the allowed number of failed logins", () => {
    const conn = server({ isSecure: true, maxFailedLogins: 2 })
    let events = feed(conn, "USER a\r\nPASS b\r\nUSER a\r\nPASS c\r\n")
    events = conn.answerAuthenticate(events[0] as AuthenticateEvent, false) as Pop3ServerEvent[]
    expect(events[0]).toMatchObject({ type: "Authenticate" })
    events = conn.answerAuthenticate(events[0] as AuthenticateEvent, false) as Pop3ServerEvent[]
    expect(events).toEqual([
      { type: "Closed", reason: "too-many-failed-logins", maildropOpen: false },
    ])
    expect(show(conn.takeOutput())).toBe(
      "+OK Send PASS\r\n-ERR [AUTH] Authentication failed\r\n+OK Send PASS\r\n" +
        "-ERR [AUTH] Authentication failed; too many failures, closing\r\n",
    )
    expect(conn.state).toBe("CLOSED")
  })

  it("checks an APOP digest against the secret the application hands over (RFC 1939 §7)", () => {
    for (const [secret, accepted] of [
      ["tanstaaf", true],
      ["wrong", false],
    ] as const) {
      const conn = server({ apop: true })
      const digest = apopDigest(conn.apopTimestamp!, secret)
      const [auth] = feed(conn, `APOP alice ${digest.toUpperCase()}\r\n`) as [AuthenticateEvent]
      expect(auth.request).toEqual({ kind: "secret", mechanism: "APOP", username: "alice" })
      const events = conn.answerAuthenticate(auth, { password: "tanstaaf" })
      if (accepted) {
        expect(events).toMatchObject([{ type: "OpenMaildrop", username: "alice", method: "APOP" }])
      } else {
        expect(events).toEqual([])
        expect(show(conn.takeOutput())).toBe("-ERR [AUTH] Authentication failed\r\n")
      }
    }
  })

  it("refuses APOP when it is not offered, and a malformed digest", () => {
    const off = server()
    feed(off, "APOP alice 0123456789abcdef0123456789abcdef\r\n")
    expect(show(off.takeOutput())).toBe("-ERR APOP not supported\r\n")
    const on = server({ apop: true })
    feed(on, "APOP alice xyz\r\n")
    expect(show(on.takeOutput())).toBe("-ERR APOP needs a name and an MD5 digest\r\n")
  })

  it("treats the application's answer of the wrong kind as its own bug", () => {
    const conn = server({ isSecure: true })
    const [auth] = feed(conn, "USER a\r\nPASS b\r\n") as [AuthenticateEvent]
    expect(() => conn.answerAuthenticate(auth, { password: "x" })).toThrow(/boolean/)
  })

  it("rejects an answer to an event that is not waiting", () => {
    const conn = server({ isSecure: true })
    const [auth] = feed(conn, "USER a\r\nPASS b\r\n") as [AuthenticateEvent]
    conn.answerAuthenticate(auth, false)
    expect(() => conn.answerAuthenticate(auth, true)).toThrow(/not waiting/)
  })

  it("answers QUIT in AUTHORIZATION without touching any maildrop", () => {
    const conn = server()
    expect(feed(conn, "QUIT\r\n")).toEqual([
      { type: "Closed", reason: "quit", maildropOpen: false },
    ])
    expect(show(conn.takeOutput())).toBe("+OK POP3 server signing off\r\n")
  })
})

type Case = [name: string, input: string, output: string]

const TRANSACTION_CASES: Case[] = [
  ["STAT counts messages and octets", "STAT\r\n", "+OK 3 325\r\n"],
  [
    "LIST without argument lists every message",
    "LIST\r\n",
    "+OK 3 messages (325 octets)\r\n1 120\r\n2 200\r\n3 5\r\n.\r\n",
  ],
  ["LIST n gives one scan listing", "LIST 2\r\n", "+OK 2 200\r\n"],
  ["LIST of a missing message is -ERR", "LIST 9\r\n", "-ERR No such message\r\n"],
  [
    "UIDL without argument lists unique-ids",
    "UIDL\r\n",
    "+OK Unique-id listing follows\r\n1 uid-a\r\n2 uid-b\r\n3 uid-c\r\n.\r\n",
  ],
  ["UIDL n gives one unique-id", "uidl 3\r\n", "+OK 3 uid-c\r\n"],
  [
    "DELE marks; STAT and LIST then skip the message",
    "DELE 1\r\nSTAT\r\nLIST\r\nLIST 1\r\n",
    "+OK message 1 deleted\r\n+OK 2 205\r\n+OK 2 messages (205 octets)\r\n2 200\r\n3 5\r\n.\r\n" +
      "-ERR Message 1 already deleted\r\n",
  ],
  [
    "RSET unmarks every deletion",
    "DELE 1\r\nDELE 2\r\nRSET\r\nSTAT\r\n",
    "+OK message 1 deleted\r\n+OK message 2 deleted\r\n+OK maildrop has 3 messages (325 octets)\r\n+OK 3 325\r\n",
  ],
  ["NOOP answers +OK", "NOOP\r\n", "+OK\r\n"],
  ["a message number of 0 is a syntax error", "RETR 0\r\n", "-ERR Invalid message number\r\n"],
  ["TOP without a line count is a syntax error", "TOP 1\r\n", "-ERR Invalid message number\r\n"],
  ["USER is not valid in TRANSACTION", "USER bob\r\n", "-ERR USER not valid in this state\r\n"],
  ["an unknown command is -ERR", "XYZZY\r\n", "-ERR Unknown command\r\n"],
  ["a bare LF line is refused", "STAT\n", "-ERR Lines must end with CRLF\r\n"],
]

describe("Pop3ServerConnection TRANSACTION golden table", () => {
  for (const [name, input, output] of TRANSACTION_CASES) {
    for (const [how, split] of [
      ["whole", whole],
      ["byte at a time", byteAtATime],
    ] as const) {
      it(`${name} (${how})`, () => {
        const conn = transaction()
        const events = feed(conn, input, split)
        expect(events.every((e) => e.type === "CommandError")).toBe(true)
        expect(show(conn.takeOutput())).toBe(output)
      })
    }
  }

  it("streams RETR with dot-stuffing and the terminator", () => {
    const conn = transaction()
    const [retr] = feed(conn, "RETR 3\r\nNOOP\r\n") as [RetrieveEvent]
    expect(retr).toEqual({
      type: "Retrieve",
      id: 3,
      command: "RETR",
      message: { number: 3, uid: "uid-c", size: 5 },
      lines: null,
      utf8: false,
    })
    expect(conn.takeOutput().length).toBe(0)
    expect(conn.messageData(retr, text("A: b\r\n\r\n.x\r"))).toBe(true)
    expect(conn.messageData(retr, text("\n.\r\n"))).toBe(true)
    conn.messageEnd(retr)
    expect(show(conn.takeOutput())).toBe("+OK 5 octets\r\nA: b\r\n\r\n..x\r\n..\r\n.\r\n+OK\r\n")
  })

  it("cuts TOP after the header and n body lines, and says when it needs no more", () => {
    const conn = transaction()
    const [top] = feed(conn, "TOP 1 1\r\n") as [RetrieveEvent]
    expect(top.lines).toBe(1)
    expect(conn.messageData(top, text("Subject: x\r\n\r\nline 1\r\nline 2\r\n"))).toBe(false)
    conn.messageEnd(top)
    expect(show(conn.takeOutput())).toBe("+OK 120 octets\r\nSubject: x\r\n\r\nline 1\r\n.\r\n")
  })

  it("answers -ERR when the message cannot be read before any byte", () => {
    const conn = transaction()
    const [retr] = feed(conn, "RETR 1\r\n") as [RetrieveEvent]
    conn.reject(retr, { code: "SYS/TEMP", text: "Gone" })
    expect(show(conn.takeOutput())).toBe("-ERR [SYS/TEMP] Gone\r\n")
    expect(conn.state).toBe("TRANSACTION")
  })

  it("closes when a message fails after its first byte, deleting nothing", () => {
    const conn = transaction()
    const [retr] = feed(conn, "DELE 2\r\nRETR 1\r\n").filter((e) => e.type === "Retrieve") as [
      RetrieveEvent,
    ]
    conn.messageData(retr, text("Subject"))
    expect(conn.reject(retr)).toEqual([
      { type: "Closed", reason: "retrieve-aborted", maildropOpen: true },
    ])
    expect(conn.state).toBe("CLOSED")
  })
})

describe("Pop3ServerConnection UPDATE rules (RFC 1939 §6)", () => {
  it("emits Commit with the marked UIDs only on QUIT", () => {
    const conn = transaction()
    const events = feed(conn, "DELE 1\r\nDELE 3\r\nQUIT\r\n")
    expect(events).toEqual([
      { type: "Commit", id: 3, username: "alice", deleted: ["uid-a", "uid-c"] },
    ])
    expect(conn.state).toBe("UPDATE")
    expect(conn.commit(events[0] as never)).toEqual([
      { type: "Closed", reason: "quit", maildropOpen: false },
    ])
    expect(show(conn.takeOutput())).toBe(
      "+OK message 1 deleted\r\n+OK message 3 deleted\r\n+OK POP3 server signing off (1 messages left)\r\n",
    )
  })

  it("deletes nothing when the client drops the connection", () => {
    const conn = transaction()
    const events = [...feed(conn, "DELE 1\r\nDELE 2\r\n"), ...conn.receiveEnd()]
    expect(events).toEqual([{ type: "Closed", reason: "peer-closed", maildropOpen: true }])
    expect(events.some((e) => e.type === "Commit")).toBe(false)
  })

  it("answers -ERR [SYS/TEMP] when the application could not delete", () => {
    const conn = transaction()
    const [commit] = feed(conn, "DELE 1\r\nQUIT\r\n")
    conn.takeOutput()
    conn.reject(commit as never)
    expect(show(conn.takeOutput())).toBe("-ERR [SYS/TEMP] Some deleted messages not removed\r\n")
    expect(conn.state).toBe("CLOSED")
  })

  it("ignores input after QUIT", () => {
    const conn = transaction()
    const [commit] = feed(conn, "QUIT\r\nDELE 1\r\n")
    conn.commit(commit as never)
    conn.takeOutput()
    expect(feed(conn, "DELE 2\r\nQUIT\r\n")).toEqual([])
    expect(conn.takeOutput().length).toBe(0)
  })
})

describe("Pop3ServerConnection STLS (RFC 2595)", () => {
  it("discards commands pipelined behind STLS (CVE-2011-0411)", () => {
    const conn = server({ tls: true, allowPlaintextAuth: true })
    const events = feed(conn, "STLS\r\nUSER evil\r\nPASS x\r\n")
    expect(events).toEqual([{ type: "StartTls" }])
    expect(show(conn.takeOutput())).toBe("+OK Begin TLS negotiation\r\n")
    expect(show(conn.discardedInput)).toBe("USER evil\r\nPASS x\r\n")
    expect(conn.receive(text("NOOP\r\n"))).toEqual([])
    expect(conn.resumeAfterTls()).toEqual([])
    expect(conn.isSecure).toBe(true)
    expect(conn.takeOutput().length).toBe(0)
    feed(conn, "STLS\r\n")
    expect(show(conn.takeOutput())).toBe("-ERR STLS not available\r\n")
  })
})

describe("Pop3ServerConnection limits", () => {
  it("closes after too many bad commands", () => {
    const conn = server({ maxBadCommands: 3 })
    const events = feed(conn, "A\r\nBB\r\nCCCCC\r\nNOOP\r\n")
    expect(events.map((e) => e.type)).toEqual([
      "CommandError",
      "CommandError",
      "CommandError",
      "Closed",
    ])
    expect(show(conn.takeOutput())).toBe(
      "-ERR Unknown command\r\n-ERR Unknown command\r\n-ERR Too many bad commands, closing\r\n",
    )
  })

  it("refuses a line longer than maxLineLength without buffering it", () => {
    const conn = server({ maxLineLength: 64 })
    const events = feed(conn, `USER ${"x".repeat(200)}\r\nQUIT\r\n`)
    expect(events[0]).toMatchObject({ type: "CommandError", error: { code: "LINE_TOO_LONG" } })
    expect(show(conn.takeOutput())).toBe("-ERR Line too long\r\n+OK POP3 server signing off\r\n")
  })
})
