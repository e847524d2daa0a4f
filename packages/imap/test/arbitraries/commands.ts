/** fast-check arbitraries for every kind of command, in canonical form. */
import type { Command, FetchAttribute, SearchKey } from "@mailwire/imap"
import fc from "fast-check"
import { bytes } from "./responses.js"
import {
  atom,
  calendarDate,
  dateTime,
  flag,
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
} from "./values.js"

const { searchKey } = fc.letrec<{ searchKey: SearchKey }>((tie) => ({
  searchKey: fc.oneof(
    { maxDepth: 4, depthSize: "small", withCrossShrink: true },
    fc
      .constantFrom("ALL", "SEEN", "UNSEEN", "NEW", "OLD", "RECENT", "UNDRAFT" as const)
      .map((key) => ({ key })),
    fc.record({
      key: fc.constantFrom("FROM", "SUBJECT", "TEXT", "BODY", "X-GM-RAW", "EMAILID" as const),
      value: str,
    }),
    fc.record({ key: fc.constantFrom("KEYWORD", "UNKEYWORD" as const), flag: atom }),
    fc.record({ key: fc.constant("HEADER" as const), field: str, value: str }),
    fc.record({
      key: fc.constantFrom("BEFORE", "ON", "SINCE", "SENTON" as const),
      date: calendarDate,
    }),
    fc.record({
      key: fc.constantFrom("LARGER", "SMALLER", "OLDER", "YOUNGER" as const),
      value: num,
    }),
    fc.record({ key: fc.constantFrom("UID", "sequence-set" as const), set: sequenceSet }),
    fc.record({ key: fc.constant("NOT" as const), operand: tie("searchKey") }),
    fc.record({ key: fc.constant("OR" as const), left: tie("searchKey"), right: tie("searchKey") }),
    fc.record({
      key: fc.constant("and" as const),
      keys: fc.array(tie("searchKey"), { minLength: 1, maxLength: 3 }),
    }),
    fc.record({
      key: fc.constant("MODSEQ" as const),
      entry: fc.option(
        fc.record({
          name: str.filter((s) => /^[\x20-\x7e]*$/.test(s)),
          type: fc.constantFrom("priv", "shared", "all" as const),
        }),
        { nil: null },
      ),
      modseq,
    }),
    fc.record({ key: fc.constantFrom("X-GM-MSGID", "X-GM-THRID" as const), id: modseq }),
  ),
}))
const searchKeys = fc.array(searchKey, { minLength: 1, maxLength: 3 })

const partial = fc.option(fc.record({ offset: num, length: nz }), { nil: null })
const fetchAttribute: fc.Arbitrary<FetchAttribute> = fc.oneof(
  fc
    .constantFrom(
      "ENVELOPE",
      "FLAGS",
      "UID",
      "BODY",
      "BODYSTRUCTURE",
      "RFC822.SIZE",
      "MODSEQ",
      "RFC822.PEEK",
      "X-GM-LABELS" as const,
    )
    .map((type) => ({ type })),
  fc
    .record({ peek: fc.boolean(), section, partial })
    .map((r) => ({ type: "BODY[]" as const, ...r })),
  fc
    .record({ peek: fc.boolean(), part: sectionPart, partial })
    .map((r) => ({ type: "BINARY[]" as const, ...r })),
  sectionPart.map((part) => ({ type: "BINARY.SIZE" as const, part })),
)

const appendMessage = fc
  .record({
    flags: fc.option(fc.array(flag, { maxLength: 3 }), { nil: null }),
    date: fc.option(dateTime, { nil: null }),
    kind: fc.constantFrom("plain", "binary", "utf8"),
    content: bytes,
  })
  .map(({ kind, ...m }) => ({ ...m, isBinary: kind !== "plain", isUtf8: kind === "utf8" }))

const body: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc
    .constantFrom(
      "CAPABILITY",
      "NOOP",
      "LOGOUT",
      "STARTTLS",
      "CHECK",
      "CLOSE",
      "UNSELECT",
      "EXPUNGE",
      "IDLE",
      "NAMESPACE",
    )
    .map((name) => ({ name })),
  fc.record({
    name: fc.constant("AUTHENTICATE"),
    mechanism: atom,
    initialResponse: fc.option(fc.constantFrom("=", "dGVzdA=="), { nil: null }),
  }),
  fc.record({ name: fc.constant("LOGIN"), username: str, password: str }),
  fc.record({
    name: fc.constant("ENABLE"),
    capabilities: fc.array(atom, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    name: fc.constant("ID"),
    params: fc.option(fc.array(fc.record({ name: str, value: nstring }), { maxLength: 2 }), {
      nil: null,
    }),
  }),
  fc.record({ name: fc.constant("COMPRESS"), mechanism: atom }),
  fc.record({
    name: fc.constantFrom("SELECT", "EXAMINE"),
    mailbox,
    condstore: fc.boolean(),
    qresync: fc.option(
      fc.record({
        uidValidity: nz,
        modseq,
        knownUids: fc.option(sequenceSetNoDollar, { nil: null }),
        sequenceMatch: fc.option(
          fc.record({ sequences: sequenceSetNoDollar, uids: sequenceSetNoDollar }),
          { nil: null },
        ),
      }),
      { nil: null },
    ),
  }),
  fc.record({
    name: fc.constant("CREATE"),
    mailbox,
    specialUse: fc.option(fc.array(systemFlag, { maxLength: 2 }), { nil: null }),
  }),
  fc.record({
    name: fc.constantFrom("DELETE", "SUBSCRIBE", "UNSUBSCRIBE", "GETQUOTAROOT"),
    mailbox,
  }),
  fc.record({ name: fc.constant("RENAME"), from: mailbox, to: mailbox }),
  fc.record({
    name: fc.constant("STATUS"),
    mailbox,
    attributes: fc.array(fc.constantFrom("MESSAGES", "UIDNEXT", "SIZE", "HIGHESTMODSEQ"), {
      maxLength: 3,
    }),
  }),
  fc.record({ name: fc.constant("LSUB"), reference: mailbox, pattern: str }),
  fc.record({ name: fc.constant("GETQUOTA"), root: str }),
  fc.record({
    name: fc.constant("SETQUOTA"),
    root: str,
    limits: fc.array(fc.record({ resource: atom, limit: num }), { maxLength: 2 }),
  }),
  fc.record({
    name: fc.constant("LIST"),
    selection: fc.option(
      fc.array(
        atom.map((a) => a.toUpperCase()),
        { maxLength: 2 },
      ),
      { nil: null },
    ),
    reference: mailbox,
    patterns: fc.array(str, { minLength: 1, maxLength: 3 }),
    returnOptions: fc.option(
      fc.array(
        fc.oneof(
          atom.filter((a) => a.toUpperCase() !== "STATUS").map((a) => ({ name: a.toUpperCase() })),
          fc
            .array(fc.constantFrom("MESSAGES", "UNSEEN"), { maxLength: 2 })
            .map((status) => ({ name: "STATUS", status })),
        ),
        { maxLength: 2 },
      ),
      { nil: null },
    ),
  }),
  fc.record({
    name: fc.constant("APPEND"),
    mailbox,
    messages: fc.array(appendMessage, { minLength: 1, maxLength: 2 }),
  }),
  fc.record({
    name: fc.constant("SEARCH"),
    uid: fc.boolean(),
    returnOptions: fc.option(
      fc.array(fc.constantFrom("MIN", "MAX", "ALL", "COUNT", "SAVE"), { maxLength: 3 }),
      { nil: null },
    ),
    charset: fc.option(atom, { nil: null }),
    criteria: searchKeys,
  }),
  fc.record({
    name: fc.constant("SORT"),
    uid: fc.boolean(),
    criteria: fc.array(
      fc.record({ key: fc.constantFrom("ARRIVAL", "DATE", "SUBJECT"), reverse: fc.boolean() }),
      { minLength: 1, maxLength: 3 },
    ),
    charset: atom,
    search: searchKeys,
  }),
  fc.record({
    name: fc.constant("THREAD"),
    uid: fc.boolean(),
    algorithm: fc.constantFrom("REFERENCES", "ORDEREDSUBJECT"),
    charset: atom,
    search: searchKeys,
  }),
  fc
    .record({
      name: fc.constant("FETCH"),
      uid: fc.boolean(),
      set: sequenceSet,
      items: fc.oneof(
        fc.constantFrom("ALL", "FAST", "FULL"),
        fc.array(fetchAttribute, { minLength: 1, maxLength: 3 }),
      ),
      changedSince: fc.option(modseq, { nil: null }),
      vanished: fc.boolean(),
    })
    .map((c) => ({ ...c, vanished: c.changedSince !== null && c.vanished })),
  fc.record({
    name: fc.constant("STORE"),
    uid: fc.boolean(),
    set: sequenceSet,
    unchangedSince: fc.option(modseq, { nil: null }),
    action: fc.constantFrom("set", "add", "remove"),
    silent: fc.boolean(),
    flags: fc.array(flag, { maxLength: 3 }),
  }),
  fc.record({
    name: fc.constantFrom("COPY", "MOVE"),
    uid: fc.boolean(),
    set: sequenceSet,
    mailbox,
  }),
  fc.record({ name: fc.constant("UID EXPUNGE"), set: sequenceSet }),
)

export const command: fc.Arbitrary<Command> = fc
  .tuple(fc.stringMatching(/^[A-Za-z0-9.]{1,6}$/), body)
  .map(([tag, b]) => ({ tag, ...b }) as unknown as Command)
