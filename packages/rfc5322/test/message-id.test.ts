import { parseMessageIds } from "@mailwire/rfc5322"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

/** [input, ids, defect codes]. */
const golden: Array<[string, string[], string[]]> = [
  ["<1234@local.machine.example>", ["1234@local.machine.example"], []],
  [
    "<1234@local.machine.example> <3456@example.net>",
    ["1234@local.machine.example", "3456@example.net"],
    [],
  ],
  ["<a@b>\r\n <c@d>", ["a@b", "c@d"], []],
  ["<a@b><c@d>", ["a@b", "c@d"], []],
  ["<1234   @   local(blah)  .machine .example>", ["1234@local.machine.example"], []],
  ["<a@[127.0.0.1]>", ["a@[127.0.0.1]"], []],
  ['<"quoted id"@example.test>', ['"quoted id"@example.test'], []],
  ['"Your message of Monday" <a@b>', ["a@b"], []],
  ["<a@b> (Mary Smith's message of today)", ["a@b"], []],
  ["Re: your mail <a@b>, junk; <c@d>", ["a@b", "c@d"], []],
  ["1234@local.machine.example", ["1234@local.machine.example"], ["MISSING_BRACKETS"]],
  ["a@b c@d", ["a@b", "c@d"], ["MISSING_BRACKETS", "MISSING_BRACKETS"]],
  ["<a@b", ["a@b"], ["UNTERMINATED"]],
  ["", [], []],
  ["<>", [], []],
  ["no ids here", [], []],
]

describe("parseMessageIds", () => {
  for (const [input, ids, defects] of golden) {
    it(`reads ${JSON.stringify(input)}`, () => {
      const result = parseMessageIds(input)
      expect(result.ids).toEqual(ids)
      expect(result.defects.map((d) => d.code)).toEqual(defects)
    })
  }

  it("reads back ids written in brackets and separated by white space", () => {
    const part = fc.string({
      unit: fc.constantFrom(..."abcXYZ019.-_$+"),
      minLength: 1,
      maxLength: 8,
    })
    const id = fc.tuple(part, part).map(([left, right]) => `${left}@${right}`)
    fc.assert(
      fc.property(fc.array(id, { maxLength: 6 }), (ids) => {
        expect(parseMessageIds(ids.map((i) => `<${i}>`).join("\r\n ")).ids).toEqual(ids)
      }),
    )
  })

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 80 }), (text) => {
        for (const id of parseMessageIds(text).ids) expect(id.length).toBeGreaterThan(0)
      }),
    )
  })
})
