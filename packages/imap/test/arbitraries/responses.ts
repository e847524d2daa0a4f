/** fast-check arbitraries for every kind of response, in canonical form. */
import type { FetchItem, Response, ResponseCode, Thread } from "@mailwire/imap"
import fc from "fast-check"
import {
  atom,
  bodyStructure,
  dateTime,
  envelope,
  flag,
  imapValue,
  mailbox,
  modseq,
  nstring,
  num,
  nz,
  section,
  sectionPart,
  sequenceSet,
  sequenceSetNoDollar,
  str,
  systemFlag,
  text,
  upperAtom,
} from "./values.js"

export const bytes = fc.uint8Array({ maxLength: 40 })
const content = fc.option(bytes, { nil: null })
const origin = fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: null })

export const fetchItem: fc.Arbitrary<FetchItem> = fc.oneof(
  nz.map((value) => ({ type: "UID" as const, value })),
  fc.array(flag, { maxLength: 4 }).map((value) => ({ type: "FLAGS" as const, value })),
  envelope.map((value) => ({ type: "ENVELOPE" as const, value })),
  bodyStructure(true).map((value) => ({ type: "BODYSTRUCTURE" as const, value })),
  bodyStructure(false).map((value) => ({ type: "BODY" as const, value })),
  dateTime.map((value) => ({ type: "INTERNALDATE" as const, value })),
  num.map((value) => ({ type: "RFC822.SIZE" as const, value })),
  modseq.map((value) => ({ type: "MODSEQ" as const, value })),
  fc.record({ section, origin, value: content }).map((r) => ({ type: "BODY[]" as const, ...r })),
  fc
    .record({ part: sectionPart, origin, value: content })
    .map((r) => ({ type: "BINARY[]" as const, ...r })),
  fc.record({ part: sectionPart, value: num }).map((r) => ({ type: "BINARY.SIZE" as const, ...r })),
  fc.record({
    type: fc.constantFrom("RFC822", "RFC822.HEADER", "RFC822.TEXT" as const),
    value: content,
  }),
  fc.record({ type: fc.constantFrom("X-GM-MSGID", "X-GM-THRID" as const), value: modseq }),
  fc
    .array(
      fc.oneof(
        systemFlag,
        str.filter((s) => !s.startsWith("\\")),
      ),
      { maxLength: 3 },
    )
    .map((value) => ({
      type: "X-GM-LABELS" as const,
      value,
    })),
  fc.record({ type: fc.constant("PREVIEW" as const), value: nstring }),
  fc.record({
    type: fc.constantFrom("EMAILID", "THREADID" as const),
    value: fc.option(atom, { nil: null }),
  }),
  fc.record({ name: upperAtom, value: imapValue }).map((r) => ({ type: "other" as const, ...r })),
)

const responseCode: fc.Arbitrary<ResponseCode> = fc.oneof(
  fc
    .constantFrom(
      "ALERT",
      "TRYCREATE",
      "READ-ONLY",
      "UIDNOTSTICKY",
      "NOMODSEQ",
      "CLOSED",
      "OVERQUOTA",
      "CANNOT" as const,
    )
    .map((type) => ({ type })),
  fc.array(str, { maxLength: 2 }).map((charsets) => ({ type: "BADCHARSET" as const, charsets })),
  fc
    .array(atom, { maxLength: 3 })
    .map((capabilities) => ({ type: "CAPABILITY" as const, capabilities })),
  fc
    .array(fc.oneof(flag, fc.constant("\\*")), { maxLength: 3 })
    .map((flags) => ({ type: "PERMANENTFLAGS" as const, flags })),
  fc.record({ type: fc.constantFrom("UIDNEXT", "UIDVALIDITY", "UNSEEN" as const), value: num }),
  modseq.map((m) => ({ type: "HIGHESTMODSEQ" as const, modseq: m })),
  sequenceSet.map((set) => ({ type: "MODIFIED" as const, set })),
  fc
    .record({ uidValidity: num, uids: sequenceSet })
    .map((r) => ({ type: "APPENDUID" as const, ...r })),
  fc
    .record({ uidValidity: num, sourceUids: sequenceSet, destinationUids: sequenceSet })
    .map((r) => ({ type: "COPYUID" as const, ...r })),
  fc
    .record({
      name: upperAtom,
      text: fc.option(fc.stringMatching(/^[\x20\x21\x23-\x5b\x5e-\x7e]{0,20}$/), { nil: null }),
    })
    .map((r) => ({ type: "other" as const, ...r })),
)

const statusText = text.filter((t) => !t.startsWith("["))
const { thread } = fc.letrec<{ thread: Thread }>((tie) => ({
  thread: fc.oneof(
    { maxDepth: 4, depthSize: "small" },
    fc.record({ members: fc.array(nz, { minLength: 1, maxLength: 3 }), children: fc.constant([]) }),
    fc.record({
      members: fc.array(nz, { maxLength: 3 }),
      children: fc.array(tie("thread"), { maxLength: 2 }),
    }),
  ),
}))
const namespaces = fc.option(
  fc.array(
    fc.record({
      prefix: str,
      delimiter: fc.option(fc.stringMatching(/^[\x20-\x7e]$/), { nil: null }),
      extensions: fc.array(fc.record({ name: str, values: fc.array(str, { maxLength: 2 }) }), {
        maxLength: 2,
      }),
    }),
    { minLength: 1, maxLength: 2 },
  ),
  { nil: null },
)

export const response: fc.Arbitrary<Response> = fc.oneof(
  fc.record({
    type: fc.constant("status" as const),
    tag: fc.option(atom, { nil: null }),
    status: fc.constantFrom("OK", "NO", "BAD" as const),
    code: fc.option(responseCode, { nil: null }),
    text: statusText,
  }),
  fc.record({
    type: fc.constant("status" as const),
    tag: fc.constant(null),
    status: fc.constantFrom("PREAUTH", "BYE" as const),
    code: fc.option(responseCode, { nil: null }),
    text: statusText,
  }),
  fc.record({
    type: fc.constant("continuation" as const),
    code: fc.option(responseCode, { nil: null }),
    text: statusText,
  }),
  fc.record({
    type: fc.constantFrom("capability", "enabled" as const),
    capabilities: fc.array(atom, { maxLength: 4 }),
  }),
  fc.record({
    type: fc.constantFrom("list", "lsub" as const),
    attributes: fc.array(flag, { maxLength: 3 }),
    delimiter: fc.option(fc.stringMatching(/^[\x20-\x7e]$/), { nil: null }),
    mailbox,
    extended: fc.array(fc.record({ tag: atom, value: imapValue }), { maxLength: 2 }),
  }),
  fc.record({
    type: fc.constant("status-data" as const),
    mailbox,
    attributes: fc.record(
      {
        MESSAGES: num,
        UIDNEXT: num,
        UNSEEN: num,
        SIZE: num,
        HIGHESTMODSEQ: modseq,
        APPENDLIMIT: fc.option(num, { nil: null }),
        "DELETED-STORAGE": num,
        MAILBOXID: atom,
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({ type: fc.constant("flags" as const), flags: fc.array(flag, { maxLength: 4 }) }),
  fc.record({
    type: fc.constantFrom("search", "sort" as const),
    numbers: fc.array(nz, { maxLength: 6 }),
    modseq: fc.option(modseq, { nil: null }),
  }),
  fc.record({
    type: fc.constant("esearch" as const),
    tag: fc.option(str, { nil: null }),
    uid: fc.boolean(),
    data: fc.record(
      { MIN: nz, MAX: nz, ALL: sequenceSetNoDollar, COUNT: num, MODSEQ: modseq },
      { requiredKeys: [] },
    ),
    other: fc.array(fc.record({ name: upperAtom, value: imapValue }), { maxLength: 2 }),
  }),
  fc.record({ type: fc.constant("thread" as const), threads: fc.array(thread, { maxLength: 3 }) }),
  fc.record({
    type: fc.constant("namespace" as const),
    personal: namespaces,
    other: namespaces,
    shared: namespaces,
  }),
  fc.record({
    type: fc.constant("id" as const),
    params: fc.option(fc.array(fc.record({ name: str, value: nstring }), { maxLength: 3 }), {
      nil: null,
    }),
  }),
  fc.record({
    type: fc.constant("quota" as const),
    root: str,
    resources: fc.array(fc.record({ name: atom, usage: num, limit: num }), { maxLength: 2 }),
  }),
  fc.record({
    type: fc.constant("quotaroot" as const),
    mailbox,
    roots: fc.array(str, { maxLength: 3 }),
  }),
  fc.record({ type: fc.constantFrom("exists", "recent" as const), number: num }),
  fc.record({ type: fc.constant("expunge" as const), number: nz }),
  fc.record({
    type: fc.constant("vanished" as const),
    earlier: fc.boolean(),
    uids: sequenceSetNoDollar,
  }),
  fc.record({
    type: fc.constant("fetch" as const),
    seq: nz,
    items: fc.array(fetchItem, { maxLength: 4 }),
  }),
  fc.record({
    type: fc.constant("unknown" as const),
    number: fc.option(num, { nil: null }),
    name: upperAtom,
    text: text.filter((t) => t.length === 0 || t[0] !== " "),
  }),
)
