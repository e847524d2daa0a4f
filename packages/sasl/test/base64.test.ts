import { decodeBase64, decodeSaslResponse, encodeBase64 } from "@mailwire/sasl"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { bytes, text } from "./exchange.js"

/** RFC 4648 §10 test vectors. */
const RFC_4648 = [
  ["", ""],
  ["f", "Zg=="],
  ["fo", "Zm8="],
  ["foo", "Zm9v"],
  ["foob", "Zm9vYg=="],
  ["fooba", "Zm9vYmE="],
  ["foobar", "Zm9vYmFy"],
] as const

describe("base64", () => {
  it.each(RFC_4648)("encodes %j as %j and back (RFC 4648 §10)", (plain, encoded) => {
    expect(encodeBase64(bytes(plain))).toBe(encoded)
    expect(text(decodeBase64(encoded)!)).toBe(plain)
  })

  it("encodes all 256 byte values and every tail length", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i)
    expect(encodeBase64(all).slice(0, 8)).toBe("AAECAwQF")
    expect(encodeBase64(Uint8Array.of(0xfb, 0xff))).toBe("+/8=")
    expect(decodeBase64(encodeBase64(all))).toEqual(all)
  })

  it.each([
    ["Zg", "missing padding"],
    ["Zg=", "short padding"],
    ["Z===", "too much padding"],
    ["Zh==", "non-zero unused bits"],
    ["Zm9=", "non-zero unused bits before one pad"],
    ["Zm 9v", "a space"],
    ["Zm9v\r\n", "a line break"],
    ["Zg==Zg==", "padding in the middle"],
    ["Zm-v", "the URL-safe alphabet"],
    ["Zm9é", "a non-ASCII character"],
    ["====", "only padding"],
  ])("rejects %j (%s)", (input) => {
    expect(decodeBase64(input)).toBeNull()
  })

  it("round-trips arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        expect(decodeBase64(encodeBase64(data))).toEqual(data)
      }),
    )
  })

  it("decodes only canonical text: whatever decodes re-encodes to the same string", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."AZaz09+/=Q-_ \u00e9") }), (input) => {
        const decoded = decodeBase64(input)
        if (decoded !== null) expect(encodeBase64(decoded)).toBe(input)
      }),
    )
  })
})

describe("decodeSaslResponse", () => {
  it("reads * as a cancel (RFC 4954 §4)", () => {
    expect(decodeSaslResponse("*")).toEqual({ type: "cancel" })
  })

  it("reads = as an empty initial response (RFC 4959 §3)", () => {
    expect(decodeSaslResponse("=")).toEqual({ type: "response", bytes: new Uint8Array(0) })
  })

  it("reads an empty line as an empty response", () => {
    expect(decodeSaslResponse("")).toEqual({ type: "response", bytes: new Uint8Array(0) })
  })

  it("decodes a base64 response", () => {
    expect(decodeSaslResponse("AHRpbQB0YW5zdGFhZnRhbnN0YWFm")).toEqual({
      type: "response",
      bytes: bytes("\u0000tim\u0000tanstaaftanstaaf"),
    })
  })

  it.each(["**", "* ", "abc", "Zg", "==", " Zg=="])("calls %j invalid", (line) => {
    expect(decodeSaslResponse(line)).toEqual({ type: "invalid" })
  })

  it("never throws on an arbitrary line", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (line) => {
        expect(["cancel", "response", "invalid"]).toContain(decodeSaslResponse(line).type)
      }),
    )
  })
})
