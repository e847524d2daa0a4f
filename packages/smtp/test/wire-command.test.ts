import {
  decodeUtf8AddrXtext,
  decodeXtext,
  encodeUtf8AddrXtext,
  encodeXtext,
  formatCommand,
  formatCommandLine,
  formatMailbox,
  parseCommand,
  parseMailbox,
  type SmtpCommand,
} from "@mailwire/smtp"
import { LocalProtocolError, RemoteProtocolError } from "@mailwire/wire"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { dec, enc } from "./support.js"

/** (command, canonical line) pairs: parsing the line gives the command, formatting gives the line. */
const GOLDEN: ReadonlyArray<readonly [SmtpCommand, string]> = [
  [{ verb: "EHLO", domain: "client.example" }, "EHLO client.example"],
  [{ verb: "HELO", domain: "[192.0.2.1]" }, "HELO [192.0.2.1]"],
  [{ verb: "LHLO", domain: "lmtp.example" }, "LHLO lmtp.example"],
  [{ verb: "MAIL", from: null, parameters: {} }, "MAIL FROM:<>"],
  [
    { verb: "MAIL", from: { localPart: "a", domain: "b.example" }, parameters: {} },
    "MAIL FROM:<a@b.example>",
  ],
  [
    { verb: "MAIL", from: { localPart: "john smith", domain: "x.example" }, parameters: {} },
    'MAIL FROM:<"john smith"@x.example>',
  ],
  [
    { verb: "MAIL", from: { localPart: 'a"b\\c', domain: "x.example" }, parameters: {} },
    'MAIL FROM:<"a\\"b\\\\c"@x.example>',
  ],
  [
    {
      verb: "MAIL",
      from: { localPart: "δοκιμή", domain: "παράδειγμα.δοκιμή" },
      parameters: { smtpUtf8: true },
    },
    "MAIL FROM:<δοκιμή@παράδειγμα.δοκιμή> SMTPUTF8",
  ],
  [
    {
      verb: "MAIL",
      from: { localPart: "a", domain: "b.example" },
      parameters: {
        size: 1000,
        body: "8BITMIME",
        ret: "HDRS",
        envid: "QQ=+x",
        requireTls: true,
        auth: "<>",
      },
    },
    "MAIL FROM:<a@b.example> SIZE=1000 BODY=8BITMIME REQUIRETLS RET=HDRS ENVID=QQ+3D+2Bx AUTH=<>",
  ],
  [
    {
      verb: "MAIL",
      from: { localPart: "a", domain: "b.example" },
      parameters: { other: { "X-FOO": "1", XBAR: null } },
    },
    "MAIL FROM:<a@b.example> X-FOO=1 XBAR",
  ],
  [
    { verb: "RCPT", to: { localPart: "b", domain: "c.example" }, parameters: {} },
    "RCPT TO:<b@c.example>",
  ],
  [
    { verb: "RCPT", to: { localPart: "Postmaster", domain: "" }, parameters: {} },
    "RCPT TO:<Postmaster>",
  ],
  [
    {
      verb: "RCPT",
      to: { localPart: "b", domain: "c.example" },
      parameters: {
        notify: ["SUCCESS", "FAILURE"],
        orcpt: { addrType: "rfc822", address: "b+1@c.example" },
      },
    },
    "RCPT TO:<b@c.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+2B1@c.example",
  ],
  [
    {
      verb: "RCPT",
      to: { localPart: "b", domain: "c.example" },
      parameters: { notify: ["NEVER"], orcpt: { addrType: "utf-8", address: "δ@c.example" } },
    },
    "RCPT TO:<b@c.example> NOTIFY=NEVER ORCPT=utf-8;\\x{3B4}@c.example",
  ],
  [{ verb: "DATA" }, "DATA"],
  [{ verb: "BDAT", size: 0, last: true }, "BDAT 0 LAST"],
  [{ verb: "BDAT", size: 86753, last: false }, "BDAT 86753"],
  [{ verb: "RSET" }, "RSET"],
  [{ verb: "NOOP", argument: null }, "NOOP"],
  [{ verb: "NOOP", argument: "ping" }, "NOOP ping"],
  [{ verb: "QUIT" }, "QUIT"],
  [{ verb: "VRFY", argument: "Smith" }, "VRFY Smith"],
  [{ verb: "EXPN", argument: "staff" }, "EXPN staff"],
  [{ verb: "HELP", argument: null }, "HELP"],
  [{ verb: "STARTTLS" }, "STARTTLS"],
  [
    { verb: "AUTH", mechanism: "PLAIN", initialResponse: "AHRlc3QAdGVzdA==" },
    "AUTH PLAIN AHRlc3QAdGVzdA==",
  ],
  [{ verb: "AUTH", mechanism: "LOGIN", initialResponse: null }, "AUTH LOGIN"],
  [{ verb: "AUTH", mechanism: "EXTERNAL", initialResponse: "" }, "AUTH EXTERNAL ="],
]

describe("command grammar (RFC 5321 §4.1)", () => {
  for (const [command, line] of GOLDEN) {
    it(`parses and formats ${JSON.stringify(line)}`, () => {
      const parsed = parseCommand(enc(line))
      expect(parsed).toEqual(
        command.verb === "AUTH" && command.initialResponse === ""
          ? { ...command, initialResponse: "=" }
          : command,
      )
      expect(dec(formatCommand(command))).toBe(`${line}\r\n`)
    })
  }

  it.each([
    [
      "mail from:<a@b.example> size=5",
      { verb: "MAIL", from: { localPart: "a", domain: "b.example" }, parameters: { size: 5 } },
    ],
    [
      "MAIL FROM: <a@b.example>",
      { verb: "MAIL", from: { localPart: "a", domain: "b.example" }, parameters: {} },
    ],
    [
      "RCPT TO:<@relay.example,@r2.example:b@c.example>",
      { verb: "RCPT", to: { localPart: "b", domain: "c.example" }, parameters: {} },
    ],
    ["QUIT   ", { verb: "QUIT" }],
    ["bdat 10 last", { verb: "BDAT", size: 10, last: true }],
    [
      'RCPT TO:<"a@b>"@c.example>',
      { verb: "RCPT", to: { localPart: "a@b>", domain: "c.example" }, parameters: {} },
    ],
  ])("reads the lenient or case-folded form %j", (line, expected) => {
    expect(parseCommand(enc(line))).toEqual(expected)
  })

  it.each([
    ["FOO", "500 5.5.1"],
    ["", "500 5.5.1"],
    ["MAIL FROM:a@b.example", "501 5.1.3"],
    ["MAIL FROM:<a@b.example", "501 5.1.3"],
    ["MAIL TO:<a@b.example>", "501 5.5.4"],
    ["RCPT TO:<>", "501 5.1.3"],
    ["RCPT TO:<a@-bad.example>", "501 5.1.3"],
    ["RCPT TO:<a..b@c.example>", "501 5.1.3"],
    ["MAIL FROM:<a@b.example> SIZE=12x", "501 5.5.4"],
    ["MAIL FROM:<a@b.example> SIZE=1 SIZE=2", "501 5.5.4"],
    ["MAIL FROM:<a@b.example> BODY=9BIT", "501 5.5.4"],
    ["MAIL FROM:<a@b.example> ENVID=a+zz", "501 5.5.4"],
    ["RCPT TO:<a@b.example> NOTIFY=NEVER,SUCCESS", "501 5.5.4"],
    ["RCPT TO:<a@b.example> ORCPT=nosemicolon", "501 5.5.4"],
    ["DATA now", "501 5.5.4"],
    ["BDAT", "501 5.5.4"],
    ["BDAT -1", "501 5.5.4"],
    ["BDAT 10 FIRST", "501 5.5.4"],
    ["AUTH", "501 5.5.4"],
    ["EHLO", "501 5.5.4"],
    ["VRFY", "501 5.5.4"],
  ])("refuses %j with a %s hint", (line, hint) => {
    let error: unknown
    try {
      parseCommand(enc(line))
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(RemoteProtocolError)
    expect((error as RemoteProtocolError).hint.smtp?.startsWith(hint)).toBe(true)
  })

  it("refuses a line that is not UTF-8", () => {
    expect(() => parseCommand(Uint8Array.of(0x4d, 0x41, 0x49, 0x4c, 0x20, 0xff))).toThrow(
      RemoteProtocolError,
    )
  })

  it("gives a command or a RemoteProtocolError for arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          expect(typeof parseCommand(bytes).verb).toBe("string")
        } catch (error) {
          expect(error).toBeInstanceOf(RemoteProtocolError)
        }
      }),
      { numRuns: 2000 },
    )
  })

  it("gives a command or a RemoteProtocolError for arbitrary command-shaped text", () => {
    const verb = fc.constantFrom("MAIL FROM:", "RCPT TO:", "BDAT ", "AUTH ", "EHLO ", "mail from:")
    fc.assert(
      fc.property(verb, fc.string({ maxLength: 80 }), (prefix, rest) => {
        try {
          parseCommand(enc(prefix + rest))
        } catch (error) {
          expect(error).toBeInstanceOf(RemoteProtocolError)
        }
      }),
      { numRuns: 2000 },
    )
  })
})

describe("command encoders refuse injection (GHSA-c7w3-x93f-qmm8)", () => {
  const from = { localPart: "a", domain: "b.example" }
  it.each<[string, () => unknown]>([
    [
      "a SIZE that is not a number",
      () =>
        formatCommand({
          verb: "MAIL",
          from,
          parameters: { size: "1\r\nRCPT TO:<x@evil>" as never },
        }),
    ],
    [
      "a SIZE that is not whole",
      () => formatCommand({ verb: "MAIL", from, parameters: { size: 1.5 } }),
    ],
    [
      "CRLF in ENVID is xtext-encoded, never raw",
      () => {
        const line = formatCommandLine({
          verb: "MAIL",
          from,
          parameters: { envid: "x\r\nRCPT TO:<e@vil>" },
        })
        if (/[\r\n]/.test(line)) return line
        throw new LocalProtocolError("INVALID_ARGUMENT", "encoded")
      },
    ],
    [
      "CRLF in a local part",
      () =>
        formatCommand({
          verb: "MAIL",
          from: { localPart: "a\r\nRSET", domain: "b.example" },
          parameters: {},
        }),
    ],
    [
      "NUL in a domain",
      () =>
        formatCommand({
          verb: "RCPT",
          to: { localPart: "a", domain: "b\0.example" },
          parameters: {},
        }),
    ],
    [
      "CRLF in a BODY value",
      () =>
        formatCommand({ verb: "MAIL", from, parameters: { body: "8BITMIME\r\nDATA" as never } }),
    ],
    [
      "CRLF in an extension value",
      () => formatCommand({ verb: "MAIL", from, parameters: { other: { X: "1\r\nQUIT" } } }),
    ],
    [
      "CRLF in an extension keyword",
      () => formatCommand({ verb: "MAIL", from, parameters: { other: { "X\r\nQUIT": null } } }),
    ],
    [
      "CRLF in ORCPT's type",
      () =>
        formatCommand({
          verb: "RCPT",
          to: from,
          parameters: { orcpt: { addrType: "rfc822\r\n", address: "a" } },
        }),
    ],
    [
      "CRLF in NOTIFY",
      () =>
        formatCommand({ verb: "RCPT", to: from, parameters: { notify: ["SUCCESS\r\n" as never] } }),
    ],
    ["CRLF in EHLO", () => formatCommand({ verb: "EHLO", domain: "a\r\nMAIL FROM:<>" })],
    ["CR in NOOP", () => formatCommand({ verb: "NOOP", argument: "a\rb" })],
    ["LF in VRFY", () => formatCommand({ verb: "VRFY", argument: "a\nb" })],
    [
      "CRLF in an AUTH response",
      () => formatCommand({ verb: "AUTH", mechanism: "PLAIN", initialResponse: "AA==\r\nQUIT" }),
    ],
    ["an unknown verb", () => formatCommand({ verb: "QUIT\r\nDATA" } as never)],
    ["a negative BDAT size", () => formatCommand({ verb: "BDAT", size: -1, last: false })],
  ])("rejects %s", (_name, run) => {
    expect(run).toThrow(LocalProtocolError)
  })
})

describe("mailboxes and xtext", () => {
  it("round-trips any xtext (RFC 3461 §4)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (text) => {
        const encoded = encodeXtext(text)
        expect(encoded).toMatch(
          /^[\x21-\x2a\x2c-\x3c\x3e-\x7e]*(?:\+[0-9A-F]{2}[\x21-\x2a\x2c-\x3c\x3e-\x7e]*)*$/,
        )
        expect(decodeXtext(encoded)).toBe(text)
      }),
    )
  })

  it("round-trips utf-8-addr-xtext (RFC 6533 §3)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 30 }), (text) => {
        expect(decodeUtf8AddrXtext(encodeUtf8AddrXtext(text))).toBe(text)
      }),
    )
  })

  it("round-trips local parts through quoting", () => {
    const local = fc.string({
      unit: fc.constantFrom("a", "b", ".", " ", '"', "\\", "@", ">", "é", "+"),
      minLength: 1,
      maxLength: 12,
    })
    fc.assert(
      fc.property(local, (localPart) => {
        const mailbox = { localPart, domain: "example.test" }
        expect(parseMailbox(formatMailbox(mailbox))).toEqual(mailbox)
      }),
    )
  })
})

describe("verbs and keywords in any case", () => {
  const enc = (text: string) => new TextEncoder().encode(text)
  /** Every mix of upper and lower case of `text`'s letters. */
  const casings = (text: string) =>
    fc
      .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
      .map((upper) =>
        [...text].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(""),
      )

  it("reads MAIL FROM: and RCPT TO: whatever their case", () => {
    fc.assert(
      fc.property(casings("MAIL FROM:"), casings("RCPT TO:"), (mail, rcpt) => {
        expect(parseCommand(enc(`${mail}<a@b.example>`))).toMatchObject({ verb: "MAIL" })
        expect(parseCommand(enc(`${rcpt}<c@d.example>`))).toMatchObject({ verb: "RCPT" })
      }),
    )
  })

  it("upper-cases non-ASCII letters the way String#toUpperCase does", () => {
    // U+0131 (dotless i) upper-cases to I, so this is MAIL, as it always was.
    expect(parseCommand(enc("MA\u0131L FROM:<a@b.example>"))).toMatchObject({ verb: "MAIL" })
    expect(() => parseCommand(enc("MA\u00efL FROM:<a@b.example>"))).toThrow(RemoteProtocolError)
  })
})
