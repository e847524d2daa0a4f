import {
  chooseMechanism,
  isPlaintextMechanism,
  SASL_MECHANISMS,
  sendsSecretInClear,
} from "@mailwire/sasl"
import { describe, expect, it } from "vitest"

describe("sendsSecretInClear (DESIGN §4 invariant 3)", () => {
  it("is true for passwords and bearer tokens on the wire, in any case", () => {
    for (const name of ["PLAIN", "login", "XOAUTH2", "oauthbearer"]) {
      expect(sendsSecretInClear(name)).toBe(true)
    }
  })

  it("is false for mechanisms that never send the secret itself", () => {
    for (const name of ["SCRAM-SHA-1", "SCRAM-SHA-256", "CRAM-MD5", "EXTERNAL", "ANONYMOUS"]) {
      expect(sendsSecretInClear(name)).toBe(false)
    }
  })

  it("covers every password mechanism isPlaintextMechanism names", () => {
    for (const name of SASL_MECHANISMS) {
      if (isPlaintextMechanism(name)) expect(sendsSecretInClear(name)).toBe(true)
    }
  })

  it("agrees with what chooseMechanism refuses on an insecure channel", () => {
    const credentials = { username: "u", password: "p", accessToken: "t" }
    for (const name of SASL_MECHANISMS) {
      const insecure = chooseMechanism([name], credentials)
      const secure = chooseMechanism([name], credentials, { isSecure: true })
      if (secure !== null && sendsSecretInClear(name)) expect(insecure).toBeNull()
      if (secure !== null && !sendsSecretInClear(name)) expect(insecure).toBe(secure)
    }
  })
})
