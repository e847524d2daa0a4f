/**
 * The generated certificate: made by `openssl` when it is there, by `node:crypto` when it
 * is not — and either way real TLS clients verify it for `localhost` and `127.0.0.1`.
 */
import { X509Certificate } from "node:crypto"
import { mkdirSync, mkdtempSync, readFileSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { peersAvailable } from "../../../packages/node/test/harness/peers.js"
import { makeSelfSignedCertificate } from "../src/self-signed.js"
import { SELF_SIGNED_DAYS, serverCertificate } from "../src/tls.js"
import { poplibRead } from "./harness/clients.js"
import { BOB, mailServer } from "./harness/mail-server.js"

describe("self-signed certificate from node:crypto", () => {
  const now = new Date("2026-11-26T00:00:00Z")
  const { key, cert } = makeSelfSignedCertificate(
    "mail.example.test",
    ["mail.example.test", "localhost", "127.0.0.1", "::1"],
    SELF_SIGNED_DAYS,
    now,
  )
  const x509 = new X509Certificate(cert)

  it("is self-signed and valid for the host name, localhost, 127.0.0.1 and ::1", () => {
    expect(x509.subject).toBe("CN=mail.example.test")
    expect(x509.issuer).toBe("CN=mail.example.test")
    expect(x509.verify(x509.publicKey)).toBe(true)
    expect(x509.ca).toBe(true)
    expect(x509.checkHost("mail.example.test")).toBe("mail.example.test")
    expect(x509.checkHost("localhost")).toBe("localhost")
    expect(x509.checkIP("127.0.0.1")).toBe("127.0.0.1")
    expect(x509.checkIP("::1")).toBe("::1")
    expect(x509.checkHost("other.test")).toBeUndefined()
    expect(key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
  })

  it("runs for SELF_SIGNED_DAYS from now", () => {
    expect(new Date(x509.validTo).getTime()).toBe(
      Math.floor((now.getTime() + SELF_SIGNED_DAYS * 86_400_000) / 1000) * 1000,
    )
    expect(new Date(x509.validFrom).getTime()).toBeLessThanOrEqual(now.getTime())
  })

  it("writes dates after 2049 as GeneralizedTime", () => {
    const late = makeSelfSignedCertificate(
      "x.test",
      ["x.test"],
      1,
      new Date("2060-01-01T00:00:00Z"),
    )
    expect(new X509Certificate(late.cert).validTo).toMatch(/2060/)
  })
})

describe("serverCertificate", () => {
  it("makes the certificate once and reuses it", () => {
    const dir = mkdtempSync(join(tmpdir(), "mailwire-cert-"))
    const first = serverCertificate(null, dir, "mail.example.test")
    const second = serverCertificate(null, dir, "mail.example.test")
    expect(first.madeBy).not.toBeNull()
    expect(second.madeBy).toBeNull()
    expect(second.cert).toBe(first.cert)
    expect(statSync(join(dir, "tls", "key.pem")).mode & 0o077).toBe(0)
    expect(new X509Certificate(first.cert).checkHost("localhost")).toBe("localhost")
  })

  it("uses configured files and names a missing one", () => {
    const dir = mkdtempSync(join(tmpdir(), "mailwire-cert-"))
    const made = serverCertificate(null, dir, "a.test")
    const configured = serverCertificate(
      { cert: made.certPath, key: join(dir, "tls", "key.pem") },
      join(dir, "unused"),
      "a.test",
    )
    expect(configured.madeBy).toBeNull()
    expect(configured.cert).toBe(readFileSync(made.certPath, "utf8"))
    expect(() =>
      serverCertificate({ cert: join(dir, "nope.pem"), key: made.certPath }, dir, "a.test"),
    ).toThrow(/cannot read the TLS certificate .*nope\.pem/)
  })
})

const hasPython = peersAvailable("mail-server without openssl", "python3")

describe.runIf(hasPython)("a machine without openssl", () => {
  it("says so, makes the certificate with node:crypto, and poplib verifies it over POP3S", async () => {
    const empty = mkdtempSync(join(tmpdir(), "mailwire-empty-path-"))
    mkdirSync(join(empty, "bin"))
    const server = await mailServer({ env: { ...process.env, PATH: join(empty, "bin") } })
    try {
      await server.start()
      expect(server.output()).toMatch(/server openssl-not-found note="openssl is not on the PATH/)
      expect(server.output()).toMatch(/server certificate-created path=\S+ by=node:crypto/)
      const read = await poplibRead({
        port: server.ports.pop3s,
        certPath: server.certPath,
        user: BOB.name,
        password: BOB.password,
        mode: "pop3s",
      })
      expect(read).toEqual([])
    } finally {
      await server.cleanup()
    }
  }, 40_000)
})
