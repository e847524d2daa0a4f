import { formatAddress, type Mailbox, parseAddressList, parseMailbox } from "@mailwire/rfc5322"
import { LocalProtocolError } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const mailbox = (name: string, address: string): Mailbox => ({ type: "mailbox", name, address })
const addresses = (text: string) =>
  parseAddressList(text).addresses.flatMap((a) => (a.type === "group" ? a.members : [a]))

describe("a domain literal cannot smuggle a second address", () => {
  it("refuses to write a domain literal holding a quoted-pair", () => {
    // Written as-is, `a@[x\]>,<b@evil]` read back as a@[x] plus a second address b@evil].
    expect(() => formatAddress(mailbox("X", "a@[x\\]>,<b@evil]"))).toThrow(LocalProtocolError)
    expect(() => formatAddress(mailbox("", "a@[x\\]y]"))).toThrow(LocalProtocolError)
  })

  it("reads a literal with a quoted-pair as one address and keeps it one when re-read", () => {
    const { addresses: list, defects } = parseAddressList("a@[x\\]>, <b@evil]")
    expect(list).toHaveLength(1)
    expect(defects.map((d) => d.code)).toContain("INVALID_DOMAIN")
    const address = (list[0] as Mailbox).address
    expect(addresses(`<${address}>`).map((m) => m.address)).toEqual([address])
  })

  it("keeps a quoted-string in a domain quoted, so the address is refused, not rewritten", () => {
    // Found by the property below: the domain `a" ` (an unclosed quoted space) was read
    // as `a `, which a writer canonicalized to the different, valid `""@a`.
    const [m] = addresses('@a" ')
    expect(m?.address).toBe('""@a" "')
    expect(() => formatAddress(m!)).toThrow(LocalProtocolError)
  })

  it("writes any parsed mailbox as exactly one mailbox, or refuses it (any text)", () => {
    const unit = fc.constantFrom(...'a@[]\\<>,;:"() .b'.split(""))
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 24 }), (text) => {
        for (const m of addresses(text)) {
          let written: string
          try {
            written = formatAddress(m)
          } catch (error) {
            expect(error).toBeInstanceOf(LocalProtocolError)
            continue
          }
          expect(addresses(written)).toEqual([m])
        }
      }),
      { numRuns: 3000 },
    )
  })
})

describe("an obs-route with nothing after it", () => {
  it.each(["<@:", "<@a:>", "Name <@a,@b:>", "g: <@a:>;"])("reads %j without throwing", (text) => {
    const { addresses: list, defects } = parseAddressList(text)
    expect(list.length).toBeGreaterThan(0)
    expect(defects.map((d) => d.code)).toContain("MISSING_DOMAIN")
  })
})

describe("parsed names and addresses never carry CR, LF or NUL", () => {
  it.each([
    ['"a\r\nb"@x.test', "ab@x.test"],
    ['"a\\\r\\\nb"@x.test', "ab@x.test"],
    ["a\u0000b@x.test", "ab@x.test"],
    ['"a\u0000"@x.test', "a@x.test"],
  ])("reads %j without control characters, with a defect", (text, address) => {
    const { addresses: list, defects } = parseAddressList(text)
    expect((list[0] as Mailbox).address).toBe(address)
    expect(defects.length).toBeGreaterThan(0)
  })

  it("drops CR, LF and NUL from display names and comments", () => {
    const list = addresses('"Jane\r\nBcc: x" <a@x.test>, b@x.test (Bob\r\nCc: y\u0000)')
    expect(list.map((m) => m.name)).toEqual(["JaneBcc: x", "BobCc: y"])
  })

  it("holds for arbitrary text", () => {
    const unit = fc.constantFrom(...'a@"\\()[]<>,\r\n\u0000 .'.split(""))
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 30 }), (text) => {
        for (const a of parseAddressList(text).addresses) {
          const members = a.type === "group" ? a.members : [a]
          expect(a.name).not.toMatch(/[\r\n\0]/)
          for (const m of members) expect(m.name + m.address).not.toMatch(/[\r\n\0]/)
        }
      }),
      { numRuns: 3000 },
    )
  })
})

describe("GHSA-mm7p-fcc7-pg87 / CVE-2023-27043 variants route to the right domain", () => {
  /** [input, the addresses a mail server must route to]. */
  const cases: Array<[string, string[]]> = [
    ['"alice@example.org"@evil.test', ['"alice@example.org"@evil.test']],
    ['"a,b"@good.test', ['"a,b"@good.test']],
    ['"a<b>"@good.test', ['"a<b>"@good.test']],
    ['"x@good.test>" <y@evil.test>', ["y@evil.test"]],
    ['"a\\"@evil.test"@good.test', ['"a\\"@evil.test"@good.test']],
    ["alice@example.org)<bob@example.org>", ["bob@example.org"]],
    ["a(b@evil.test)@good.test", ["a@good.test"]],
    ["(c@evil.test) a@good.test", ["a@good.test"]],
    ["a@good.test (<evil@evil.test>)", ["a@good.test"]],
    ["=?utf-8?q?a=40evil.test?= <b@good.test>", ["b@good.test"]],
    ["=?utf-8?q?a=40evil.test?=@good.test", ["=?utf-8?q?a=40evil.test?=@good.test"]],
    ["a@evil.test@good.test", ['"a@evil.test"@good.test']],
  ]

  it.each(cases)("reads %j as %j", (text, expected) => {
    expect(addresses(text).map((m) => m.address)).toEqual(expected)
  })

  it.each(cases)("writes what it read from %j so that it reads back the same", (text) => {
    for (const m of addresses(text)) {
      let written: string
      try {
        written = formatAddress(m)
      } catch (error) {
        expect(error).toBeInstanceOf(LocalProtocolError)
        continue
      }
      expect(addresses(written)).toEqual([m])
    }
  })

  it("formats a name holding a quote and CR LF only by refusing it", () => {
    expect(() => formatAddress(mailbox('Eve"\r\nBcc: x@evil.test', "a@good.test"))).toThrow(
      LocalProtocolError,
    )
    expect(() => formatAddress(mailbox("Eve", 'a@good.test"\r\nBcc: x@evil.test'))).toThrow(
      LocalProtocolError,
    )
  })

  it("writes a name full of specials as one quoted phrase", () => {
    const evil = mailbox('x@evil.test>, "Bcc" <y@evil.test', "a@good.test")
    expect(parseMailbox(formatAddress(evil)).mailbox).toEqual(evil)
  })
})
