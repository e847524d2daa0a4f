import { SmtpServerConnection, type SmtpServerEvent } from "@mailwire/smtp"
import { describe, expect, it } from "vitest"

const enc = (text: string) => new TextEncoder().encode(text)
const dec = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

/** A greeted connection that accepts every decision. */
function greeted(): SmtpServerConnection {
  const conn = new SmtpServerConnection({ hostname: "mx.test" })
  conn.takeOutput()
  acceptAll(conn, conn.receive(enc("EHLO client.test\r\n")))
  conn.takeOutput()
  return conn
}

function acceptAll(conn: SmtpServerConnection, events: ReadonlyArray<SmtpServerEvent>): void {
  for (const event of events) {
    if (
      event.type === "helo" ||
      event.type === "mailFrom" ||
      event.type === "rcptTo" ||
      event.type === "messageEnd"
    ) {
      acceptAll(conn, conn.accept(event))
    }
  }
}

describe("takeOutputToWrite", () => {
  it("gives the same replies as takeOutput", () => {
    const copied = greeted()
    const shared = greeted()
    for (const line of ["MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA", "hi\r\n.", "NOOP"]) {
      acceptAll(copied, copied.receive(enc(`${line}\r\n`)))
      acceptAll(shared, shared.receive(enc(`${line}\r\n`)))
      expect(dec(shared.takeOutputToWrite())).toBe(dec(copied.takeOutput()))
    }
  })

  it("shares a constant reply's bytes, while takeOutput hands out a copy", () => {
    const conn = greeted()
    acceptAll(conn, conn.receive(enc("MAIL FROM:<a@x.test>\r\n")))
    const first = conn.takeOutputToWrite()
    acceptAll(conn, conn.receive(enc("RSET\r\nMAIL FROM:<a@x.test>\r\n")))
    expect(dec(conn.takeOutput())).toBe("250 2.0.0 OK\r\n250 2.1.0 Sender OK\r\n")
    acceptAll(conn, conn.receive(enc("RSET\r\n")))
    conn.takeOutput()
    acceptAll(conn, conn.receive(enc("MAIL FROM:<a@x.test>\r\n")))
    const second = conn.takeOutputToWrite()
    expect(second).toBe(first)

    acceptAll(conn, conn.receive(enc("RSET\r\n")))
    conn.takeOutput()
    acceptAll(conn, conn.receive(enc("MAIL FROM:<a@x.test>\r\n")))
    const owned = conn.takeOutput()
    expect(owned).not.toBe(first)
    owned.fill(0x58)
    expect(dec(first)).toBe("250 2.1.0 Sender OK\r\n")
  })
})
