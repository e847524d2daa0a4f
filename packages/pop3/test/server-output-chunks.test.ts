/**
 * `takeOutputChunks` hands the output out as the pieces it was queued in, so an adapter
 * can write a RETR answer with one `writev` instead of joining it first; and command
 * lines are read the same way whatever spacing a client uses (RFC 2449 §3).
 */
import type { Pop3ServerConnection, RetrieveEvent } from "@mailwire/pop3"
import { concatBytes } from "@mailwire/wire"
import { describe, expect, it } from "vitest"
import { openedServer, show, text } from "./link.js"

const opened = () =>
  openedServer([
    { uid: "u1", size: 12 },
    { uid: "u2", size: 3 },
  ])

describe("Pop3ServerConnection.takeOutputChunks", () => {
  it("hands out a RETR answer as its pieces, the message chunk itself among them", () => {
    const conn = opened()
    const [retr] = conn.receive(text("RETR 1\r\n")) as [RetrieveEvent]
    const message = text("Subject: x\r\n")
    conn.messageData(retr, message)
    conn.messageEnd(retr)
    const chunks = conn.takeOutputChunks()
    expect(chunks.map(show)).toEqual(["+OK 12 octets\r\n", "Subject: x\r\n", ".\r\n"])
    expect(chunks[1]).toBe(message)
    expect(conn.takeOutputChunks()).toEqual([])
  })

  it("gives the same bytes as takeOutput, in the same order", () => {
    const script = (take: (conn: Pop3ServerConnection) => Uint8Array) => {
      const conn = opened()
      const out: Uint8Array[] = []
      const [retr] = conn.receive(text("STAT\r\nRETR 2\r\nNOOP\r\n")) as [RetrieveEvent]
      conn.messageData(retr, text(".a\n"))
      out.push(take(conn))
      conn.messageEnd(retr)
      conn.receive(text("LIST\r\nUIDL 1\r\n"))
      out.push(take(conn))
      return show(concatBytes(out))
    }
    const joined = script((conn) => conn.takeOutput())
    expect(script((conn) => concatBytes(conn.takeOutputChunks()))).toBe(joined)
    expect(joined).toBe(
      "+OK 2 15\r\n+OK 3 octets\r\n..a\r\n.\r\n+OK\r\n" +
        "+OK 2 messages (15 octets)\r\n1 12\r\n2 3\r\n.\r\n+OK 1 u1\r\n",
    )
  })
})

describe("POP3 command lines", () => {
  it.each([
    ["runs of spaces between and after the arguments", "TOP   1  0  \r\n", /^\+OK 12 octets/],
    ["a keyword in lower case", "stat\r\n", /^\+OK 2 15\r\n$/],
    ["a command without arguments followed by a space", "NOOP \r\n", /^\+OK\r\n$/],
  ])("accepts %s", (_name, line, reply) => {
    const conn = opened()
    const events = conn.receive(text(line))
    const retr = events.find((event): event is RetrieveEvent => event.type === "Retrieve")
    if (retr !== undefined) conn.messageData(retr, text(""))
    expect(show(conn.takeOutput())).toMatch(reply)
  })

  it.each([
    ["a keyword of two characters", "ST\r\n"],
    ["a keyword of five characters", "STATS\r\n"],
    ["a keyword with a character other than a letter or digit", "ST-T\r\n"],
    ["a line that starts with a space", " STAT\r\n"],
    ["an empty line", "\r\n"],
  ])("refuses %s as an unknown command", (_name, line) => {
    const conn = opened()
    conn.receive(text(line))
    expect(show(conn.takeOutput())).toBe("-ERR Unknown command\r\n")
  })
})
