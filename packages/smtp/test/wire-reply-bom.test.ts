/**
 * A reply line led by a UTF-8 byte order mark reads as it did when each line was decoded
 * whole before it was parsed (the decoder drops a leading BOM); a BOM inside the text is
 * text and is kept.
 */
import { parseReplies } from "@mailwire/smtp"
import { describe, expect, it } from "vitest"

const BOM = [0xef, 0xbb, 0xbf]
const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(
    parts.flatMap((part) =>
      typeof part === "string" ? [...new TextEncoder().encode(part)] : part,
    ),
  )

describe("a byte order mark in a reply line", () => {
  it("is dropped at the start of a line", () => {
    expect(parseReplies(bytes(BOM, "250\r\n"))).toEqual([
      { code: 250, enhancedCode: null, lines: [""] },
    ])
    expect(parseReplies(bytes(BOM, "250-2.1.0 first\r\n", BOM, "250 2.1.0 second\r\n"))).toEqual([
      { code: 250, enhancedCode: "2.1.0", lines: ["first", "second"] },
    ])
  })

  it("is kept at the start of the text", () => {
    expect(parseReplies(bytes("250 ", BOM, "Ok\r\n"))).toEqual([
      { code: 250, enhancedCode: null, lines: ["\uFEFFOk"] },
    ])
  })

  it("does not make a line that is not a reply one", () => {
    expect(() => parseReplies(bytes(BOM, BOM, "250 Ok\r\n"))).toThrow(/not a reply line/)
    expect(() => parseReplies(bytes(BOM, "hello\r\n"))).toThrow(/not a reply line/)
  })
})
