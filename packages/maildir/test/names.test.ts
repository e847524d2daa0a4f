import {
  decodeMutf7,
  encodeMutf7,
  MaildirError,
  mailboxNameOfFolder,
  parseMailboxName,
  userNameProblem,
  validateUserName,
} from "@mailwire/maildir"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { tempStore } from "./temp-store.js"

describe("user names", () => {
  const refused: [string, string][] = [
    ["", "the empty name"],
    [".", "a single dot"],
    ["..", "two dots"],
    ["../etc", "a parent step"],
    ["/etc", "an absolute path"],
    ["a/b", "a slash"],
    ["a\\b", "a backslash"],
    ["a\u0000b", "NUL"],
    ["a\nb", "LF"],
    ["a\rb", "CR"],
    ["a\u007fb", "DEL"],
    ["a\u0085b", "a C1 control"],
    [".hidden", "a leading dot"],
    ["a\ud800", "an unpaired surrogate"],
    ["x".repeat(256), "more than 255 bytes"],
    ["é".repeat(128), "more than 255 bytes of UTF-8"],
  ]
  it.each(refused)("refuses %j (%s)", (name) => {
    expect(userNameProblem(name)).not.toBeNull()
    expect(() => validateUserName(name)).toThrow(MaildirError)
  })

  it.each(["alice", "alice@example.test", "bob.smith", "jürgen", "x".repeat(255), "a b"])(
    "accepts %j",
    (name) => {
      expect(validateUserName(name)).toBe(name)
    },
  )

  it("keeps every accepted name to one directory entry", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (name) => {
        if (userNameProblem(name) !== null) return
        expect(name).not.toMatch(/[/\\\u0000]/)
        expect(name === "." || name === "..").toBe(false)
      }),
    )
  })
})

describe("mailbox names", () => {
  it.each([
    ["INBOX", "INBOX", ""],
    ["inbox", "INBOX", ""],
    ["Sent", "Sent", ".Sent"],
    ["Lists/mailwire", "Lists/mailwire", ".Lists.mailwire"],
    ["Entwürfe", "Entwürfe", ".Entw&APw-rfe"],
    ["R&D", "R&D", ".R&-D"],
    ["台北/日本語", "台北/日本語", ".&U,BTFw-.&ZeVnLIqe-"],
  ])("maps %j to %j in folder %j", (input, name, folder) => {
    expect(parseMailboxName(input)).toEqual({ name, isInbox: folder === "", folder })
  })

  it.each([
    ["Entw&APw-rfe", "Entwürfe"],
    ["~peter/mail/&U,BTFw-/&ZeVnLIqe-", "~peter/mail/台北/日本語"],
    ["R&-D", "R&D"],
  ])("decodes the modified UTF-7 name %j before checking it", (input, name) => {
    expect(parseMailboxName(input, "mutf7").name).toBe(name)
  })

  const refused: [string, "utf8" | "mutf7", string][] = [
    ["", "utf8", "the empty name"],
    ["..", "utf8", "two dots"],
    ["../../etc", "utf8", "parent steps"],
    ["/etc/passwd", "utf8", "an absolute path"],
    ["Sent/", "utf8", "an empty last level"],
    ["a//b", "utf8", "an empty middle level"],
    ["a\\b", "utf8", "a backslash"],
    ["a.b", "utf8", "a dot, the on-disk separator"],
    ["a\u0000b", "utf8", "NUL"],
    ["a\r\nb", "utf8", "CRLF"],
    ["a\u009bb", "utf8", "a C1 control"],
    ["INBOX/child", "utf8", "a child of INBOX, which is the Maildir root"],
    ["x".repeat(300), "utf8", "a folder name past 255 bytes"],
    ["&AC8-etc", "mutf7", "a slash smuggled as &AC8-"],
    ["&AC4ALg-", "mutf7", "two dots smuggled as &AC4ALg-"],
    ["a&AC4-b", "mutf7", "a dot smuggled as &AC4-"],
    ["&AFw-", "mutf7", "a backslash smuggled as &AFw-"],
    ["&AAA-", "mutf7", "NUL smuggled as &AAA-"],
    ["&AAoACg-", "mutf7", "LFs smuggled in base64"],
    ["&2AA-", "mutf7", "an unpaired surrogate"],
    ["&U,BTF", "mutf7", "a shift that never ends"],
    ["&U,BTFw", "mutf7", "a shift without its dash"],
    ["&A-", "mutf7", "a shift with bits left over"],
    ["&U,BTFw-&ZeVnLIqe-", "mutf7", "two shifted runs in a row"],
    ["a\u00e9b", "mutf7", "8-bit text where modified UTF-7 was promised"],
  ]
  it.each(refused)("refuses %j as %s (%s)", (name, encoding) => {
    expect(() => parseMailboxName(name, encoding)).toThrow(
      expect.objectContaining({ code: "INVALID_NAME" }),
    )
  })

  it("never lets a name from the network leave its user's directory", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 30 }),
          fc.stringMatching(/^[&A-Za-z0-9+,./\\-]{0,30}$/),
        ),
        fc.constantFrom("utf8" as const, "mutf7" as const),
        (name, encoding) => {
          let folder: string
          try {
            folder = parseMailboxName(name, encoding).folder
          } catch (error) {
            expect(error).toBeInstanceOf(MaildirError)
            return
          }
          expect(folder === "" || /^\.[^/\\\u0000-\u001f]+$/.test(folder)).toBe(true)
          expect(folder).not.toMatch(/\.\./)
          expect(folder.endsWith(".")).toBe(false)
        },
      ),
    )
  })

  it("reads back from the folder name every name it maps", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 }),
        (levels) => {
          const name = levels.join("/")
          let parsed: ReturnType<typeof parseMailboxName>
          try {
            parsed = parseMailboxName(name)
          } catch {
            return
          }
          if (parsed.isInbox) return
          expect(mailboxNameOfFolder(parsed.folder)?.name).toBe(name)
        },
      ),
    )
  })

  it("checks names at the store before any path is made", async () => {
    const store = tempStore()
    await expect(store.createMailbox("alice", "&AC4ALg-", "mutf7")).rejects.toMatchObject({
      code: "INVALID_NAME",
    })
    expect(() => store.mailbox("../bob", "INBOX")).toThrow(MaildirError)
    await expect(store.deliver("a/b", text("x"))).rejects.toMatchObject({ code: "INVALID_NAME" })
    expect(await store.open("../alice")).toEqual({ code: "SYS/PERM", text: "Invalid user name" })
  })
})

const text = (value: string) => new TextEncoder().encode(value)

describe("modified UTF-7", () => {
  it.each([
    ["", ""],
    ["INBOX", "INBOX"],
    ["&", "&-"],
    ["Entwürfe", "Entw&APw-rfe"],
    ["台北", "&U,BTFw-"],
    ["日本語", "&ZeVnLIqe-"],
    ["😀", "&2D3eAA-"],
  ])("encodes %j as %j (RFC 3501 §5.1.3)", (plain, encoded) => {
    expect(encodeMutf7(plain)).toBe(encoded)
    expect(decodeMutf7(encoded)).toBe(plain)
  })

  it("round-trips any well-formed string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 20 }), (plain) => {
        expect(decodeMutf7(encodeMutf7(plain))).toBe(plain)
      }),
    )
  })

  it("gives a string or null for arbitrary input, never an exception", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (input) => {
        const decoded = decodeMutf7(input)
        if (decoded !== null) expect(encodeMutf7(decoded)).toBe(input)
      }),
    )
  })
})
