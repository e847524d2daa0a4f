/**
 * Message numbers and counts as the server reads them from commands (RFC 1939 §3, §7):
 * 1*9 ASCII digits, a message number at least 1; anything else is not a number.
 */
import { describe, expect, it } from "vitest"
import { count, messageNumber } from "../src/wire/grammar.js"

describe("messageNumber", () => {
  it("reads 1 to 9 digits, leading zeros included", () => {
    expect(messageNumber("1")).toBe(1)
    expect(messageNumber("42")).toBe(42)
    expect(messageNumber("007")).toBe(7)
    expect(messageNumber("999999999")).toBe(999_999_999)
  })

  it("refuses zero, more than nine digits and anything not a digit", () => {
    for (const arg of [undefined, "", "0", "000", "1234567890", "+1", "-1", "1a", "a1"]) {
      expect(messageNumber(arg)).toBeNull()
    }
    for (const arg of [" 1", "1 ", "1.0", "1e3", "0x1", "٣", "１", "/", ":"]) {
      expect(messageNumber(arg)).toBeNull()
    }
  })
})

describe("count", () => {
  it("reads 1 to 9 digits, zero included", () => {
    expect(count("0")).toBe(0)
    expect(count("10")).toBe(10)
    expect(count("000000000")).toBe(0)
    expect(count("123456789")).toBe(123_456_789)
  })

  it("refuses an empty, long or non-digit argument", () => {
    for (const arg of [undefined, "", "1234567890", "-0", "1_0", "٣", " 5"]) {
      expect(count(arg)).toBeNull()
    }
  })
})
