import {
  type AuthenticateEvent,
  type OpenMaildropEvent,
  Pop3ServerConnection,
  type Pop3ServerEvent,
  type RetrieveEvent,
} from "@mailwire/pop3"
import { describe, expect, it } from "vitest"
import { fixedRandom, show, text } from "./link.js"

const LISTING = [
  { uid: "uid-a", size: 12 },
  { uid: "uid-b", size: 20 },
]

function server(): Pop3ServerConnection {
  const conn = new Pop3ServerConnection({ random: fixedRandom, allowPlaintextAuth: true })
  conn.takeOutput()
  return conn
}

function feed(conn: Pop3ServerConnection, input: string): Pop3ServerEvent[] {
  return [...conn.receive(text(input))]
}

function transaction(): Pop3ServerConnection {
  const conn = server()
  const [auth] = feed(conn, "USER alice\r\nPASS secret\r\n") as [AuthenticateEvent]
  const [open] = conn.answerAuthenticate(auth, true) as [OpenMaildropEvent]
  conn.openMaildrop(open, LISTING)
  conn.takeOutput()
  return conn
}

describe("Pop3ServerConnection.shutdown()", () => {
  it("says -ERR [SYS/TEMP] and closes in AUTHORIZATION, with no maildrop to release", () => {
    const conn = server()
    expect(conn.shutdown()).toEqual([{ type: "Closed", reason: "shutdown", maildropOpen: false }])
    expect(show(conn.takeOutput())).toBe(
      "-ERR [SYS/TEMP] Server shutting down, try again later\r\n",
    )
    expect(conn.state).toBe("CLOSED")
    expect(feed(conn, "USER bob\r\n")).toEqual([])
  })

  it("releases the maildrop without a Commit, even with messages marked deleted", () => {
    const conn = transaction()
    feed(conn, "DELE 1\r\n")
    conn.takeOutput()
    const events = conn.shutdown("Autologout timer expired")
    expect(events).toEqual([{ type: "Closed", reason: "shutdown", maildropOpen: true }])
    expect(events.some((event) => event.type === "Commit")).toBe(false)
    expect(show(conn.takeOutput())).toBe("-ERR [SYS/TEMP] Autologout timer expired\r\n")
  })

  it("asks for the release of a maildrop whose opening was pending, and ignores its late answer", () => {
    const conn = server()
    const [auth] = feed(conn, "USER alice\r\nPASS secret\r\n") as [AuthenticateEvent]
    const [open] = conn.answerAuthenticate(auth, true) as [OpenMaildropEvent]
    conn.takeOutput()
    expect(conn.shutdown()).toEqual([{ type: "Closed", reason: "shutdown", maildropOpen: true }])
    expect(conn.openMaildrop(open, LISTING)).toEqual([
      { type: "Closed", reason: "peer-closed", maildropOpen: true },
    ])
    expect(show(conn.takeOutput())).toBe(
      "-ERR [SYS/TEMP] Server shutting down, try again later\r\n",
    )
  })

  it("sends no status line in the middle of a RETR response", () => {
    const conn = transaction()
    const [retrieve] = feed(conn, "RETR 1\r\n") as [RetrieveEvent]
    conn.messageData(retrieve, text("Subject: a\r\n"))
    conn.takeOutput()
    expect(conn.shutdown()).toEqual([{ type: "Closed", reason: "shutdown", maildropOpen: true }])
    expect(show(conn.takeOutput())).toBe("")
  })

  it("leaves a pending Commit in UPDATE to close the session itself", () => {
    const conn = transaction()
    const [commit] = feed(conn, "DELE 1\r\nQUIT\r\n").filter((e) => e.type === "Commit")
    conn.takeOutput()
    expect(conn.shutdown()).toEqual([])
    expect(conn.state).toBe("UPDATE")
    expect(conn.commit(commit as never)).toEqual([
      { type: "Closed", reason: "quit", maildropOpen: false },
    ])
  })

  it("does nothing once closed", () => {
    const conn = server()
    conn.shutdown()
    conn.takeOutput()
    expect(conn.shutdown()).toEqual([])
    expect(show(conn.takeOutput())).toBe("")
  })
})
