/**
 * TLS settings for servers (certificate, key, SNI) and clients (trust, server name), as
 * zod schemas, and the `node:tls` objects built from them. Used by implicit TLS
 * (RFC 8314 §3) and by STARTTLS / STLS upgrades (RFC 3207, RFC 2595).
 *
 * What it does not do: open sockets. Certificates are verified by default on the client
 * side (DESIGN §5); turning that off takes an explicit `rejectUnauthorized: false`.
 */
import { createSecureContext, type SecureContext } from "node:tls"
import { z } from "zod"
import { pemOption } from "./options.js"

const keyPair = z.strictObject({
  key: pemOption,
  cert: pemOption,
  ca: z.optional(z.union([pemOption, z.array(pemOption)])),
})

/** The server's certificate and key, with optional SNI entries (RFC 6066 §3). */
export const serverTlsSchema = z.strictObject({
  key: pemOption,
  cert: pemOption,
  ca: z.optional(z.union([pemOption, z.array(pemOption)])),
  /** Other certificates by server name (SNI); the main pair answers any other name. */
  sni: z.optional(z.record(z.string().min(1), keyPair)),
  /** Lowest TLS version accepted. Default `"TLSv1.2"` (RFC 8996 deprecates 1.0 and 1.1). */
  minVersion: z.optional(z.enum(["TLSv1.2", "TLSv1.3"])),
})

/** Server TLS options (see {@link serverTlsSchema}). */
export type ServerTlsOptions = z.input<typeof serverTlsSchema>

/** How a client checks the server (RFC 6125 name checks through `node:tls`). */
export const clientTlsSchema = z.strictObject({
  /** Extra trusted certificate authorities (PEM), e.g. a private CA or a self-signed cert. */
  ca: z.optional(z.union([pemOption, z.array(pemOption)])),
  /** Verify the certificate chain and name. Default `true`. */
  rejectUnauthorized: z.optional(z.boolean()),
  /** The name to check the certificate against and send as SNI. Default: the host. */
  servername: z.optional(z.string().min(1)),
  /** Lowest TLS version accepted. Default `"TLSv1.2"`. */
  minVersion: z.optional(z.enum(["TLSv1.2", "TLSv1.3"])),
})

/** Client TLS options (see {@link clientTlsSchema}). */
export type ClientTlsOptions = z.input<typeof clientTlsSchema>

/** PEM as `node:tls` takes it. */
export function toPem(value: string | Uint8Array): string | Buffer {
  return typeof value === "string" ? value : Buffer.from(value)
}

/** One PEM or a list of them, as `node:tls` takes it. */
export function toPemList(
  value: string | Uint8Array | readonly (string | Uint8Array)[] | undefined,
): string | Buffer | (string | Buffer)[] | undefined {
  if (value === undefined) return undefined
  return Array.isArray(value) ? value.map(toPem) : toPem(value as string | Uint8Array)
}

/** The secure contexts a server hands out: the default one and one per SNI name. */
export interface ServerTlsContexts {
  readonly main: SecureContext
  readonly byName: ReadonlyMap<string, SecureContext>
}

/** Builds the server's secure contexts; a bad key or certificate throws here, at construction. */
export function serverTlsContexts(options: z.output<typeof serverTlsSchema>): ServerTlsContexts {
  const minVersion = options.minVersion ?? "TLSv1.2"
  const build = (pair: z.output<typeof keyPair>) =>
    createSecureContext({
      key: toPem(pair.key),
      cert: toPem(pair.cert),
      ca: toPemList(pair.ca),
      minVersion,
    })
  const byName = new Map<string, SecureContext>()
  for (const [name, pair] of Object.entries(options.sni ?? {})) {
    byName.set(name.toLowerCase(), build(pair))
  }
  return { main: build(options), byName }
}
