/**
 * `parseCommand`'s check for CR, LF and NUL, made on the line's bytes once it decoded as
 * UTF-8: each such byte anywhere in a line is a syntax error, invalid UTF-8 is reported
 * first, and the bytes of multi-byte characters never count as one.
 */
import { parseCommand } from "@mailwire/smtp"
import { RemoteProtocolError } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const bytes = (text: string) => new TextEncoder().encode(text)

function errorOf(line: Uint8Array): RemoteProtocolError {
  try {
    parseCommand(line)
  } catch (error) {
    if (error instanceof RemoteProtocolError) return error
    throw error
  }
  throw new Error("parseCommand accepted the line")
}

describe("parseCommand: CR, LF and NUL in a command line", () => {
  it.each([
    ["a CR inside the path", "MAIL FROM:<a\r@b.example>"],
    ["a bare LF", "RCPT TO:<a@b.example>\nRSET"],
    ["a NUL", "HELO c\0.example"],
    ["a CR after the verb", "DATA\r"],
    ["a NUL as the first byte", "\0NOOP"],
  ])("refuses %s with 500 5.5.2", (_name, line) => {
    const error = errorOf(bytes(line))
    expect(error.code).toBe("SYNTAX")
    expect(error.hint.smtp).toBe("500 5.5.2 Syntax error")
  })

  it("reports invalid UTF-8 before a CR in the same line", () => {
    const line = Uint8Array.of(...bytes("NOOP a\r"), 0xff)
    expect(errorOf(line).code).toBe("INVALID_UTF8")
  })

  it("takes multi-byte characters, whose bytes are never CR, LF or NUL", () => {
    expect(parseCommand(bytes("MAIL FROM:<ü@bücher.example> SMTPUTF8"))).toMatchObject({
      verb: "MAIL",
      from: { localPart: "ü", domain: "bücher.example" },
    })
  })

  it("gives the same answer as a check on the decoded text, for any line", () => {
    const char = fc.constantFrom("\r", "\n", "\0", " ", "a", "é", "€", "<", ">", "@", ":")
    fc.assert(
      fc.property(fc.array(char, { maxLength: 12 }), (chars) => {
        const argument = chars.join("")
        const line = bytes(`NOOP x${argument}`)
        const hasBreak = /[\r\n\0]/.test(argument)
        if (hasBreak) expect(errorOf(line).code).toBe("SYNTAX")
        else expect(parseCommand(line).verb).toBe("NOOP")
      }),
    )
  })
})

describe("parseCommand: verbs alone on their line", () => {
  it.each(["DATA", "data", "Data", "RSET", "rset", "QUIT", "quit", "STARTTLS", "StartTls"])(
    "reads %s without an argument",
    (line) => {
      expect(parseCommand(bytes(line))).toEqual({ verb: line.toUpperCase() })
    },
  )

  it.each([
    ["DATA x", "SYNTAX"],
    ["DAT", "UNKNOWN_COMMAND"],
    ["DATAX", "UNKNOWN_COMMAND"],
    ["D\0TA", "SYNTAX"],
    ["DATA\r", "SYNTAX"],
    ["EHLO", "SYNTAX"],
    ["MAIL", "SYNTAX"],
  ])("refuses %j as before (%s)", (line, code) => {
    expect(errorOf(bytes(line)).code).toBe(code)
  })

  it("keeps trailing spaces and non-letters on the full path", () => {
    expect(parseCommand(bytes("DATA  "))).toEqual({ verb: "DATA" })
    expect(parseCommand(bytes("NOOP"))).toEqual({ verb: "NOOP", argument: null })
    expect(errorOf(Uint8Array.of(0x44, 0x41, 0x54, 0xc1)).code).toBe("INVALID_UTF8")
  })

  it("reads any short line as the full parser does", () => {
    const char = fc.constantFrom(
      "D",
      "a",
      "T",
      "t",
      "A",
      "r",
      "S",
      "E",
      " ",
      "\0",
      "é",
      "Q",
      "U",
      "I",
    )
    fc.assert(
      fc.property(fc.array(char, { maxLength: 9 }), (chars) => {
        const text = chars.join("")
        const expected = /^(DATA|RSET|QUIT|STARTTLS) *$/i.exec(text)
        if (expected !== null) {
          expect(parseCommand(bytes(text))).toEqual({ verb: expected[1]!.toUpperCase() })
        }
      }),
    )
  })
})
