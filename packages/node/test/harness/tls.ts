/** A self-signed certificate for localhost and 127.0.0.1, made once per test process. */
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
  made ??= (async () => {
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
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
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
  return made
}
