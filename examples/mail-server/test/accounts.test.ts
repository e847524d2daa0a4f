/** Addresses, aliases and logins: who gets what, and which logins pass. */
import { deriveScramCredentials } from "@mailwire/sasl"
import { describe, expect, it } from "vitest"
import { Accounts, checkPassword, domainOf } from "../src/accounts.js"
import { parseConfig } from "../src/config.js"

const config = parseConfig(
  {
    domains: ["example.test", "example.org"],
    users: [
      { name: "alice", password: "alice-pw", addresses: ["alice@example.test", "a@example.org"] },
      { name: "bob", password: "bob-pw", addresses: ["bob@example.test"] },
    ],
    aliases: { "team@example.test": ["alice", "bob", "alice"] },
  },
  "test.json",
  "/",
)
const accounts = new Accounts(config)

describe("accounts", () => {
  it("routes addresses and aliases to users, ignoring case", () => {
    expect(accounts.recipients("alice@example.test")).toEqual(["alice"])
    expect(accounts.recipients("Alice@EXAMPLE.test")).toEqual(["alice"])
    expect(accounts.recipients("a@example.org")).toEqual(["alice"])
    expect(accounts.recipients("team@example.test")).toEqual(["alice", "bob"])
    expect(accounts.recipients("carol@example.test")).toEqual([])
  })

  it("knows which domains are local", () => {
    expect(accounts.isLocalDomain("x@Example.Org")).toBe(true)
    expect(accounts.isLocalDomain("x@elsewhere.test")).toBe(false)
    expect(domainOf("odd@name@Example.Test")).toBe("example.test")
  })

  it("lets a user send as their own addresses and aliases only", () => {
    expect(accounts.maySendAs("alice", "a@example.org")).toBe(true)
    expect(accounts.maySendAs("alice", "team@example.test")).toBe(true)
    expect(accounts.maySendAs("alice", "bob@example.test")).toBe(false)
    expect(accounts.maySendAs("alice", "")).toBe(false)
  })

  it("finds a user by name or by one of their own addresses, not by an alias", () => {
    expect(accounts.user("bob")?.name).toBe("bob")
    expect(accounts.user("BOB@example.test")?.name).toBe("bob")
    expect(accounts.user("team@example.test")).toBeNull()
    expect(accounts.user("nobody")).toBeNull()
  })

  it("checks passwords for PLAIN, LOGIN and USER/PASS", () => {
    const ask = (username: string, password: string, authzid: string | null = null) =>
      accounts.verify({ kind: "password", mechanism: "PLAIN", username, password, authzid })
    expect(ask("alice", "alice-pw")).toBe(true)
    expect(ask("alice@example.test", "alice-pw")).toBe(true)
    expect(ask("alice", "bob-pw")).toBe(false)
    expect(ask("nobody", "alice-pw")).toBe(false)
    expect(ask("alice", "alice-pw", "bob")).toBe(false)
    expect(
      accounts.verify({
        kind: "password",
        mechanism: "USER",
        username: "bob",
        password: "bob-pw",
        authzid: null,
      }),
    ).toBe(true)
  })

  it("hands SCRAM the stored credentials of the matching algorithm only", () => {
    const scram = (username: string, mechanism: "SCRAM-SHA-256" | "SCRAM-SHA-1") =>
      accounts.verify({ kind: "scram", mechanism, username, authzid: null })
    expect(scram("bob", "SCRAM-SHA-256")).toBe(config.users[1]!.credentials)
    expect(scram("bob", "SCRAM-SHA-1")).toBeNull()
    expect(scram("nobody", "SCRAM-SHA-256")).toBeNull()
  })

  it("refuses mechanisms that need the plain password or a token", () => {
    expect(accounts.verify({ kind: "secret", mechanism: "CRAM-MD5", username: "bob" })).toBeNull()
    expect(
      accounts.verify({
        kind: "token",
        mechanism: "XOAUTH2",
        username: "bob",
        token: "t",
        authzid: null,
      }),
    ).toBe(false)
  })

  it("compares against StoredKey, so a password SASLprep refuses never matches", () => {
    const credentials = deriveScramCredentials("pass", { algorithm: "SHA-1", iterations: 64 })
    expect(checkPassword(credentials, "pass")).toBe(true)
    expect(checkPassword(credentials, "pass\u0007")).toBe(false)
  })
})
