import { chooseMechanism, isPlaintextMechanism, SASL_MECHANISMS } from "@mailwire/sasl"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const password = { username: "u", password: "p" }
const token = { username: "u", accessToken: "t" }

describe("chooseMechanism", () => {
  it.each([
    [["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"], "SCRAM-SHA-256"],
    [["PLAIN", "SCRAM-SHA-1", "CRAM-MD5"], "SCRAM-SHA-1"],
    [["LOGIN", "CRAM-MD5"], "CRAM-MD5"],
    [["plain", "scram-sha-256"], "SCRAM-SHA-256"],
    [["GSSAPI", "NTLM"], null],
  ])("picks the strongest of %j for a password", (offered, expected) => {
    expect(chooseMechanism(offered, password)).toBe(expected)
  })

  it("never picks PLAIN or LOGIN on an insecure channel", () => {
    expect(chooseMechanism(["PLAIN", "LOGIN"], password)).toBeNull()
    expect(chooseMechanism(["PLAIN", "LOGIN"], password, { isSecure: false })).toBeNull()
  })

  it("picks PLAIN over LOGIN under TLS, or when plaintext is allowed", () => {
    expect(chooseMechanism(["LOGIN", "PLAIN"], password, { isSecure: true })).toBe("PLAIN")
    expect(chooseMechanism(["LOGIN"], password, { allowPlaintext: true })).toBe("LOGIN")
  })

  it("prefers OAUTHBEARER, then XOAUTH2, for an access token, only under TLS", () => {
    const offered = ["XOAUTH2", "OAUTHBEARER", "PLAIN"]
    expect(chooseMechanism(offered, token, { isSecure: true })).toBe("OAUTHBEARER")
    expect(chooseMechanism(["XOAUTH2"], token, { isSecure: true })).toBe("XOAUTH2")
    expect(chooseMechanism(offered, token)).toBeNull()
  })

  it("needs a username for XOAUTH2 but not for OAUTHBEARER", () => {
    expect(chooseMechanism(["XOAUTH2"], { accessToken: "t" }, { isSecure: true })).toBeNull()
    expect(chooseMechanism(["OAUTHBEARER"], { accessToken: "t" }, { isSecure: true })).toBe(
      "OAUTHBEARER",
    )
  })

  it("skips SCRAM when SASLprep rejects the password", () => {
    const bad = { username: "u", password: "a\u0007" }
    expect(chooseMechanism(["SCRAM-SHA-256", "CRAM-MD5"], bad)).toBe("CRAM-MD5")
  })

  it("picks EXTERNAL without secrets, and ANONYMOUS only with a trace", () => {
    expect(chooseMechanism(["EXTERNAL", "ANONYMOUS"], {})).toBe("EXTERNAL")
    expect(chooseMechanism(["ANONYMOUS"], {})).toBeNull()
    expect(chooseMechanism(["ANONYMOUS"], { trace: "me@example.com" })).toBe("ANONYMOUS")
    expect(chooseMechanism(["EXTERNAL", "ANONYMOUS"], password)).toBeNull()
  })

  it("never returns a clear-text mechanism on an insecure channel, whatever is offered", () => {
    fc.assert(
      fc.property(
        fc.subarray([...SASL_MECHANISMS]),
        fc.record(
          { username: fc.string(), password: fc.string(), accessToken: fc.string() },
          { requiredKeys: [] },
        ),
        (offered, credentials) => {
          const chosen = chooseMechanism(offered, credentials)
          if (chosen !== null) expect(offered).toContain(chosen)
          expect(["PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER"]).not.toContain(chosen)
        },
      ),
    )
  })
})

describe("isPlaintextMechanism", () => {
  it("is true for PLAIN and LOGIN in any case, false for the rest", () => {
    expect(isPlaintextMechanism("PLAIN")).toBe(true)
    expect(isPlaintextMechanism("login")).toBe(true)
    expect(SASL_MECHANISMS.filter(isPlaintextMechanism)).toEqual(["PLAIN", "LOGIN"])
  })
})
