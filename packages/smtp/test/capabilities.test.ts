/** EHLO keywords are case-insensitive (RFC 5321 §2.4): a lookup in any case finds them. */
import { hasCapability, parseEhloReply } from "@mailwire/smtp"
import { describe, expect, it } from "vitest"

const capabilities = parseEhloReply({
  code: 250,
  enhancedCode: null,
  lines: ["mx.test greets you", "pipelining", "Size 1000", "8BITMIME"],
})

describe("hasCapability", () => {
  it("finds a keyword the server sent in any case, asked for in any case", () => {
    for (const keyword of ["PIPELINING", "pipelining", "Pipelining", "SIZE", "size", "8bitmime"]) {
      expect(hasCapability(capabilities, keyword)).toBe(true)
    }
  })

  it("does not find what the server did not announce", () => {
    expect(hasCapability(capabilities, "CHUNKING")).toBe(false)
    expect(hasCapability(capabilities, "chunking")).toBe(false)
  })
})
