import { createHash } from "node:crypto"
import { apopDigest, md5 } from "@mailwire/pop3"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")
const utf8 = (text: string) => new TextEncoder().encode(text)

describe("md5", () => {
  // RFC 1321 Appendix A.5, the test suite.
  const vectors: [string, string][] = [
    ["", "d41d8cd98f00b204e9800998ecf8427e"],
    ["a", "0cc175b9c0f1b6a831c399e269772661"],
    ["abc", "900150983cd24fb0d6963f7d28e17f72"],
    ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
    ["abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"],
    [
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
      "d174ab98d277d9f5a5611c2c9f419d9f",
    ],
    [
      "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
      "57edf4a22be3c955ac49da2e2107b67a",
    ],
  ]
  for (const [input, digest] of vectors) {
    it(`gives the RFC 1321 digest of ${JSON.stringify(input.slice(0, 20))}`, () => {
      expect(hex(md5(utf8(input)))).toBe(digest)
    })
  }

  it("agrees with node:crypto for any input, across block boundaries", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(hex(md5(bytes))).toBe(createHash("md5").update(bytes).digest("hex"))
      }),
    )
  })
})

describe("apopDigest", () => {
  it("gives the RFC 1939 §7 example digest", () => {
    expect(apopDigest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf")).toBe(
      "c4c9334bac560ecc979e58001b3e22fb",
    )
  })
})
