import {
  type BareLineEndingPolicy,
  concatBytes,
  DotDecoder,
  DotEncoder,
  decodeLatin1,
  dotStuff,
  encodeLatin1,
  LocalProtocolError,
  RemoteProtocolError,
} from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { splitAt } from "./split.js"

interface Decoded {
  body: string
  ended: boolean
  rest: string
  error: string | null
}

function decode(chunks: readonly Uint8Array[], policy?: BareLineEndingPolicy): Decoded {
  const decoder = new DotDecoder(policy ? { bareLineEndings: policy } : {})
  const body: Uint8Array[] = []
  const result: Decoded = { body: "", ended: false, rest: "", error: null }
  for (const chunk of chunks) {
    if (result.ended) {
      result.rest += decodeLatin1(chunk)
      continue
    }
    for (const event of decoder.push(chunk)) {
      if (event.type === "data") body.push(event.bytes.slice())
      else {
        result.ended = true
        result.rest = decodeLatin1(event.rest)
        result.error = event.error?.code ?? null
      }
    }
  }
  result.body = decodeLatin1(concatBytes(body))
  return result
}

function encode(chunks: readonly Uint8Array[], policy?: BareLineEndingPolicy): string {
  const encoder = new DotEncoder(policy ? { bareLineEndings: policy } : {})
  const out = chunks.map((chunk) => encoder.encode(chunk))
  out.push(encoder.end())
  return decodeLatin1(concatBytes(out))
}

function splits(bytes: Uint8Array): Uint8Array[][] {
  const bytewise: Uint8Array[] = []
  for (let i = 0; i < bytes.length; i++) bytewise.push(bytes.subarray(i, i + 1))
  return [[bytes], bytewise]
}

describe("DotEncoder", () => {
  const golden: Array<[string, string, string, BareLineEndingPolicy?]> = [
    ["an empty body is just the terminator", "", ".\r\n"],
    ["a body ending in CRLF", "Hi\r\n", "Hi\r\n.\r\n"],
    ["a CRLF is added when the body lacks one", "Hi", "Hi\r\n.\r\n"],
    ["a leading dot is doubled", ".hidden\r\n", "..hidden\r\n.\r\n"],
    ["a dot after CRLF is doubled", "a\r\n.\r\nb\r\n", "a\r\n..\r\nb\r\n.\r\n"],
    ["a dot inside a line is left alone", "a.b\r\n", "a.b\r\n.\r\n"],
    ["a bare LF becomes CRLF and its dot is stuffed", "a\n.\nb", "a\r\n..\r\nb\r\n.\r\n"],
    ["a bare CR becomes CRLF", "a\r.\rb", "a\r\n..\r\nb\r\n.\r\n"],
    ["bare endings pass through when accepted", "a\n.\nb", "a\n.\nb\r\n.\r\n", "accept"],
    ["a trailing bare CR is completed when accepted", "a\r", "a\r\r\n.\r\n", "accept"],
    ["a trailing bare CR is normalized", "a\r", "a\r\n.\r\n"],
  ]
  for (const [name, body, stuffed, policy] of golden) {
    for (const chunks of splits(encodeLatin1(body))) {
      it(`${name} (${chunks.length} chunks)`, () => {
        expect(encode(chunks, policy)).toBe(stuffed)
      })
    }
  }

  it("throws LocalProtocolError on bare line endings under the reject policy", () => {
    expect(() => encode([encodeLatin1("a\nb")], "reject")).toThrow(LocalProtocolError)
    expect(() => encode([encodeLatin1("a\rb")], "reject")).toThrow(LocalProtocolError)
    expect(() => encode([encodeLatin1("a\r"), encodeLatin1("b")], "reject")).toThrow(/bare CR/)
    expect(encode([encodeLatin1("a\r"), encodeLatin1("\nb")], "reject")).toBe("a\r\nb\r\n.\r\n")
  })

  it("refuses to be used after end()", () => {
    const encoder = new DotEncoder()
    encoder.end()
    expect(() => encoder.encode(encodeLatin1("x"))).toThrow(LocalProtocolError)
    expect(() => encoder.end()).toThrow(LocalProtocolError)
  })

  it("writes only CRLF line ends under the default policy, whatever the body", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (body) => {
        const out = encodeLatin1(encode([body]))
        for (let i = 0; i < out.length; i++) {
          if (out[i] === 0x0a) expect(out[i - 1]).toBe(0x0d)
          if (out[i] === 0x0d) expect(out[i + 1]).toBe(0x0a)
        }
      }),
    )
  })
})

describe("DotDecoder", () => {
  const golden: Array<[string, string, Partial<Decoded>, BareLineEndingPolicy?]> = [
    ["an empty body", ".\r\n", { body: "", ended: true }],
    ["a simple body", "Hi\r\n.\r\n", { body: "Hi\r\n", ended: true }],
    ["stuffed dots are removed", "..a\r\n..\r\n.\r\n", { body: ".a\r\n.\r\n", ended: true }],
    ["a lone leading dot is dropped (RFC 5321 4.5.2)", ".a\r\n.\r\n", { body: "a\r\n" }],
    ["bytes after the terminator are the rest", "x\r\n.\r\nQUIT\r\n", { rest: "QUIT\r\n" }],
    ["without a terminator the body is not ended", "x\r\n", { body: "x\r\n", ended: false }],
    ["an 8-bit body", "\xe9\xff\r\n.\r\n", { body: "\xe9\xff\r\n" }],
  ]
  for (const [name, input, expected, policy] of golden) {
    for (const chunks of splits(encodeLatin1(input))) {
      it(`${name} (${chunks.length} chunks)`, () => {
        expect(decode(chunks, policy)).toMatchObject(expected)
      })
    }
  }

  // SMTP smuggling (CVE-2023-51766 and kin; go-smtp TestServer_smtpSmuggling): none of
  // these end the body, under any policy. Only the final <CRLF>.<CRLF> does.
  const smuggling = [
    "\n.\n",
    "\n.\r\n",
    "\r.\r",
    "\r.\n",
    "\r.\r\n",
    "\r\n.\n",
    "\r\n.\r",
    "\n.\r",
    "\r\n.\r\r\n",
    "\r\n.\n\r\n",
    "\r\n\n.\r\n",
    "\r\n\r.\r\n",
  ]
  for (const sequence of smuggling) {
    const shown = JSON.stringify(sequence)
    const input = `body${sequence}MAIL FROM:<evil@x>\r\nRCPT TO:<victim@y>\r\nDATA\r\nsmuggled\r\n.\r\n`
    for (const policy of ["normalize", "accept", "reject"] as const) {
      it(`${shown} does not end the data (${policy})`, () => {
        for (const chunks of splits(encodeLatin1(input))) {
          const result = decode(chunks, policy)
          expect(result.ended).toBe(true)
          expect(result.rest).toBe("")
          if (policy === "reject") {
            expect(result.error).toMatch(/^BARE_(CR|LF)$/)
            expect(result.body).not.toContain("MAIL FROM")
          } else {
            expect(result.error).toBeNull()
            expect(result.body).toContain("MAIL FROM:<evil@x>")
            expect(result.body).toContain("smuggled\r\n")
          }
        }
      })
    }
  }

  it("normalizes bare CR and LF into CRLF by default", () => {
    expect(decode([encodeLatin1("a\nb\rc\r\n.\r\n")]).body).toBe("a\r\nb\r\nc\r\n")
  })

  it("reports a bare line ending with a 550 hint under the reject policy", () => {
    const decoder = new DotDecoder({ bareLineEndings: "reject" })
    const events = decoder.push(encodeLatin1("a\nb\r\n.\r\n"))
    const end = events.find((event) => event.type === "end")
    expect(end?.type === "end" && end.error).toBeInstanceOf(RemoteProtocolError)
    expect(end?.type === "end" && end.error?.hint.smtp).toMatch(/^550 /)
  })

  it("counts the body bytes it hands out", () => {
    const decoder = new DotDecoder()
    decoder.push(encodeLatin1("..ab\r\n.\r\n"))
    expect(decoder.bodyLength).toBe(5)
    expect(decoder.isEnded).toBe(true)
    expect(() => decoder.push(encodeLatin1("x"))).toThrow(LocalProtocolError)
  })

  it("gives the same body for any split of the input", () => {
    const byte = fc.constantFrom(0x0d, 0x0a, 0x2e, 0x41)
    fc.assert(
      fc.property(
        fc.array(byte, { maxLength: 200 }),
        fc.array(fc.nat({ max: 220 }), { maxLength: 10 }),
        fc.constantFrom<BareLineEndingPolicy>("normalize", "accept", "reject"),
        (shape, cuts, policy) => {
          const input = Uint8Array.from(shape)
          const whole = decode([input], policy)
          expect(decode(splitAt(input, cuts), policy)).toEqual(whole)
          expect(decode(splits(input)[1]!, policy)).toEqual(whole)
        },
      ),
      { numRuns: 500 },
    )
  })

  it("never throws on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 10 }), (chunks) => {
        decode(chunks)
        decode(chunks, "reject")
      }),
    )
  })
})

describe("stuff then unstuff", () => {
  const bodies = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc
      .array(fc.constantFrom(0x0d, 0x0a, 0x2e, 0x41), { maxLength: 300 })
      .map((a) => Uint8Array.from(a)),
  )
  const withCrlf = (body: string) => (body === "" || body.endsWith("\r\n") ? body : `${body}\r\n`)

  it("gives back arbitrary bytes (accept), with a CRLF added when missing", () => {
    fc.assert(
      fc.property(bodies, fc.array(fc.nat({ max: 300 }), { maxLength: 6 }), (body, cuts) => {
        const stuffed = encodeLatin1(encode(splitAt(body, cuts), "accept"))
        const result = decode(splitAt(stuffed, cuts), "accept")
        expect(result).toEqual({
          body: withCrlf(decodeLatin1(body)),
          ended: true,
          rest: "",
          error: null,
        })
      }),
      { numRuns: 500 },
    )
  })

  it("gives back the normalized body under the default policy", () => {
    const normalize = (text: string) => text.replace(/\r\n|\r|\n/g, "\r\n")
    fc.assert(
      fc.property(bodies, (body) => {
        const result = decode([dotStuff(body)])
        expect(result.body).toBe(withCrlf(normalize(decodeLatin1(body))))
        expect(result.ended).toBe(true)
      }),
      { numRuns: 500 },
    )
  })
})
