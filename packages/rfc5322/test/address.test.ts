import {
  formatAddress,
  formatAddressList,
  type Group,
  type Mailbox,
  parseAddressList,
  parseMailbox,
} from "@mailwire/rfc5322"
import { LocalProtocolError } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const mailbox = (name: string, address: string): Mailbox => ({ type: "mailbox", name, address })
const group = (name: string, members: Mailbox[]): Group => ({ type: "group", name, members })

/** [input, expected addresses, expected defect codes]. */
const golden: Array<[string, Array<Mailbox | Group>, string[]]> = [
  ["jdoe@example.org", [mailbox("", "jdoe@example.org")], []],
  ["<boss@nil.test>", [mailbox("", "boss@nil.test")], []],
  [
    '"Joe Q. Public" <john.q.public@example.com>',
    [mailbox("Joe Q. Public", "john.q.public@example.com")],
    [],
  ],
  ['"Giant; \\"Big\\" Box" <b@x.test>', [mailbox('Giant; "Big" Box', "b@x.test")], []],
  ["Who? <one@y.test>", [mailbox("Who?", "one@y.test")], []],
  ["a@x (Name)", [mailbox("Name", "a@x")], []],
  ["a@x (  Spaced Name  )", [mailbox("Spaced Name", "a@x")], []],
  ["(Name) a@x", [mailbox("Name", "a@x")], []],
  ["<a@x> (Name)", [mailbox("Name", "a@x")], []],
  ["Real <a@x> (comment)", [mailbox("Real", "a@x")], []],
  ["x@y (a (nested) comment)", [mailbox("a (nested) comment", "x@y")], []],
  ["pete(his account)@silly.test(his host)", [mailbox("his host", "pete@silly.test")], []],
  ["pete(his account)@silly.test", [mailbox("", "pete@silly.test")], []],
  ["(Leading) <a@x>", [mailbox("Leading", "a@x")], []],
  ["undisclosed-recipients:;", [group("undisclosed-recipients", [])], []],
  ["Empty : ;", [group("Empty", [])], []],
  [
    "g: a@x, B <b@x>;, c@x",
    [group("g", [mailbox("", "a@x"), mailbox("B", "b@x")]), mailbox("", "c@x")],
    [],
  ],
  ["<@a.test,@b.test:x@y.test>", [mailbox("", "x@y.test")], []],
  ["x@[192.0.2.1]", [mailbox("", "x@[192.0.2.1]")], []],
  ["x@[ IPv6:2001:db8::1 ]", [mailbox("", "x@[IPv6:2001:db8::1]")], []],
  ['"john"@example.test', [mailbox("", "john@example.test")], []],
  ['"a"."b"@example.test', [mailbox("", "a.b@example.test")], []],
  ["a . b @ example . test", [mailbox("", "a.b@example.test")], []],
  ['"john doe"@example.test', [mailbox("", '"john doe"@example.test')], []],
  ['"a..b"@example.test', [mailbox("", '"a..b"@example.test')], []],
  ['"."@example.test', [mailbox("", '"."@example.test')], []],
  ['"a\\\\b"@example.test', [mailbox("", '"a\\\\b"@example.test')], []],
  ["José Müller <josé@bücher.example>", [mailbox("José Müller", "josé@bücher.example")], []],
  ["山田 <山田@例え.jp>", [mailbox("山田", "山田@例え.jp")], []],
  ["=?utf-8?q?J=C3=B6rg?= <j@x>", [mailbox("=?utf-8?q?J=C3=B6rg?=", "j@x")], []],
  ['"" <a@x>', [mailbox("", "a@x")], []],
  [", , a@x, ,", [mailbox("", "a@x")], []],
  ["", [], []],
  ["(only a comment)", [], []],
  // Broken forms real mail carries.
  ["Doe, John <j@x>", [mailbox("", "Doe"), mailbox("John", "j@x")], ["MISSING_DOMAIN"]],
  ["john@x.test <john@x.test>", [mailbox("john@x.test", "john@x.test")], ["UNEXPECTED_TOKEN"]],
  ["<>", [mailbox("", "")], ["EMPTY_ADDRESS"]],
  ["postmaster", [mailbox("", "postmaster")], ["MISSING_DOMAIN"]],
  ['"unclosed <a@x>', [mailbox("", '"unclosed <a@x>"')], ["UNTERMINATED", "MISSING_DOMAIN"]],
  ["A <a@x", [mailbox("A", "a@x")], ["UNTERMINATED"]],
  ["a@x (unclosed", [mailbox("unclosed", "a@x")], ["UNTERMINATED"]],
  ["g: a@x", [group("g", [mailbox("", "a@x")])], ["UNTERMINATED"]],
  ["a@b@c", [mailbox("", '"a@b"@c')], ["MULTIPLE_AT"]],
  ["a@", [mailbox("", "a@")], ["MISSING_DOMAIN"]],
  ["a@x..test", [mailbox("", "a@x..test")], ["INVALID_DOMAIN"]],
  ["<a@x> junk", [mailbox("", "a@x")], ["UNEXPECTED_TOKEN"]],
  [
    "outer: inner: a@x;, b@x",
    [group("outer", [mailbox("", "a@x")]), mailbox("", "b@x")],
    ["NESTED_GROUP"],
  ],
]

describe("parseAddressList golden cases", () => {
  for (const [input, addresses, defects] of golden) {
    it(`reads ${JSON.stringify(input)}`, () => {
      const result = parseAddressList(input)
      expect(result.addresses).toEqual(addresses)
      expect(result.defects.map((d) => d.code)).toEqual(defects)
    })
  }

  it("unfolds folded input", () => {
    expect(parseAddressList("A\r\n B <a@x>,\r\n\tc@x").addresses).toEqual([
      mailbox("A B", "a@x"),
      mailbox("", "c@x"),
    ])
  })
})

describe("quoted local parts are never split or misrouted", () => {
  // nodemailer GHSA-mm7p-fcc7-pg87: a quoted local part holding an address was sent to
  // the domain inside the quotes. Python CVE-2023-27043: specials made the wrong part of
  // the field the addr-spec.
  const cases: Array<[string, string, string]> = [
    [
      '"xclow3n@gmail.com x"@internal.domain',
      '"xclow3n@gmail.com x"@internal.domain',
      "internal.domain",
    ],
    ['"attacker@evil.test"@good.test', '"attacker@evil.test"@good.test', "good.test"],
    ['"a@evil.test,b"@good.test', '"a@evil.test,b"@good.test', "good.test"],
    ['"a@evil.test,"@good.test, c@good.test', '"a@evil.test,"@good.test', "good.test"],
    ['Name <"x@evil.test"@good.test>', '"x@evil.test"@good.test', "good.test"],
    ['"<x@evil.test>"@good.test', '"<x@evil.test>"@good.test', "good.test"],
    ["alice@example.org)<bob@example.org>", "bob@example.org", "example.org"],
  ]
  for (const [input, address, domain] of cases) {
    it(`reads ${input} as ${address}`, () => {
      const [first] = parseAddressList(input).addresses
      expect(first).toMatchObject({ type: "mailbox", address })
      const mailbox = first as Mailbox
      expect(mailbox.address.slice(mailbox.address.lastIndexOf("@") + 1)).toBe(domain)
    })
  }

  it("keeps a quoted local part with a comma as one address", () => {
    expect(parseAddressList('"a,b"@x, c@y').addresses).toEqual([
      mailbox("", '"a,b"@x'),
      mailbox("", "c@y"),
    ])
  })
})

describe("parseMailbox", () => {
  it("reads one mailbox", () => {
    expect(parseMailbox("Michael Jones <mjones@machine.example>")).toEqual({
      mailbox: mailbox("Michael Jones", "mjones@machine.example"),
      defects: [],
    })
  })

  it("records a defect when there is not exactly one mailbox", () => {
    const result = parseMailbox("a@x, b@x")
    expect(result.mailbox).toEqual(mailbox("", "a@x"))
    expect(result.defects.map((d) => d.code)).toEqual(["UNEXPECTED_TOKEN"])
    expect(parseMailbox("").mailbox).toBeNull()
  })
})

describe("formatAddress", () => {
  const cases: Array<[Mailbox | Group, string]> = [
    [mailbox("", "a@x"), "a@x"],
    [mailbox("John Doe", "j@x"), "John Doe <j@x>"],
    [mailbox("Who?", "one@y.test"), "Who? <one@y.test>"],
    [mailbox("Joe Q. Public", "j@x"), '"Joe Q. Public" <j@x>'],
    [mailbox('Giant; "Big" Box', "b@x"), '"Giant; \\"Big\\" Box" <b@x>'],
    [mailbox("back\\slash", "b@x"), '"back\\\\slash" <b@x>'],
    [mailbox(" padded ", "b@x"), '" padded " <b@x>'],
    [mailbox("José", "josé@bücher.example"), "José <josé@bücher.example>"],
    [mailbox("", '"john doe"@x'), '"john doe"@x'],
    [mailbox("", '"john"@x'), "john@x"],
    [mailbox("", ""), "<>"],
    [group("undisclosed-recipients", []), "undisclosed-recipients:;"],
    [
      group("A Group", [mailbox("Ed", "c@a.test"), mailbox("", "joe@w.test")]),
      "A Group: Ed <c@a.test>, joe@w.test;",
    ],
    [group("", []), '"":;'],
  ]
  for (const [address, text] of cases) {
    it(`writes ${text}`, () => expect(formatAddress(address)).toBe(text))
  }

  it("joins a list with commas", () => {
    expect(formatAddressList([mailbox("", "a@x"), mailbox("B", "b@x")])).toBe("a@x, B <b@x>")
  })

  const refused: Array<[string, Mailbox | Group]> = [
    ["CR LF in a name", mailbox("x\r\nBcc: all@x", "a@x")],
    ["LF in an address", mailbox("", "a@x\nBcc: all@x")],
    ["NUL in a group name", group("g\0", [])],
    ["two addresses as one", mailbox("", "a@x, b@x")],
    ["an address with angle brackets", mailbox("", "<a@x>")],
    ["an address without a domain", mailbox("", "postmaster")],
    ["an unquoted space in a local part", mailbox("", "john doe@x")],
    ["a group inside a group", group("g", [group("h", []) as unknown as Mailbox])],
  ]
  for (const [what, address] of refused) {
    it(`refuses ${what}`, () => expect(() => formatAddress(address)).toThrow(LocalProtocolError))
  }
})

const atext = "abcxyzABC0123456789!#$%&'*+-/=?^_`{|}~"
const atom = fc.string({ unit: fc.constantFrom(...atext), minLength: 1, maxLength: 6 })
const oddChar = fc.constantFrom(...'"\\,;:<>@()[]. \t\u0001\u007fé日😀=?', ...atext)
const oddText = fc.string({ unit: oddChar, maxLength: 12 })
const name = fc.oneof(
  fc.constant(""),
  fc.array(atom, { minLength: 1, maxLength: 3 }).map((words) => words.join(" ")),
  oddText,
)
const localPart = fc.oneof(
  fc.array(atom, { minLength: 1, maxLength: 3 }).map((words) => words.join(".")),
  oddText,
)
const domain = fc.oneof(
  fc.array(atom, { minLength: 1, maxLength: 3 }).map((labels) => labels.join(".")),
  fc.constantFrom("[192.0.2.1]", "[IPv6:2001:db8::1]", "bücher.example", "例え.jp"),
)
const quote = (text: string) =>
  /^[^.\s"\\,;:<>@()[\]\u0000-\u001f\u007f]+(\.[^.\s"\\,;:<>@()[\]\u0000-\u001f\u007f]+)*$/.test(
    text,
  )
    ? text
    : `"${text.replace(/[\\"]/g, "\\$&")}"`
const mailboxArb = fc
  .tuple(name, localPart, domain)
  .map(([n, local, d]) => mailbox(n, `${quote(local)}@${d}`))
const groupArb = fc
  .tuple(name, fc.array(mailboxArb, { maxLength: 3 }))
  .map(([n, members]) => group(n, members))

describe("address properties", () => {
  it("reads back what it writes: parseAddressList(formatAddressList(x)) equals x", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(mailboxArb, groupArb), { maxLength: 4 }), (list) => {
        const text = formatAddressList(list)
        const parsed = parseAddressList(text)
        expect(parsed.addresses).toEqual(list)
      }),
      { numRuns: 500 },
    )
  })

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.oneof(oddChar, fc.constantFrom("\r", "\n")), maxLength: 80 }),
        (text) => {
          const result = parseAddressList(text)
          for (const address of result.addresses) {
            const mailboxes = address.type === "group" ? address.members : [address]
            for (const m of mailboxes) expect(typeof m.address).toBe("string")
          }
        },
      ),
      { numRuns: 1000 },
    )
  })

  it("never throws on arbitrary Unicode, lone surrogates included", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), (text) => {
        expect(Array.isArray(parseAddressList(text).addresses)).toBe(true)
      }),
      { numRuns: 1000 },
    )
  })
})
