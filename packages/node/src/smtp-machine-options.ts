/**
 * The `@mailwire/smtp` machine options (RFC 5321 §4.1.1.1 extensions, §4.5.3 limits) a
 * server's connections run with, made from its resolved options once per server and
 * shared, frozen, by all its connections: nothing in them changes from one connection to
 * the next.
 * What it does not do: resolve or check the application's options (see
 * `smtp-server-options.ts`). The returned object is shared; the machine only reads it.
 */
import type { SmtpServerOptions as MachineOptions } from "@mailwire/smtp"
import { withoutUndefined } from "./options.js"
import type { ResolvedSmtpServerOptions } from "./smtp-server-options.js"

/**
 * The machine options of a server's connections, made once per server and frozen, with
 * their `extensions` and `authMechanisms`: the machine then resolves them and formats
 * the greeting and the EHLO lines once for all connections (a frozen options object
 * cannot change between them). The arrays and objects frozen are fresh copies.
 */
export function machineOptionsFor(o: ResolvedSmtpServerOptions, hasTls: boolean): MachineOptions {
  const authMechanisms = Object.freeze(
    o.authMechanisms === undefined
      ? o.onAuth === undefined
        ? []
        : ["PLAIN", "LOGIN"]
      : [...o.authMechanisms],
  )
  const options = {
    hostname: o.hostname,
    lmtp: o.lmtp,
    // Implicit TLS (`secure`) is set up before the machine starts, so every connection
    // of such a server is secure from its first byte (RFC 8314 §3).
    isSecure: o.secure && hasTls,
    extensions: Object.freeze(withoutUndefined({ ...o.extensions, startTls: hasTls && !o.secure })),
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
  return Object.freeze(withoutUndefined(options)) as MachineOptions
}
