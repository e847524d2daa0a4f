/**
 * Enhanced status codes (RFC 3463 §2, RFC 2034 §4) read from replies: the reader keeps the
 * text of codes it has seen so a server's usual `2.1.0` / `2.1.5` / `2.0.0` are not built
 * again for every message. These pin that what comes back never depends on what was read
 * before: the same code in another spelling, many different codes, one code after another.
 */
import { parseReplies, ReplyReader } from "@mailwire/smtp"
import { describe, expect, it } from "vitest"
import { enc } from "./support.js"

describe("enhanced codes read from replies", () => {
  it("reads a code with leading zeros the same as its plain form, before and after it", () => {
    const replies = parseReplies(
      enc("250 2.01.000 Ok\r\n250 2.1.0 Ok\r\n250 2.001.00 Ok\r\n250 2.1.0 Ok\r\n"),
    )
    expect(replies.map((r) => r.enhancedCode)).toEqual(["2.1.0", "2.1.0", "2.1.0", "2.1.0"])
  })

  it("keeps codes that differ only in where their digits fall apart", () => {
    // 2.1.10 and 2.11.0 must not be taken for one another (nor for 2.1.100 / 2.110.0).
    const replies = parseReplies(
      enc("250 2.1.10 a\r\n250 2.11.0 b\r\n250 2.1.100 c\r\n250 2.110.0 d\r\n250 2.1.10 e\r\n"),
    )
    expect(replies.map((r) => r.enhancedCode)).toEqual([
      "2.1.10",
      "2.11.0",
      "2.1.100",
      "2.110.0",
      "2.1.10",
    ])
  })

  it("reads every code right past the number of codes it remembers", () => {
    const reader = new ReplyReader()
    const expected: string[] = []
    let wire = ""
    for (let subject = 0; subject < 20; subject++) {
      for (let detail = 0; detail < 20; detail++) {
        const cls = [2, 4, 5][(subject + detail) % 3]!
        const code = cls === 2 ? 250 : cls === 4 ? 451 : 550
        wire += `${code} ${cls}.${subject}.${detail} text\r\n`
        expected.push(`${cls}.${subject}.${detail}`)
      }
    }
    // Twice: the second pass reads codes remembered and codes that were not.
    reader.push(enc(wire + wire))
    const seen: (string | null)[] = []
    for (let reply = reader.next(); reply !== null; reply = reader.next()) {
      seen.push(reply.enhancedCode)
    }
    expect(seen).toEqual([...expected, ...expected])
  })

  it("gives each class its own code", () => {
    const replies = parseReplies(
      enc("250 2.1.1 a\r\n450 4.1.1 b\r\n550 5.1.1 c\r\n250 2.1.1 d\r\n"),
    )
    expect(replies.map((r) => r.enhancedCode)).toEqual(["2.1.1", "4.1.1", "5.1.1", "2.1.1"])
  })
})
