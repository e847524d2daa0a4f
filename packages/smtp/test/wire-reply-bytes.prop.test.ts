/**
 * The reply reader checks each line on its bytes and decodes only the text it keeps. These
 * properties hold it to the grammar as written with regular expressions over the decoded
 * line (RFC 5321 §4.2, RFC 2034 §4): for any lines, the same replies, or the same error.
 */
import { ReplyReader, type SmtpReply } from "@mailwire/smtp"
import { RemoteProtocolError } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const REPLY_LINE = /^([2-5][0-5][0-9])(?:([ -])(.*))?$/s
const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?: |$)/

/** The reply grammar over decoded text: what the reader must agree with. */
function referenceReplies(lineBytes: readonly Uint8Array[]): (SmtpReply | string)[] {
  const out: (SmtpReply | string)[] = []
  let lines: string[] = []
  let code = 0
  for (const bytes of lineBytes) {
    const match = REPLY_LINE.exec(new TextDecoder().decode(bytes))
    if (match === null) return [...out, "INVALID_REPLY"]
    const lineCode = Number(match[1])
    if (lines.length > 0 && lineCode !== code) return [...out, "INVALID_REPLY"]
    code = lineCode
    lines.push(match[3] ?? "")
    if (match[2] === "-") continue
    out.push(splitEnhancedCode(code, lines))
    lines = []
  }
  return out
}

function splitEnhancedCode(code: number, lines: string[]): SmtpReply {
  const match = ENHANCED.exec(lines[0]!)
  if (match === null || Number(match[1]) !== Math.floor(code / 100)) {
    return { code, enhancedCode: null, lines }
  }
  const enhancedCode = `${match[1]}.${Number(match[2])}.${Number(match[3])}`
  const stripped = lines.map((line) => {
    const own = ENHANCED.exec(line)
    return own === null ? line : line.slice(own[0].length)
  })
  return { code, enhancedCode, lines: stripped }
}

function readerReplies(lineBytes: readonly Uint8Array[]): (SmtpReply | string)[] {
  const reader = new ReplyReader()
  const out: (SmtpReply | string)[] = []
  try {
    for (const bytes of lineBytes) {
      const withCrlf = new Uint8Array(bytes.length + 2)
      withCrlf.set(bytes)
      withCrlf.set([0x0d, 0x0a], bytes.length)
      reader.push(withCrlf)
      for (let reply = reader.next(); reply !== null; reply = reader.next()) out.push(reply)
    }
  } catch (error) {
    if (!(error instanceof RemoteProtocolError)) throw error
    out.push(error.code)
  }
  return out
}

const enc = (text: string) => new TextEncoder().encode(text)

/** Pieces that make reply lines and near misses: codes, separators, enhanced codes, 8-bit text. */
const piece = fc.oneof(
  fc.constantFrom("250", "550", "452", "354", "199", "260", "25", "2", "5"),
  fc.constantFrom(" ", "-", ".", "0", "1", "12", "123", "1234", "2.", "4.", "5.", "x"),
  fc.constantFrom("2.1.0 ", "5.7.1", "4.04.009 ", "2.1.", "é", "\uFEFF", "\t", "\r"),
  fc.string({ maxLength: 4 }),
)
const lineBytes = fc.oneof(
  { weight: 4, arbitrary: fc.array(piece, { maxLength: 8 }).map((parts) => enc(parts.join(""))) },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 12 }).map((b) => b.filter((x) => x !== 0x0a)),
  },
)
/** A well-formed start most of the time, so the text and enhanced-code paths are reached. */
const replyLine = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom("250", "550", "452"), fc.constantFrom(" ", "-"), lineBytes)
      .map(([code, sep, rest]) => {
        const head = enc(code + sep)
        const out = new Uint8Array(head.length + rest.length)
        out.set(head)
        out.set(rest, head.length)
        return out
      }),
  },
  { weight: 1, arbitrary: lineBytes },
)

describe("reply lines read on their bytes (RFC 5321 §4.2, RFC 2034 §4)", () => {
  it("gives the replies and errors of the grammar over decoded text", () => {
    fc.assert(
      fc.property(fc.array(replyLine, { maxLength: 6 }), (lines) => {
        // A trailing CR before CRLF is stripped by the line reader; keep inputs free of it.
        const cleaned = lines.map((line) =>
          line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, -1) : line,
        )
        expect(readerReplies(cleaned)).toEqual(referenceReplies(cleaned))
      }),
      { numRuns: 2000 },
    )
  })

  it("keeps a byte order mark at the start of the text", () => {
    expect(readerReplies([enc("250 \uFEFFhello")])).toEqual([
      { code: 250, enhancedCode: null, lines: ["\uFEFFhello"] },
    ])
    expect(readerReplies([enc("250 2.0.0 \uFEFFok")])).toEqual([
      { code: 250, enhancedCode: "2.0.0", lines: ["\uFEFFok"] },
    ])
  })

  it("strips leading zeros of an enhanced code and the code of every line", () => {
    expect(readerReplies([enc("550-5.01.001 No"), enc("550 5.1.1 such user")])).toEqual([
      { code: 550, enhancedCode: "5.1.1", lines: ["No", "such user"] },
    ])
  })

  it("keeps an enhanced code whose class is not the reply's as text", () => {
    expect(readerReplies([enc("250 5.1.1 odd")])).toEqual([
      { code: 250, enhancedCode: null, lines: ["5.1.1 odd"] },
    ])
  })
})
