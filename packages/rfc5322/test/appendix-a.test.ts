/**
 * RFC 5322 Appendix A (A.1–A.6): every example message, read as a header block and
 * then field by field, once with CRLF line ends and once with LF only.
 */
import {
  type Group,
  HeaderParser,
  type Mailbox,
  parseAddressList,
  parseDate,
  parseHeaders,
  parseMessageIds,
} from "@mailwire/rfc5322"
import { describe, expect, it } from "vitest"

const mailbox = (name: string, address: string): Mailbox => ({ type: "mailbox", name, address })
const group = (name: string, members: Mailbox[]): Group => ({ type: "group", name, members })

interface Example {
  section: string
  lines: string[]
  body: string
  addresses: Record<string, Array<Mailbox | Group>>
  dates: Record<string, string>
  offsets?: Record<string, number | null>
  ids: Record<string, string[]>
  unstructured?: Record<string, string>
}

const hello = 'This is a message just to say hello.\nSo, "Hello".\n'

const examples: Example[] = [
  {
    section: "A.1.1 (simple addressing)",
    lines: [
      "From: John Doe <jdoe@machine.example>",
      "Sender: Michael Jones <mjones@machine.example>",
      "To: Mary Smith <mary@example.net>",
      "Subject: Saying Hello",
      "Date: Fri, 21 Nov 1997 09:55:06 -0600",
      "Message-ID: <1234@local.machine.example>",
    ],
    body: hello,
    addresses: {
      From: [mailbox("John Doe", "jdoe@machine.example")],
      Sender: [mailbox("Michael Jones", "mjones@machine.example")],
      To: [mailbox("Mary Smith", "mary@example.net")],
    },
    dates: { Date: "1997-11-21T15:55:06.000Z" },
    offsets: { Date: -360 },
    ids: { "Message-ID": ["1234@local.machine.example"] },
    unstructured: { Subject: "Saying Hello" },
  },
  {
    section: "A.1.2 (different types of mailboxes)",
    lines: [
      'From: "Joe Q. Public" <john.q.public@example.com>',
      "To: Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
      'Cc: <boss@nil.test>, "Giant; \\"Big\\" Box" <sysservices@example.net>',
      "Date: Tue, 1 Jul 2003 10:52:37 +0200",
      "Message-ID: <5678.21-Nov-1997@example.com>",
    ],
    body: "Hi everyone.\n",
    addresses: {
      From: [mailbox("Joe Q. Public", "john.q.public@example.com")],
      To: [
        mailbox("Mary Smith", "mary@x.test"),
        mailbox("", "jdoe@example.org"),
        mailbox("Who?", "one@y.test"),
      ],
      Cc: [mailbox("", "boss@nil.test"), mailbox('Giant; "Big" Box', "sysservices@example.net")],
    },
    dates: { Date: "2003-07-01T08:52:37.000Z" },
    offsets: { Date: 120 },
    ids: { "Message-ID": ["5678.21-Nov-1997@example.com"] },
  },
  {
    section: "A.1.3 (group addresses)",
    lines: [
      "From: Pete <pete@silly.example>",
      "To: A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
      "Cc: Undisclosed recipients:;",
      "Date: Thu, 13 Feb 1969 23:32:54 -0330",
      "Message-ID: <testabcd.1234@silly.example>",
    ],
    body: "Testing.\n",
    addresses: {
      From: [mailbox("Pete", "pete@silly.example")],
      To: [
        group("A Group", [
          mailbox("Ed Jones", "c@a.test"),
          mailbox("", "joe@where.test"),
          mailbox("John", "jdoe@one.test"),
        ]),
      ],
      Cc: [group("Undisclosed recipients", [])],
    },
    dates: { Date: "1969-02-14T03:02:54.000Z" },
    offsets: { Date: -210 },
    ids: { "Message-ID": ["testabcd.1234@silly.example"] },
  },
  {
    section: "A.2 (reply messages)",
    lines: [
      "From: Mary Smith <mary@example.net>",
      "To: John Doe <jdoe@machine.example>",
      'Reply-To: "Mary Smith: Personal Account" <smith@home.example>',
      "Subject: Re: Saying Hello",
      "Date: Fri, 21 Nov 1997 10:01:10 -0600",
      "Message-ID: <3456@example.net>",
      "In-Reply-To: <1234@local.machine.example>",
      "References: <1234@local.machine.example>",
    ],
    body: "This is a reply to your hello.\n",
    addresses: {
      From: [mailbox("Mary Smith", "mary@example.net")],
      To: [mailbox("John Doe", "jdoe@machine.example")],
      "Reply-To": [mailbox("Mary Smith: Personal Account", "smith@home.example")],
    },
    dates: { Date: "1997-11-21T16:01:10.000Z" },
    ids: {
      "Message-ID": ["3456@example.net"],
      "In-Reply-To": ["1234@local.machine.example"],
      References: ["1234@local.machine.example"],
    },
    unstructured: { Subject: "Re: Saying Hello" },
  },
  {
    section: "A.2 (reply to the reply)",
    lines: [
      'To: "Mary Smith: Personal Account" <smith@home.example>',
      "From: John Doe <jdoe@machine.example>",
      "Subject: Re: Saying Hello",
      "Date: Fri, 21 Nov 1997 11:00:00 -0600",
      "Message-ID: <abcd.1234@local.machine.test>",
      "In-Reply-To: <3456@example.net>",
      "References: <1234@local.machine.example> <3456@example.net>",
    ],
    body: "This is a reply to your reply.\n",
    addresses: {
      To: [mailbox("Mary Smith: Personal Account", "smith@home.example")],
      From: [mailbox("John Doe", "jdoe@machine.example")],
    },
    dates: { Date: "1997-11-21T17:00:00.000Z" },
    ids: {
      "Message-ID": ["abcd.1234@local.machine.test"],
      "In-Reply-To": ["3456@example.net"],
      References: ["1234@local.machine.example", "3456@example.net"],
    },
  },
  {
    section: "A.3 (resent messages)",
    lines: [
      "Resent-From: Mary Smith <mary@example.net>",
      "Resent-To: Jane Brown <j-brown@other.example>",
      "Resent-Date: Mon, 24 Nov 1997 14:22:01 -0800",
      "Resent-Message-ID: <78910@example.net>",
      "From: John Doe <jdoe@machine.example>",
      "To: Mary Smith <mary@example.net>",
      "Subject: Saying Hello",
      "Date: Fri, 21 Nov 1997 09:55:06 -0600",
      "Message-ID: <1234@local.machine.example>",
    ],
    body: hello,
    addresses: {
      "Resent-From": [mailbox("Mary Smith", "mary@example.net")],
      "Resent-To": [mailbox("Jane Brown", "j-brown@other.example")],
    },
    dates: { "Resent-Date": "1997-11-24T22:22:01.000Z", Date: "1997-11-21T15:55:06.000Z" },
    ids: {
      "Resent-Message-ID": ["78910@example.net"],
      "Message-ID": ["1234@local.machine.example"],
    },
  },
  {
    section: "A.4 (trace fields)",
    lines: [
      "Received: from x.y.test",
      "   by example.net",
      "   via TCP",
      "   with ESMTP",
      "   id ABC12345",
      "   for <mary@example.net>;  21 Nov 1997 10:05:43 -0600",
      "Received: from node.example by x.y.test; 21 Nov 1997 10:01:22 -0600",
      "From: John Doe <jdoe@node.example>",
      "To: Mary Smith <mary@example.net>",
      "Subject: Saying Hello",
      "Date: Fri, 21 Nov 1997 09:55:06 -0600",
      "Message-ID: <1234@local.node.example>",
    ],
    body: hello,
    addresses: { From: [mailbox("John Doe", "jdoe@node.example")] },
    dates: { Date: "1997-11-21T15:55:06.000Z" },
    ids: { "Message-ID": ["1234@local.node.example"] },
    unstructured: {
      Received:
        "from x.y.test   by example.net   via TCP   with ESMTP   id ABC12345   for <mary@example.net>;  21 Nov 1997 10:05:43 -0600",
    },
  },
  {
    section: "A.5 (white space, comments and other oddities)",
    lines: [
      "From: Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
      "To:A Group(Some people)",
      "     :Chris Jones <c@(Chris's host.)public.example>,",
      "         joe@example.org,",
      "  John <jdoe@one.test> (my dear friend); (the end of the group)",
      "Cc:(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;",
      "Date: Thu,",
      "      13",
      "        Feb",
      "          1969",
      "      23:32",
      "               -0330 (Newfoundland Time)",
      "Message-ID:              <testabcd.1234@silly.test>",
    ],
    body: "Testing.\n",
    addresses: {
      From: [mailbox("Pete", "pete@silly.test")],
      To: [
        group("A Group", [
          mailbox("Chris Jones", "c@public.example"),
          mailbox("", "joe@example.org"),
          mailbox("John", "jdoe@one.test"),
        ]),
      ],
      Cc: [group("Hidden recipients", [])],
    },
    dates: { Date: "1969-02-14T03:02:00.000Z" },
    offsets: { Date: -210 },
    ids: { "Message-ID": ["testabcd.1234@silly.test"] },
  },
  {
    section: "A.6.1 (obsolete addressing)",
    lines: [
      "From: Joe Q. Public <john.q.public@example.com>",
      "To: Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example",
      "Date: Tue, 1 Jul 2003 10:52:37 +0200",
      "Message-ID: <5678.21-Nov-1997@example.com>",
    ],
    body: "Hi everyone.\n",
    addresses: {
      From: [mailbox("Joe Q. Public", "john.q.public@example.com")],
      To: [mailbox("Mary Smith", "mary@example.net"), mailbox("", "jdoe@test.example")],
    },
    dates: { Date: "2003-07-01T08:52:37.000Z" },
    ids: { "Message-ID": ["5678.21-Nov-1997@example.com"] },
  },
  {
    section: "A.6.2 (obsolete dates)",
    lines: [
      "From: John Doe <jdoe@machine.example>",
      "To: Mary Smith <mary@example.net>",
      "Subject: Saying Hello",
      "Date: 21 Nov 97 09:55:06 GMT",
      "Message-ID: <1234@local.machine.example>",
    ],
    body: hello,
    addresses: { From: [mailbox("John Doe", "jdoe@machine.example")] },
    dates: { Date: "1997-11-21T09:55:06.000Z" },
    offsets: { Date: 0 },
    ids: { "Message-ID": ["1234@local.machine.example"] },
  },
  {
    section: "A.6.3 (obsolete white space and comments)",
    lines: [
      "From  : John Doe <jdoe@machine(comment).  example>",
      "To    : Mary Smith",
      "  ",
      "          <mary@example.net>",
      "Subject     : Saying Hello",
      "Date  : Fri, 21 Nov 1997 09(comment):   55  :  06 -0600",
      "Message-ID  : <1234   @   local(blah)  .machine .example>",
    ],
    body: hello,
    addresses: {
      From: [mailbox("John Doe", "jdoe@machine.example")],
      To: [mailbox("Mary Smith", "mary@example.net")],
    },
    dates: { Date: "1997-11-21T15:55:06.000Z" },
    ids: { "Message-ID": ["1234@local.machine.example"] },
    unstructured: { Subject: "Saying Hello" },
  },
]

const encoder = new TextEncoder()

describe("RFC 5322 Appendix A", () => {
  for (const example of examples) {
    for (const eol of ["\r\n", "\n"]) {
      describe(`${example.section} with ${eol === "\n" ? "LF" : "CRLF"} line ends`, () => {
        const text = `${example.lines.join(eol)}${eol}${eol}${example.body.replaceAll("\n", eol)}`
        const bytes = encoder.encode(text)
        const headers = parseHeaders(bytes)

        it("reads every field without a defect and finds the body", () => {
          expect(headers.defects).toEqual([])
          for (const field of headers) expect(field.defects).toEqual([])
          const body = new TextDecoder().decode(bytes.subarray(headers.bodyOffset))
          expect(body).toBe(example.body.replaceAll("\n", eol))
          expect(headers.toBytes()).toEqual(bytes.subarray(0, headers.bodyOffset))
        })

        it("reads the same fields byte at a time", () => {
          const parser = new HeaderParser()
          const values: string[] = []
          let rest = ""
          for (const byte of bytes) {
            const pushed = parser.push(Uint8Array.of(byte))
            values.push(...pushed.fields.map((f) => `${f.name}: ${f.value}`))
            if (pushed.complete) rest += String.fromCharCode(...pushed.rest)
          }
          expect(values).toEqual(headers.fields.map((f) => `${f.name}: ${f.value}`))
          expect(parser.offset).toBe(headers.bodyOffset)
          expect(rest.length).toBe(bytes.length - headers.bodyOffset)
        })

        it("reads the address fields", () => {
          for (const [name, expected] of Object.entries(example.addresses)) {
            const result = parseAddressList(headers.get(name)!.value)
            expect(result.addresses, name).toEqual(expected)
            expect(result.defects, name).toEqual([])
          }
        })

        it("reads the date fields", () => {
          for (const [name, expected] of Object.entries(example.dates)) {
            const result = parseDate(headers.get(name)!.value)
            expect(result.date?.toISOString(), name).toBe(expected)
            if (example.offsets?.[name] !== undefined) {
              expect(result.offsetMinutes).toBe(example.offsets[name])
            }
          }
        })

        it("reads the message identifiers", () => {
          for (const [name, expected] of Object.entries(example.ids)) {
            const result = parseMessageIds(headers.get(name)!.value)
            expect(result.ids, name).toEqual(expected)
            expect(result.defects, name).toEqual([])
          }
        })

        it("keeps unstructured fields as unfolded text", () => {
          for (const [name, expected] of Object.entries(example.unstructured ?? {})) {
            expect(headers.get(name)!.value).toBe(expected)
          }
        })
      })
    }
  }
})
