/**
 * Self-signed certificates for the tests: one for localhost and 127.0.0.1, made once per
 * test process, and fresh ones for other names (SNI tests).
 */
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { run } from "./processes.js"

export interface TestCertificate {
  readonly certPath: string
  readonly keyPath: string
  readonly cert: string
  readonly key: string
}

let made: Promise<TestCertificate> | undefined

export function testCertificate(): Promise<TestCertificate> {
  made ??= selfSignedCertificate("localhost", "DNS:localhost,IP:127.0.0.1,IP:::1")
  return made
}

/** A fresh self-signed certificate for `commonName` with these subjectAltName entries. */
export function selfSignedCertificate(
  commonName: string,
  altNames: string,
): Promise<TestCertificate> {
  return (async () => {
    const dir = mkdtempSync(join(tmpdir(), "mailwire-tls-"))
    const certPath = join(dir, "cert.pem")
    const keyPath = join(dir, "key.pem")
    const result = await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      `/CN=${commonName}`,
      "-addext",
      `subjectAltName=${altNames}`,
      "-keyout",
      keyPath,
      "-out",
      certPath,
    ])
    if (result.code !== 0) throw new Error(`openssl failed: ${result.stderr}`)
    return {
      certPath,
      keyPath,
      cert: readFileSync(certPath, "utf8"),
      key: readFileSync(keyPath, "utf8"),
    }
  })()
}
