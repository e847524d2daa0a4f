/**
 * `messageData`'s `isClean` option: a RETR chunk the store checked is written as it is,
 * without the dot-stuffing scan, and the answer ends as without the option (a CRLF added
 * when the message lacks one, then `.`). TOP cuts the message, so it always stuffs.
 */
import type { RetrieveEvent } from "@mailwire/pop3"
import { describe, expect, it } from "vitest"
import { openedServer, show, text } from "./link.js"

const opened = () => openedServer([{ uid: "u1", size: 9 }])

/** The whole answer to `command` with `message` passed as one chunk. */
function answer(command: string, message: string, isClean?: boolean): string {
  const conn = opened()
  const [event] = conn.receive(text(`${command}\r\n`)) as [RetrieveEvent]
  conn.messageData(event, text(message), isClean === undefined ? undefined : { isClean })
  conn.messageEnd(event)
  return show(conn.takeOutput())
}

describe("messageData with isClean", () => {
  it("gives the same RETR answer for clean messages, with or without a final CRLF", () => {
    for (const message of ["a\r\nb\r\n", "a\r\nb", "x.y\r\n", "\r\n"]) {
      expect(answer("RETR 1", message, true)).toBe(answer("RETR 1", message))
    }
  })

  it("writes RETR's chunk as the store vouched for it, without a scan of its own", () => {
    const conn = opened()
    const [retr] = conn.receive(text("RETR 1\r\n")) as [RetrieveEvent]
    const message = text("a\r\nb\r\n")
    conn.messageData(retr, message, { isClean: true })
    conn.messageEnd(retr)
    const chunks = conn.takeOutputChunks()
    expect(chunks.map(show)).toEqual(["+OK 9 octets\r\n", "a\r\nb\r\n", ".\r\n"])
    expect(chunks[1]).toBe(message)
    // The option is the store's word: a chunk that was not checked must not carry it.
    expect(answer("RETR 1", "a\r\n.b\r\n", true)).toBe("+OK 9 octets\r\na\r\n.b\r\n.\r\n")
    expect(answer("RETR 1", "a\r\n.b\r\n", false)).toBe("+OK 9 octets\r\na\r\n..b\r\n.\r\n")
  })

  it("keeps TOP on the full path", () => {
    expect(answer("TOP 1 1", "H: v\r\n\r\n.b\r\nc\r\n", true)).toBe(
      "+OK 9 octets\r\nH: v\r\n\r\n..b\r\n.\r\n",
    )
  })
})
