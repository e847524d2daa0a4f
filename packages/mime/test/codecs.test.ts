import {
  Base64Decoder,
  Base64Encoder,
  decodeBase64,
  decodeCharset,
  decodeQuotedPrintable,
  decodeUtf7,
  encodeBase64,
  encodeQuotedPrintable,
  extractUuencoded,
  type MimeDefect,
  QuotedPrintableDecoder,
  resolveCharset,
} from "@mailwire/mime"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array) => new TextDecoder().decode(b)
const latin1 = (b: Uint8Array) => String.fromCharCode(...b)

function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const out: Uint8Array[] = []
  let at = 0
  for (const p of points) {
    out.push(bytes.subarray(at, p))
    at = p
  }
  out.push(bytes.subarray(at))
  return out
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

describe("base64", () => {
  // RFC 4648 §10 test vectors.
  const vectors: Array<[string, string]> = [
    ["", ""],
    ["f", "Zg=="],
    ["fo", "Zm8="],
    ["foo", "Zm9v"],
    ["foob", "Zm9vYg=="],
    ["fooba", "Zm9vYmE="],
    ["foobar", "Zm9vYmFy"],
  ]
  for (const [plain, encoded] of vectors) {
    it(`encodes and decodes the RFC 4648 vector "${plain}"`, () => {
      expect(encodeBase64(enc(plain), 0)).toBe(encoded)
      expect(dec(decodeBase64(encoded))).toBe(plain)
    })
  }

  it("writes CRLF-terminated lines of 76 characters", () => {
    const text = encodeBase64(new Uint8Array(200).fill(0xab))
    const lines = text.split("\r\n")
    expect(lines.at(-1)).toBe("")
    for (const line of lines.slice(0, -2)) expect(line.length).toBe(76)
  })

  it("decodes leniently: missing padding, junk characters, whitespace", () => {
    const defects: MimeDefect[] = []
    expect(dec(decodeBase64("Zm9v\r\nYmE", (d) => defects.push(d)))).toBe("fooba")
    expect(defects.map((d) => d.code)).toEqual(["BASE64_PADDING"])
    const junk: MimeDefect[] = []
    expect(dec(decodeBase64("Zm9v!*YmFy", (d) => junk.push(d)))).toBe("foobar")
    expect(junk.map((d) => d.code)).toEqual(["INVALID_BASE64"])
  })

  it("continues after padding in the middle (concatenated blocks)", () => {
    expect(dec(decodeBase64("Zg==Zm8="))).toBe("ffo")
  })

  it("decodes the same at any chunk split", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (data, cuts) => {
          const encoded = enc(encodeBase64(data))
          const decoder = new Base64Decoder()
          const out = splitAt(encoded, cuts).map((c) => decoder.update(c))
          out.push(decoder.end())
          expect(concat(out)).toEqual(data)
        },
      ),
    )
  })

  it("encodes the same at any chunk split", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (data, cuts) => {
          const encoder = new Base64Encoder()
          const out = splitAt(data, cuts).map((c) => encoder.update(c))
          out.push(encoder.end())
          expect(latin1(concat(out))).toBe(encodeBase64(data))
        },
      ),
    )
  })

  it("never throws on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        expect(decodeBase64(data).length).toBeLessThanOrEqual(data.length)
      }),
    )
  })
})

describe("quoted-printable", () => {
  it("decodes the RFC 2045 §6.7 rules: escapes, soft breaks, literal text", () => {
    const input =
      "Now's the time =\r\nfor all folk to come=\r\n to the aid of their country.=3D=0D=0A"
    expect(dec(decodeQuotedPrintable(enc(input)))).toBe(
      "Now's the time for all folk to come to the aid of their country.=\r\n",
    )
  })

  it("decodes lowercase hex, a stray '=' and '=' at the very end, with a defect", () => {
    const defects: MimeDefect[] = []
    const out = decodeQuotedPrintable(enc("caf=e9 =zz price=\r\nok="), (d) => defects.push(d))
    expect(latin1(out)).toBe("caf\u00e9 =zz priceok")
    expect(defects.map((d) => d.code)).toEqual(["INVALID_QUOTED_PRINTABLE"])
  })

  it("accepts soft breaks with LF only and with trailing whitespace", () => {
    expect(dec(decodeQuotedPrintable(enc("a=\nb= \t\r\nc")))).toBe("abc")
  })

  it("encodes with lines of at most 76 characters and escapes '=' and 8-bit bytes", () => {
    const text = `${"x".repeat(200)}=\u00e9 end \r\nnext`
    const out = dec(encodeQuotedPrintable(enc(text)))
    for (const line of out.split("\r\n")) expect(line.length).toBeLessThanOrEqual(76)
    expect(out).toContain("=3D=C3=A9")
    expect(dec(decodeQuotedPrintable(enc(out)))).toBe(text)
  })

  it("escapes trailing whitespace before a line break", () => {
    expect(dec(encodeQuotedPrintable(enc("a \r\nb\t")))).toBe("a=20\r\nb=09")
  })

  it("round-trips any bytes with CRLF line breaks, at any chunk split", () => {
    const lineBytes = fc
      .uint8Array({ maxLength: 120 })
      .map((b) => b.map((x) => (x === 10 || x === 13 ? 65 : x)))
    fc.assert(
      fc.property(
        fc.array(lineBytes, { maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (lines, cuts) => {
          const data = concat(lines.flatMap((l, i) => (i === 0 ? [l] : [enc("\r\n"), l])))
          const encoded = encodeQuotedPrintable(data)
          for (const line of dec(encoded).split("\r\n")) expect(line.length).toBeLessThanOrEqual(76)
          const decoder = new QuotedPrintableDecoder()
          const out = splitAt(encoded, cuts).map((c) => decoder.update(c))
          out.push(decoder.end())
          expect(concat(out)).toEqual(data)
        },
      ),
    )
  })

  it("decodes broken input the same at any chunk split", () => {
    const alphabet = fc.constantFrom(...enc("=A3f\r\n \tzx"))
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (chars, cuts) => {
          const input = Uint8Array.from(chars)
          const whole = decodeQuotedPrintable(input)
          const decoder = new QuotedPrintableDecoder()
          const out = splitAt(input, cuts).map((c) => decoder.update(c))
          out.push(decoder.end())
          expect(concat(out)).toEqual(whole)
        },
      ),
    )
  })
})

describe("uuencode", () => {
  it("extracts a complete block from text and decodes it", () => {
    // "Cat" uuencoded, as written by the POSIX uuencode utility.
    const text = "Hello\r\nbegin 644 cat.txt\r\n#0V%T\r\n`\r\nend\r\nBye\r\n"
    const found = extractUuencoded(text)
    expect(found.files).toHaveLength(1)
    expect(found.files[0]!.filename).toBe("cat.txt")
    expect(found.files[0]!.mode).toBe(0o644)
    expect(dec(found.files[0]!.content)).toBe("Cat")
    expect(found.text).toBe("Hello\r\nBye\r\n")
  })

  it("leaves a begin line without end as text", () => {
    const text = "begin 644 x\r\n#0V%T\r\n"
    expect(extractUuencoded(text)).toEqual({ text, files: [] })
  })
})

describe("charsets", () => {
  it("resolves the aliases real mail uses", () => {
    expect(resolveCharset("utf8")).toBe("utf-8")
    expect(resolveCharset("LATIN1")).toBe("windows-1252")
    expect(resolveCharset("cp1252")).toBe("windows-1252")
    expect(resolveCharset("ks_c_5601-1987")).toBe("euc-kr")
    expect(resolveCharset("x-gbk")).toBe("gbk")
    expect(resolveCharset("x-sjis")).toBe("shift_jis")
    expect(resolveCharset("unicode-1-1-utf-7")).toBe("utf-7")
    expect(resolveCharset("no-such-charset")).toBeUndefined()
  })

  it("decodes platform charsets: ISO-2022-JP, Shift_JIS, KOI8-R, windows-1251", () => {
    expect(
      decodeCharset(
        Uint8Array.from([0x1b, 0x24, 0x42, 0x46, 0x7c, 0x4b, 0x5c, 0x1b, 0x28, 0x42]),
        "ISO-2022-JP",
      ),
    ).toBe("日本")
    expect(decodeCharset(Uint8Array.from([0x93, 0xfa, 0x96, 0x7b]), "x-sjis")).toBe("日本")
    expect(decodeCharset(Uint8Array.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]), "koi8-r")).toBe(
      "Привет",
    )
    expect(decodeCharset(Uint8Array.from([0xcf, 0xf0, 0xe8]), "cp1251")).toBe("При")
  })

  it("decodes an unknown charset as windows-1252 with a defect", () => {
    const defects: MimeDefect[] = []
    expect(decodeCharset(Uint8Array.from([0x80, 0x41]), "x-martian", (d) => defects.push(d))).toBe(
      "€A",
    )
    expect(defects.map((d) => d.code)).toEqual(["UNKNOWN_CHARSET"])
  })

  it("decodes UTF-7 (RFC 2152 §3 examples)", () => {
    expect(decodeUtf7(enc("A+ImIDkQ."))).toBe("A\u2262\u0391.")
    expect(decodeUtf7(enc("Hi Mom -+Jjo--!"))).toBe("Hi Mom -\u263a-!")
    expect(decodeUtf7(enc("+ZeVnLIqe-"))).toBe("日本語")
    expect(decodeUtf7(enc("1 +- 1"))).toBe("1 + 1")
    expect(decodeCharset(enc("+ZeVnLIqe-"), "unicode-1-1-utf-7")).toBe("日本語")
  })
})
