/**
 * The `@mailwire/smtp` machine options (RFC 5321 §4.1.1.1 extensions, §4.5.3 limits) a
 * server's connections run with, made from its resolved options once per server and
 * shared by all its connections: nothing in them changes from one connection to the next.
 * What it does not do: resolve or check the application's options (see
 * `smtp-server-options.ts`). The returned object is shared; the machine only reads it.
 */
import type { SmtpServerOptions as MachineOptions } from "@mailwire/smtp"
import { withoutUndefined } from "./options.js"
import type { ResolvedSmtpServerOptions } from "./smtp-server-options.js"

/** Per server, its machine options with and without a TLS context. */
const built = new WeakMap<ResolvedSmtpServerOptions, Map<boolean, MachineOptions>>()

/** The machine options of a server's connections, built at its first connection. */
export function machineOptionsFor(o: ResolvedSmtpServerOptions, hasTls: boolean): MachineOptions {
  let byTls = built.get(o)
  if (byTls === undefined) {
    byTls = new Map()
    built.set(o, byTls)
  }
  const known = byTls.get(hasTls)
  if (known !== undefined) return known
  const authMechanisms = o.authMechanisms ?? (o.onAuth === undefined ? [] : ["PLAIN", "LOGIN"])
  const options = {
    hostname: o.hostname,
    lmtp: o.lmtp,
    // Implicit TLS (`secure`) is set up before the machine starts, so every connection
    // of such a server is secure from its first byte (RFC 8314 §3).
    isSecure: o.secure && hasTls,
    extensions: withoutUndefined({ ...o.extensions, startTls: hasTls && !o.secure }),
    authMechanisms,
    allowInsecureAuth: o.allowInsecureAuth,
    requireAuth: o.requireAuth,
    scramUnknownUserSecret: o.scramUnknownUserSecret,
    maxMessageSize: o.size,
    bareLineEndings: o.bareLineEndings,
    maxRecipients: o.maxRecipients,
    maxBadCommands: o.maxBadCommands,
    maxAuthFailures: o.maxAuthFailures,
    maxRejectedRecipients: o.maxRejectedRecipients,
    maxCommandLineLength: o.maxCommandLineLength,
  }
  const machineOptions = withoutUndefined(options) as MachineOptions
  byTls.set(hasTls, machineOptions)
  return machineOptions
}
