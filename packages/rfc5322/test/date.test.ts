import { formatDate, parseDate } from "@mailwire/rfc5322"
import { LocalProtocolError } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

/** [input, ISO instant or null, offsetMinutes, defect codes]. */
const golden: Array<[string, string | null, number | null, string[]]> = [
  ["Fri, 21 Nov 1997 09:55:06 -0600", "1997-11-21T15:55:06.000Z", -360, []],
  ["21 Nov 1997 09:55:06 -0600", "1997-11-21T15:55:06.000Z", -360, []],
  ["Fri, 21 Nov 1997 09:55 -0600", "1997-11-21T15:55:00.000Z", -360, []],
  ["Tue, 1 Jul 2003 10:52:37 +0200", "2003-07-01T08:52:37.000Z", 120, []],
  ["Thu, 13 Feb 1969 23:32:54 -0330", "1969-02-14T03:02:54.000Z", -210, []],
  ["Fri, 21 Nov 1997 09:55:06 -0000", "1997-11-21T09:55:06.000Z", null, []],
  ["Fri, 21 Nov 1997 09:55:06 +0000", "1997-11-21T09:55:06.000Z", 0, []],
  ["Fri,21 Nov 1997 09:55:06 +0000", "1997-11-21T09:55:06.000Z", 0, []],
  ["  Fri ,  21  Nov  1997  09:55:06  +0000  ", "1997-11-21T09:55:06.000Z", 0, []],
  ["fri, 21 nov 1997 09:55:06 gmt", "1997-11-21T09:55:06.000Z", 0, []],
  ["Fri, 21 November 1997 09:55:06 +0000", "1997-11-21T09:55:06.000Z", 0, []],
  // §4.3 obsolete forms.
  ["21 Nov 97 09:55:06 GMT", "1997-11-21T09:55:06.000Z", 0, []],
  ["21 Nov 49 09:55:06 UT", "2049-11-21T09:55:06.000Z", 0, []],
  ["21 Nov 50 09:55:06 UT", "1950-11-21T09:55:06.000Z", 0, []],
  ["21 Nov 103 09:55:06 UT", "2003-11-21T09:55:06.000Z", 0, []],
  ["21 Nov 1997 09:55:06 EST", "1997-11-21T14:55:06.000Z", -300, []],
  ["21 Jul 1997 09:55:06 EDT", "1997-07-21T13:55:06.000Z", -240, []],
  ["21 Nov 1997 09:55:06 CST", "1997-11-21T15:55:06.000Z", -360, []],
  ["21 Nov 1997 09:55:06 CDT", "1997-11-21T14:55:06.000Z", -300, []],
  ["21 Nov 1997 09:55:06 MST", "1997-11-21T16:55:06.000Z", -420, []],
  ["21 Nov 1997 09:55:06 MDT", "1997-11-21T15:55:06.000Z", -360, []],
  ["21 Nov 1997 09:55:06 PST", "1997-11-21T17:55:06.000Z", -480, []],
  ["21 Nov 1997 09:55:06 PDT", "1997-11-21T16:55:06.000Z", -420, []],
  ["21 Nov 1997 09:55:06 Z", "1997-11-21T09:55:06.000Z", 0, []],
  ["21 Nov 1997 09:55:06 A", "1997-11-21T09:55:06.000Z", null, ["UNKNOWN_ZONE"]],
  ["21 Nov 1997 09:55:06 m", "1997-11-21T09:55:06.000Z", null, ["UNKNOWN_ZONE"]],
  ["Fri, 21 Nov 1997 09 : 55 : 06 -0600", "1997-11-21T15:55:06.000Z", -360, []],
  ["Fri, 21 Nov 1997 09:55:06 +0000 (UTC)", "1997-11-21T09:55:06.000Z", 0, []],
  ["Fri, 21 Nov 1997 (a (nested) comment) 09:55:06 +0000", "1997-11-21T09:55:06.000Z", 0, []],
  ["21-Nov-1997 09:55:06 +0000", "1997-11-21T09:55:06.000Z", 0, []],
  // Broken forms real mail carries.
  ["Fri, 21 Nov 1997 09:55:06 -0800 PST", "1997-11-21T17:55:06.000Z", -480, []],
  ["Fri, 21 Nov 1997 09:55:06 +0100 CET", "1997-11-21T08:55:06.000Z", 60, []],
  ["Fri, 21 Nov 1997 09:55:06 GMT+0100", "1997-11-21T08:55:06.000Z", 60, []],
  ["Fri, 21 Nov 1997 09:55:06 UTC-05:00", "1997-11-21T14:55:06.000Z", -300, []],
  ["Fri, 21 Nov 1997 09:55:06 +05:30", "1997-11-21T04:25:06.000Z", 330, []],
  ["Fri, 21 Nov 1997 09:55:06", "1997-11-21T09:55:06.000Z", null, ["MISSING_ZONE"]],
  ["Fri, 21 Nov 1997 09:55:06 CET", "1997-11-21T09:55:06.000Z", null, ["UNKNOWN_ZONE"]],
  ["2024-01-02T03:04:05Z", "2024-01-02T03:04:05.000Z", 0, ["NONSTANDARD_DATE"]],
  ["2024-01-02T03:04:05.123+01:00", "2024-01-02T02:04:05.000Z", 60, ["NONSTANDARD_DATE"]],
  ["2024-01-02 03:04:05 -0500", "2024-01-02T08:04:05.000Z", -300, ["NONSTANDARD_DATE"]],
  ["2024-01-02 03:04", "2024-01-02T03:04:00.000Z", null, ["NONSTANDARD_DATE", "MISSING_ZONE"]],
  [
    "Mon Jan  2 15:04:05 2006",
    "2006-01-02T15:04:05.000Z",
    null,
    ["MISSING_ZONE", "NONSTANDARD_DATE"],
  ],
  ["Mon Jan  2 15:04:05 MST 2006", "2006-01-02T22:04:05.000Z", -420, ["NONSTANDARD_DATE"]],
  ["Fri, 21 Nov 1997 09:55:06 -0600 12345", "1997-11-21T15:55:06.000Z", -360, ["NONSTANDARD_DATE"]],
  ["Mon, 2 Jan 2006 15:04:05 -0700 (MST)", "2006-01-02T22:04:05.000Z", -420, []],
  ["21 Nov 1997", "1997-11-21T00:00:00.000Z", null, ["NONSTANDARD_DATE", "MISSING_ZONE"]],
  ["Sat, 21 Nov 1997 09:55:06 +0000", "1997-11-21T09:55:06.000Z", 0, ["DAY_OF_WEEK_MISMATCH"]],
  ["Fri, 31 Dec 1999 23:59:60 +0000", "2000-01-01T00:00:00.000Z", 0, []],
  // Unreadable: null with a defect, never "now".
  ["", null, null, ["INVALID_DATE"]],
  ["yesterday", null, null, ["INVALID_DATE"]],
  ["Fri, 31 Feb 1997 09:55:06 +0000", null, null, ["INVALID_DATE"]],
  ["Fri, 21 Nov 1997 24:00:00 +0000", null, null, ["INVALID_DATE"]],
  ["Fri, 21 Nov 1997 09:61:00 +0000", null, null, ["INVALID_DATE"]],
  ["Fri, 21 Foo 1997 09:55:06 +0000", null, null, ["INVALID_DATE"]],
  ["12/25/2003 10:00", null, null, ["INVALID_DATE"]],
]

describe("parseDate golden cases", () => {
  for (const [input, iso, offset, defects] of golden) {
    it(`reads ${JSON.stringify(input)}`, () => {
      const result = parseDate(input)
      expect(result.date === null ? null : result.date.toISOString()).toBe(iso)
      expect(result.offsetMinutes).toBe(offset)
      expect(result.defects.map((d) => d.code)).toEqual(defects)
    })
  }

  it("reads a folded date", () => {
    expect(parseDate("Thu,\r\n 13\r\n  Feb\r\n 1969 23:32 -0330").date?.toISOString()).toBe(
      "1969-02-14T03:02:00.000Z",
    )
  })
})

describe("formatDate", () => {
  const instant = new Date("1969-02-14T03:02:54.789Z")
  it("writes the §3.3 form at the given offset", () => {
    expect(formatDate(instant, -210)).toBe("Thu, 13 Feb 1969 23:32:54 -0330")
    expect(formatDate(instant, 60)).toBe("Fri, 14 Feb 1969 04:02:54 +0100")
    expect(formatDate(new Date("2003-07-01T08:52:37Z"), 120)).toBe("Tue, 1 Jul 2003 10:52:37 +0200")
  })

  it("writes UTC as +0000 by default and as -0000 for an unknown zone", () => {
    expect(formatDate(instant)).toBe("Fri, 14 Feb 1969 03:02:54 +0000")
    expect(formatDate(instant, null)).toBe("Fri, 14 Feb 1969 03:02:54 -0000")
  })

  const refused: Array<[string, () => string]> = [
    ["an invalid date", () => formatDate(new Date(Number.NaN))],
    ["a fractional offset", () => formatDate(instant, 1.5)],
    ["an offset past 99:59", () => formatDate(instant, 6000)],
    ["a year before 1900", () => formatDate(new Date("1899-12-31T00:00:00Z"))],
    ["a five-digit year", () => formatDate(new Date("+010000-01-01T00:00:00Z"))],
  ]
  for (const [what, write] of refused) {
    it(`refuses ${what}`, () => expect(write).toThrow(LocalProtocolError))
  }
})

describe("date properties", () => {
  const instant = fc
    .integer({ min: Date.UTC(1901, 0, 1) / 1000, max: Date.UTC(9998, 11, 31) / 1000 })
    .map((seconds) => new Date(seconds * 1000))

  it("reads back what it writes: parseDate(formatDate(d, z)) gives d and z", () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: -5999, max: 5999 }), (date, offset) => {
        const result = parseDate(formatDate(date, offset))
        expect(result.defects).toEqual([])
        expect(result.date?.getTime()).toBe(date.getTime())
        expect(result.offsetMinutes).toBe(offset === 0 ? 0 : offset)
      }),
      { numRuns: 2000 },
    )
  })

  it("never throws on arbitrary text, and a null date always has a defect", () => {
    const unit = fc.constantFrom(..."0123456789 :+-,()ADEFGJMNOPSTUZadeglnoprtuvy\t\r\n")
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 60 }), (text) => {
        const result = parseDate(text)
        if (result.date === null)
          expect(result.defects.map((d) => d.code)).toContain("INVALID_DATE")
        else expect(Number.isNaN(result.date.getTime())).toBe(false)
      }),
      { numRuns: 2000 },
    )
  })

  it("never throws on arbitrary Unicode", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), (text) => {
        const result = parseDate(text)
        expect(result.date === null || !Number.isNaN(result.date.getTime())).toBe(true)
      }),
      { numRuns: 1000 },
    )
  })
})
