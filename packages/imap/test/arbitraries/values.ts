/**
 * fast-check arbitraries for the values shared by commands and responses, in canonical
 * form (the form the encoder writes), so that `parse(encode(x))` must equal `x`.
 */
import type {
  Address,
  BodyExtension,
  BodyParam,
  BodyStructure,
  CalendarDate,
  DateTime,
  Envelope,
  ImapValue,
  Section,
  SequenceSet,
} from "@mailwire/imap"
import fc from "fast-check"

const KNOWN_WORDS = new Set(["NIL", "INBOX", "UTF8", "RETURN", "CHARSET", "ALL", "FAST", "FULL"])

export const atom = fc
  .stringMatching(/^[A-Za-z][A-Za-z0-9.\-_$]{0,8}$/)
  .filter((s) => !KNOWN_WORDS.has(s.toUpperCase()))
export const upperAtom = fc.stringMatching(/^X-[A-Z0-9]{1,8}$/)
export const text = fc.stringMatching(/^[\x20-\x7e]{0,30}$/)
export const str = fc.string({ unit: "binary", maxLength: 20 }).filter((s) => !s.includes("\0"))
export const nstring = fc.option(str, { nil: null })
export const mailbox = str.filter((s) => s.toUpperCase() !== "INBOX")
export const nz = fc.integer({ min: 1, max: 2 ** 32 - 1 })
export const num = fc.integer({ min: 0, max: 2 ** 40 })
export const modseq = fc.bigInt({ min: 0n, max: 2n ** 63n - 1n })
export const systemFlag = fc.constantFrom(
  "\\Seen",
  "\\Answered",
  "\\Flagged",
  "\\Deleted",
  "\\Draft",
  "\\Recent",
)
export const flag = fc.oneof(
  systemFlag,
  atom,
  atom.map((a) => `\\${a}`),
)

const seqNumber = fc.oneof(nz, fc.constant("*" as const))
export const sequenceSet: fc.Arbitrary<SequenceSet> = fc.oneof(
  { weight: 1, arbitrary: fc.constant("$" as const) },
  {
    weight: 9,
    arbitrary: fc.array(
      fc
        .tuple(seqNumber, fc.option(seqNumber, { nil: undefined }))
        .map(([start, end]) => ({ start, end: end ?? start })),
      { minLength: 1, maxLength: 4 },
    ),
  },
)
export const sequenceSetNoDollar = sequenceSet.filter((s) => s !== "$")

export const dateTime: fc.Arbitrary<DateTime> = fc
  .tuple(
    fc.integer({ min: Date.UTC(1000, 0, 2) / 1000, max: Date.UTC(9998, 11, 30) / 1000 }),
    fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
  )
  .map(([seconds, offsetMinutes]) => ({ date: new Date(seconds * 1000), offsetMinutes }))

export const calendarDate: fc.Arbitrary<CalendarDate> = fc.record({
  year: fc.integer({ min: 1000, max: 9999 }),
  month: fc.integer({ min: 1, max: 12 }),
  day: fc.integer({ min: 1, max: 28 }),
})

export const { value: imapValue } = fc.letrec<{ value: ImapValue }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 3, depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    str,
    atom.map((a) => ({ atom: a })),
    fc.array(tie("value"), { maxLength: 3 }),
  ),
}))

const address: fc.Arbitrary<Address> = fc.record({
  name: nstring,
  adl: nstring,
  mailbox: nstring,
  host: nstring,
})
const addressList = fc.option(fc.array(address, { minLength: 1, maxLength: 3 }), { nil: null })
export const envelope: fc.Arbitrary<Envelope> = fc.record({
  date: nstring,
  subject: nstring,
  from: addressList,
  sender: addressList,
  replyTo: addressList,
  to: addressList,
  cc: addressList,
  bcc: addressList,
  inReplyTo: nstring,
  messageId: nstring,
})

const params = fc.option(
  fc.array(fc.record({ name: str, value: str }), { minLength: 1, maxLength: 3 }),
  {
    nil: null,
  },
) as fc.Arbitrary<BodyParam[] | null>
const disposition = fc.option(fc.record({ type: str, params }), { nil: null })
const language = fc.option(fc.array(str, { minLength: 1, maxLength: 3 }), { nil: null })

/** `[md5] disposition language location extra`, cut at a random point as servers do. */
function extensionFields(withMd5: boolean): fc.Arbitrary<BodyExtension> {
  return fc
    .tuple(
      nstring,
      disposition,
      language,
      nstring,
      fc.array(imapValue, { maxLength: 2 }),
      fc.integer({ min: 0, max: 4 }),
    )
    .map(([md5, disp, lang, location, extra, cut]) => {
      const out: Record<string, unknown> = {}
      if (withMd5) out.md5 = md5
      if (cut >= 1) out.disposition = disp
      if (cut >= 2) out.language = lang
      if (cut >= 3) out.location = location
      if (cut >= 4 && extra.length > 0) out.extra = extra
      return out as unknown as BodyExtension
    })
}

export function bodyStructure(extended: boolean): fc.Arbitrary<BodyStructure> {
  const { body } = fc.letrec<{ body: BodyStructure }>((tie) => ({
    body: fc.oneof(
      { maxDepth: 3, depthSize: "small", withCrossShrink: true },
      fc
        .record({
          type: fc.constantFrom("TEXT", "text", "IMAGE", "application", "audio"),
          subtype: str,
          params,
          id: nstring,
          description: nstring,
          encoding: str,
          size: num,
          lines: num,
          ext: extended
            ? fc.option(extensionFields(true), { nil: undefined })
            : fc.constant(undefined),
        })
        .map(({ type, lines, ext, ...rest }) => {
          const part: Record<string, unknown> = { kind: "single", type, ...rest }
          if (type.toUpperCase() === "TEXT") part.lines = lines
          if (ext !== undefined) part.extension = ext
          return part as unknown as BodyStructure
        }),
      fc
        .record({
          parts: fc.array(tie("body"), { minLength: 1, maxLength: 3 }),
          subtype: str,
          params: extended ? fc.option(params, { nil: undefined }) : fc.constant(undefined),
          ext: extended
            ? fc.option(extensionFields(false), { nil: undefined })
            : fc.constant(undefined),
        })
        .map(({ parts, subtype, params: p, ext }) => {
          const part: Record<string, unknown> = { kind: "multipart", parts, subtype }
          if (p !== undefined) {
            part.params = p
            if (ext !== undefined && ext.disposition !== undefined) part.extension = ext
          }
          return part as unknown as BodyStructure
        }),
      fc
        .record({ envelope, body: tie("body"), size: num, lines: num, id: nstring, params })
        .map(({ envelope: env, body: inner, size, lines, id, params: p }) => ({
          kind: "single" as const,
          type: "MESSAGE",
          subtype: "RFC822",
          params: p,
          id,
          description: null,
          encoding: "7BIT",
          size,
          envelope: env,
          body: inner,
          lines,
        })),
    ),
  }))
  return body
}

export const sectionPart = fc.array(fc.integer({ min: 1, max: 99 }), { maxLength: 3 })
export const section: fc.Arbitrary<Section> = fc.oneof(
  sectionPart.map((part) => ({ part })),
  fc
    .tuple(sectionPart, fc.constantFrom("HEADER", "TEXT", "MIME" as const))
    .map(([part, t]) => ({ part: t === "MIME" && part.length === 0 ? [1] : part, text: t })),
  fc
    .tuple(
      sectionPart,
      fc.constantFrom("HEADER.FIELDS", "HEADER.FIELDS.NOT" as const),
      fc.array(atom, { minLength: 1, maxLength: 3 }),
    )
    .map(([part, t, fields]) => ({ part, text: t, fields })),
)
