import {
  decodeEncodedWords,
  encodeEncodedWords,
  formatParameter,
  type MimeDefect,
  parseContentType,
  parseStructuredValue,
} from "@mailwire/mime"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

/** Whether `text` has no U+FFFD, the mark of a UTF-8 sequence cut in two. */
const noReplacement = (text: string) => !text.includes("\ufffd")

describe("RFC 2047 encoded-words", () => {
  // RFC 2047 §8 examples: the displayed text for each encoded field body.
  const examples: Array<[string, string]> = [
    ["(=?ISO-8859-1?Q?a?=)", "(a)"],
    ["(=?ISO-8859-1?Q?a?= b)", "(a b)"],
    ["(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)"],
    ["(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)"],
    ["(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)"],
    ["(=?ISO-8859-1?Q?a_b?=)", "(a b)"],
    ["(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)"],
    ["=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>", "Keith Moore <moore@cs.utk.edu>"],
    [
      "=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>",
      "André Pirard <PIRARD@vm1.ulg.ac.be>",
    ],
    [
      "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
      "If you can read this you understand the example.",
    ],
  ]
  for (const [input, expected] of examples) {
    it(`decodes ${JSON.stringify(input)} (RFC 2047 §8)`, () => {
      expect(decodeEncodedWords(input)).toBe(expected)
    })
  }

  it("joins adjacent words before charset decoding, so a split UTF-8 character decodes", () => {
    expect(decodeEncodedWords("=?UTF-8?Q?=E2=82?= =?UTF-8?Q?=AC?=")).toBe("€")
    expect(decodeEncodedWords("=?utf-8?B?4oI=?= =?utf-8?B?rA==?=")).toBe("€")
  })

  it("joins ISO-2022-JP words split in the middle of an escape sequence (postal-mime #68)", () => {
    // "日本" in ISO-2022-JP (ESC $ B F| K\ ESC ( B), split across two B words.
    const bytes = [0x1b, 0x24, 0x42, 0x46, 0x7c, 0x4b, 0x5c, 0x1b, 0x28, 0x42]
    const word = (b: number[]) => `=?ISO-2022-JP?B?${btoa(String.fromCharCode(...b))}?=`
    expect(decodeEncodedWords(`${word(bytes.slice(0, 5))} ${word(bytes.slice(5))}`)).toBe("日本")
  })

  it("repairs base64 split in the middle of a quantum across words", () => {
    expect(decodeEncodedWords("=?UTF-8?B?SGVs?= =?UTF-8?B?bG8=?=")).toBe("Hello")
    expect(decodeEncodedWords("=?UTF-8?B?SGVsbG?= =?UTF-8?B?8=?=")).toBe("Hello")
  })

  it("tolerates words glued to text, over-long words and language suffixes", () => {
    expect(decodeEncodedWords("Re:=?utf-8?q?caf=C3=A9?=!")).toBe("Re:café!")
    const long = `=?utf-8?Q?${"a".repeat(120)}?=`
    expect(decodeEncodedWords(long)).toBe("a".repeat(120))
    expect(decodeEncodedWords("=?utf-8*en?Q?hi?=")).toBe("hi")
  })

  it("keeps malformed words as text and decodes unknown charsets as windows-1252", () => {
    expect(decodeEncodedWords("=?utf-8?X?abc?= =?utf-8?Q?unterminated")).toBe(
      "=?utf-8?X?abc?= =?utf-8?Q?unterminated",
    )
    const defects: MimeDefect[] = []
    expect(decodeEncodedWords("=?x-klingon?Q?=80?=", (d) => defects.push(d))).toBe("€")
    expect(defects.map((d) => d.code)).toEqual(["UNKNOWN_CHARSET"])
  })

  it("leaves plain ASCII alone when encoding", () => {
    expect(encodeEncodedWords("Hello world")).toBe("Hello world")
  })

  it("encodes only the stretch that needs it, with the shorter of B and Q", () => {
    expect(encodeEncodedWords("Re: café au lait")).toBe("Re: =?UTF-8?B?Y2Fmw6k=?= au lait")
    expect(encodeEncodedWords("x é abcdefghijklmnop é y")).toBe(
      "x =?UTF-8?Q?=C3=A9_abcdefghijklmnop_=C3=A9?= y",
    )
    const cjk = encodeEncodedWords("日本語の件名")
    expect(cjk.startsWith("=?UTF-8?B?")).toBe(true)
  })

  it("writes words of at most 75 characters without splitting a UTF-8 sequence", () => {
    fc.assert(
      // Without U+FFFD in the text: one in a decoded word would mean a split sequence.
      fc.property(fc.string({ unit: "grapheme", maxLength: 120 }).filter(noReplacement), (text) => {
        const encoded = encodeEncodedWords(text)
        for (const word of encoded.match(/=\?[^?]+\?[BQ]\?[^?]*\?=/g) ?? []) {
          expect(word.length).toBeLessThanOrEqual(75)
          expect(decodeEncodedWords(word)).not.toContain("\ufffd")
        }
        expect(decodeEncodedWords(encoded)).toBe(text)
      }),
    )
  })

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (tail) => {
        expect(typeof decodeEncodedWords(`=?utf-8?B?${tail}?= =?${tail}?Q?${tail}?=`)).toBe(
          "string",
        )
      }),
    )
  })
})

describe("Content-Type and Content-Disposition parameters", () => {
  it("parses type, subtype and parameters (RFC 2045 §5.1)", () => {
    const ct = parseContentType('Text/Plain; charset="ISO-8859-1" (comment); format=flowed')
    expect(ct.mimeType).toBe("text/plain")
    expect(ct.parameters.charset).toBe("ISO-8859-1")
    expect(ct.parameters.format).toBe("flowed")
  })

  it("defaults to text/plain; charset=us-ascii (RFC 2045 §5.2)", () => {
    const ct = parseContentType(undefined)
    expect(ct.mimeType).toBe("text/plain")
    expect(ct.parameters.charset).toBe("us-ascii")
    expect(parseContentType("garbage").mimeType).toBe("text/plain")
  })

  it("joins RFC 2231 §3 continuations", () => {
    const ct = parseContentType(
      'message/external-body; access-type=URL;\r\n URL*0="ftp://";\r\n URL*1="cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"',
    )
    expect(ct.parameters.url).toBe("ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar")
    expect(ct.parameters["access-type"]).toBe("URL")
  })

  it("decodes RFC 2231 §4 charset and language", () => {
    const ct = parseContentType(
      "application/x-stuff;\r\n title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A",
    )
    expect(ct.parameters.title).toBe("This is ***fun***")
  })

  it("combines encoded and plain sections (RFC 2231 §4.1), even with the RFC's missing semicolons", () => {
    const ct = parseContentType(
      "application/x-stuff\r\n title*0*=us-ascii'en'This%20is%20even%20more%20\r\n title*1*=%2A%2A%2Afun%2A%2A%2A%20\r\n title*2=\"isn't it!\"",
    )
    expect(ct.mimeType).toBe("application/x-stuff")
    expect(ct.parameters.title).toBe("This is even more ***fun*** isn't it!")
  })

  it("decodes a UTF-8 character split across RFC 2231 sections", () => {
    const cd = parseStructuredValue("attachment; filename*0*=utf-8''%E2%82; filename*1*=%AC.txt")
    expect(cd.parameters.filename).toBe("€.txt")
  })

  it("reads the garbage real mail carries", () => {
    const defects: MimeDefect[] = []
    const sink = (d: MimeDefect) => defects.push(d)
    expect(parseStructuredValue("attachment; filename=my file.pdf", sink).parameters.filename).toBe(
      "my file.pdf",
    )
    expect(parseContentType("text/plain charset=utf-8", sink).parameters.charset).toBe("utf-8")
    const missingSemi = parseContentType('text/plain; charset=utf-8 format="flowed"', sink)
    expect(missingSemi.parameters).toEqual({ charset: "utf-8", format: "flowed" })
    expect(
      parseStructuredValue("inline; filename=a.txt; filename=b.exe", sink).parameters.filename,
    ).toBe("a.txt")
    expect(
      parseStructuredValue('attachment; filename="=?UTF-8?B?0YTQsNC50LsudHh0?="', sink).parameters
        .filename,
    ).toBe("файл.txt")
    expect(
      parseStructuredValue('attachment; filename="unterminated', sink).parameters.filename,
    ).toBe("unterminated")
    expect(new Set(defects.map((d) => d.code))).toEqual(
      new Set(["INVALID_PARAMETER", "DUPLICATE_PARAMETER"]),
    )
  })

  it("formats parameters: tokens bare, specials quoted, non-ASCII as RFC 2231 sections", () => {
    expect(formatParameter("charset", "utf-8")).toEqual(["charset=utf-8"])
    expect(formatParameter("filename", 'my "file".txt')).toEqual(['filename="my \\"file\\".txt"'])
    expect(formatParameter("filename", "€.txt")).toEqual(["filename*=utf-8''%E2%82%AC.txt"])
    const long = formatParameter("filename", `${"ä".repeat(40)}.txt`)
    expect(long.length).toBeGreaterThan(1)
    expect(long[0]!.startsWith("filename*0*=utf-8''")).toBe(true)
  })

  it("reads back what it formats", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 100 }), (value) => {
        const header = `attachment; ${formatParameter("filename", value).join(";\r\n ")}`
        expect(parseStructuredValue(header).parameters.filename).toBe(value)
      }),
    )
  })
})
