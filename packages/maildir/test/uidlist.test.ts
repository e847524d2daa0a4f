import { formatUidList, parseUidList, type UidList } from "@mailwire/maildir"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const GOLDEN = [
  "mailwire-uidlist 1 V1764130000 N4 M7",
  "1 M2 FS W1234 :1764130000.M1P2Q1R00ff.host,S=1200,W=1234",
  "3 M7 FRS W88 :1764130100.M5P2Q2R0a0b.host,S=85,W=88",
  "",
].join("\n")

const GOLDEN_LIST: UidList = {
  uidValidity: 1764130000,
  uidNext: 4,
  highestModseq: 7,
  records: [
    {
      uid: 1,
      modseq: 2,
      flags: "S",
      vsize: 1234,
      base: "1764130000.M1P2Q1R00ff.host,S=1200,W=1234",
    },
    { uid: 3, modseq: 7, flags: "RS", vsize: 88, base: "1764130100.M5P2Q2R0a0b.host,S=85,W=88" },
  ],
}

describe("the UID list file", () => {
  it("reads and writes the documented format", () => {
    expect(parseUidList(GOLDEN)).toEqual(GOLDEN_LIST)
    expect(formatUidList(GOLDEN_LIST)).toBe(GOLDEN)
  })

  it("skips fields a later version adds and keeps base names with spaces", () => {
    const text = "mailwire-uidlist 1 V9 N3 M4 Xfuture\n2 M4 F Zextra :a name with spaces\n"
    expect(parseUidList(text)).toEqual({
      uidValidity: 9,
      uidNext: 3,
      highestModseq: 4,
      records: [{ uid: 2, modseq: 4, flags: "", base: "a name with spaces" }],
    })
  })

  it.each([
    ["", "an empty file"],
    ["mailwire-uidlist 1 V1 N2 M1", "a file cut before its newline"],
    ["dovecot-uidlist 1 V1 N2 M1\n", "another magic"],
    ["mailwire-uidlist 2 V1 N2 M1\n", "an unknown version"],
    ["mailwire-uidlist 1 N2 M1\n", "no UIDVALIDITY"],
    ["mailwire-uidlist 1 V0 N2 M1\n", "UIDVALIDITY zero"],
    ["mailwire-uidlist 1 V1 N2 M1\n2 M1 F :a\n", "a UID not below UIDNEXT"],
    ["mailwire-uidlist 1 V1 N5 M1\n2 M1 F :a\n1 M1 F :b\n", "UIDs out of order"],
    ["mailwire-uidlist 1 V1 N5 M1\n1 M1 F :a\n2 M1 F :a\n", "a base listed twice"],
    ["mailwire-uidlist 1 V1 N5 M1\n1 M2 F :a\n", "a modseq above the highest"],
    ["mailwire-uidlist 1 V1 N5 M1\n1 M1 F1 :a\n", "flags that are not letters"],
    ["mailwire-uidlist 1 V1 N5 M1\n1 M1 F\n", "a record without a base"],
    ["mailwire-uidlist 1 V1 N5 M1\n1 M1 F Wx :a\n", "a size that is not a number"],
  ])("gives null for %j (%s)", (text) => {
    expect(parseUidList(text)).toBeNull()
  })

  const record = fc.record({
    modseq: fc.integer({ min: 1, max: 1000 }),
    flags: fc.stringMatching(/^[A-Za-z]{0,5}$/),
    vsize: fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: undefined }),
    base: fc.stringMatching(/^[^:\n]{1,30}$/),
  })

  it("round-trips any list", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 0xffff_ffff }),
        fc.uniqueArray(record, { selector: (r) => r.base, maxLength: 8 }),
        fc.integer({ min: 1, max: 5 }),
        (uidValidity, drafts, gap) => {
          const records = drafts.map((draft, i) => {
            const { vsize, ...rest } = draft
            return { uid: 1 + i * gap, ...rest, ...(vsize === undefined ? {} : { vsize }) }
          })
          const list: UidList = {
            uidValidity,
            uidNext: records.length * gap + 1,
            highestModseq: 1000,
            records,
          }
          expect(parseUidList(formatUidList(list))).toEqual(list)
        },
      ),
    )
  })

  it("gives a list or null for arbitrary text, never an exception", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 200 }),
          fc.stringMatching(/^mailwire-uidlist 1 [VNM0-9 ]{0,20}\n([0-9MFW :a-z]{0,20}\n){0,4}$/),
        ),
        (text) => {
          const list = parseUidList(text)
          if (list !== null) expect(parseUidList(formatUidList(list))).toEqual(list)
        },
      ),
    )
  })
})
