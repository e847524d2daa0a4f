/**
 * The server's certificate: the configured PEM files, or a self-signed certificate for
 * the host name, `localhost` and `127.0.0.1` made with `openssl` on first start and kept
 * in `<dataDir>/tls/` for later starts. Clients must be told to trust it (`--cacert` for
 * curl, `--tls-ca-path` for swaks); it is for trying the server out, not for the Internet.
 *
 * Without `openssl` on the PATH (a fresh machine with only Node, e.g. the `node:20-slim`
 * image) the certificate is made with `node:crypto` instead (`self-signed.ts`), and the
 * log says so.
 *
 * What it does not do: renew certificates or talk to ACME.
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { isIP } from "node:net"
import { join } from "node:path"
import { makeSelfSignedCertificate } from "./self-signed.js"

/** PEM key and certificate, and where the certificate is (to print for clients). */
export interface ServerCertificate {
  readonly key: string
  readonly cert: string
  readonly certPath: string
  /** Who made it just now, or `null` when it was configured or made before. */
  readonly madeBy: "openssl" | "node:crypto" | null
}

/**
 * 825 days, the longest validity Apple's platforms accept for a TLS server certificate;
 * a demo certificate should not expire under a running demo.
 */
export const SELF_SIGNED_DAYS = 825

/** Thrown when the certificate cannot be read, or `openssl` fails to make one. */
export class CertificateError extends Error {
  constructor(message: string) {
    super(message)
    this.name = "CertificateError"
  }
}

/** The names the generated certificate is good for. */
function certificateNames(hostname: string): string[] {
  return [...new Set([hostname, "localhost"]), "127.0.0.1", "::1"]
}

/** Makes the pair with `openssl`; `false` when there is no `openssl` to run. */
function makeWithOpenssl(dir: string, hostname: string): boolean {
  const altNames = certificateNames(hostname)
    .map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`))
    .join(",")
  const result = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      String(SELF_SIGNED_DAYS),
      "-subj",
      `/CN=${hostname}`,
      "-addext",
      `subjectAltName=${altNames}`,
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ],
    { encoding: "utf8" },
  )
  if (result.error !== undefined) {
    if ((result.error as NodeJS.ErrnoException).code === "ENOENT") return false
    throw new CertificateError(`openssl could not be run: ${result.error.message}`)
  }
  if (result.status !== 0) {
    throw new CertificateError(`openssl failed to make a certificate: ${result.stderr.trim()}`)
  }
  return true
}

function makeSelfSigned(dir: string, hostname: string): "openssl" | "node:crypto" {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  if (makeWithOpenssl(dir, hostname)) return "openssl"
  const { key, cert } = makeSelfSignedCertificate(
    hostname,
    certificateNames(hostname),
    SELF_SIGNED_DAYS,
  )
  writeFileSync(join(dir, "key.pem"), key, { mode: 0o600 })
  writeFileSync(join(dir, "cert.pem"), cert)
  return "node:crypto"
}

/** The configured certificate, or the generated one (made now if missing). */
export function serverCertificate(
  configured: { readonly cert: string; readonly key: string } | null,
  dataDir: string,
  hostname: string,
): ServerCertificate {
  let certPath: string
  let keyPath: string
  let madeBy: ServerCertificate["madeBy"] = null
  if (configured !== null) {
    certPath = configured.cert
    keyPath = configured.key
  } else {
    const dir = join(dataDir, "tls")
    certPath = join(dir, "cert.pem")
    keyPath = join(dir, "key.pem")
    if (!existsSync(certPath) || !existsSync(keyPath)) {
      madeBy = makeSelfSigned(dir, hostname)
    }
  }
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path, "utf8")
    } catch (error) {
      throw new CertificateError(`cannot read the TLS ${what} ${path}: ${(error as Error).message}`)
    }
  }
  return { key: read(keyPath, "key"), cert: read(certPath, "certificate"), certPath, madeBy }
}
