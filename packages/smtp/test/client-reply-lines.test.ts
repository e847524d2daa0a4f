/**
 * The reply reader's short paths: a one-line reply gets its own `lines` array, a short
 * text is built from its bytes only when they are ASCII, and an enhanced code's digits
 * are read once, whether text follows the code or the line ends right after it.
 */
import { parseReplies } from "@mailwire/smtp"
import { describe, expect, it } from "vitest"
import { enc } from "./support.js"

describe("reply lines", () => {
  it("read an enhanced code that ends the line, and one with three-digit parts", () => {
    const replies = parseReplies(enc("250 2.1.5\r\n550 5.123.456 No\r\n451 4.07.010\r\n"))
    expect(replies).toEqual([
      { code: 250, enhancedCode: "2.1.5", lines: [""] },
      { code: 550, enhancedCode: "5.123.456", lines: ["No"] },
      { code: 451, enhancedCode: "4.7.10", lines: [""] },
    ])
  })

  it("decode short texts that are not ASCII as UTF-8, and keep a BOM inside the text", () => {
    const replies = parseReplies(
      enc("250 d\u00e9j\u00e0\r\n250 2.0.0 \uFEFFOk\r\n250 Ok\u00ff\r\n"),
    )
    expect(replies.map((reply) => reply.lines)).toEqual([
      ["d\u00e9j\u00e0"],
      ["\uFEFFOk"],
      ["Ok\u00ff"],
    ])
  })

  it("give every one-line reply an array of its own", () => {
    const [first, second] = parseReplies(enc("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"))
    expect(first!.lines).not.toBe(second!.lines)
    ;(first!.lines as string[]).push("changed")
    expect(second!.lines).toEqual(["Ok"])
  })

  it("keep multi-line replies whole after one-line ones", () => {
    const replies = parseReplies(enc("250 Ok\r\n250-first\r\n250 second\r\n250 Ok\r\n"))
    expect(replies.map((reply) => reply.lines)).toEqual([["Ok"], ["first", "second"], ["Ok"]])
  })
})
