/**
 * Who is who: local addresses and aliases to Maildir users, and logins checked against
 * the users' SCRAM credentials (RFC 5802 §3). A plain password (PLAIN, LOGIN, USER/PASS)
 * is checked by deriving StoredKey from it with the stored salt and iteration count and
 * comparing in constant time; SCRAM logins get the stored credentials themselves, so the
 * server never needs the password.
 *
 * Addresses are compared case-insensitively, local part included: RFC 5321 §2.4 lets the
 * local part be case-sensitive, but every common MTA (Postfix, Exim, Gmail) folds it, and
 * users type `Alice@…` expecting it to arrive.
 *
 * What it does not do: count failed logins (the protocol machines do, DESIGN §4
 * invariant 7) or cache derived keys.
 */
import type { Pop3VerificationRequest } from "@mailwire/pop3"
import {
  deriveScramCredentials,
  type ScramCredentials,
  timingSafeEqual,
  type VerificationAnswer,
  type VerificationRequest,
} from "@mailwire/sasl"
import type { ConfiguredUser, ServerConfig } from "./config.js"

/** The domain of an address, lower-cased (RFC 5321 §4.1.2 `Domain`). */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1).toLowerCase()
}

/** Whether `password` is the one `credentials` were derived from. */
export function checkPassword(credentials: ScramCredentials, password: string): boolean {
  let derived: ScramCredentials
  try {
    derived = deriveScramCredentials(password, {
      algorithm: credentials.algorithm,
      salt: credentials.salt,
      iterations: credentials.iterations,
    })
  } catch {
    // SASLprep refused the password (RFC 4013 §2.3): no stored password can match it.
    return false
  }
  return timingSafeEqual(derived.storedKey, credentials.storedKey)
}

/** The users, their addresses and aliases, from the configuration. */
export class Accounts {
  private readonly byName = new Map<string, ConfiguredUser>()
  private readonly byAddress = new Map<string, readonly string[]>()
  private readonly domains: ReadonlySet<string>

  constructor(config: Pick<ServerConfig, "users" | "aliases" | "domains">) {
    this.domains = new Set(config.domains)
    for (const user of config.users) {
      this.byName.set(user.name, user)
      for (const address of user.addresses) this.byAddress.set(address, [user.name])
    }
    for (const [alias, names] of config.aliases) this.byAddress.set(alias, names)
  }

  /** Whether mail for `address` is ours to deliver (its domain is a local domain). */
  isLocalDomain(address: string): boolean {
    return this.domains.has(domainOf(address))
  }

  /** The users mail to `address` goes to; empty for an unknown address. */
  recipients(address: string): readonly string[] {
    return this.byAddress.get(address.toLowerCase()) ?? []
  }

  /** The user a login name means: a user name, or one of a user's own addresses. */
  user(login: string): ConfiguredUser | null {
    const byName = this.byName.get(login)
    if (byName !== undefined) return byName
    const names = this.byAddress.get(login.toLowerCase())
    if (names === undefined || names.length !== 1) return null
    const user = this.byName.get(names[0]!)
    return user?.addresses.includes(login.toLowerCase()) ? user : null
  }

  /** Whether `user` may send as `address` (one of their own addresses, or an alias of theirs). */
  maySendAs(user: string, address: string): boolean {
    return this.recipients(address).includes(user)
  }

  /**
   * Answers a SASL or POP3 login check (see `@mailwire/sasl`'s `VerificationRequest`):
   * passwords are checked, SCRAM gets the stored credentials, everything else is refused.
   */
  verify(request: VerificationRequest | Pop3VerificationRequest): VerificationAnswer {
    switch (request.kind) {
      case "password": {
        const user = this.user(request.username)
        if (request.authzid !== null && request.authzid !== request.username) return false
        return user !== null && checkPassword(user.credentials, request.password)
      }
      case "scram": {
        const user = this.user(request.username)
        const wanted = request.mechanism === "SCRAM-SHA-1" ? "SHA-1" : "SHA-256"
        if (request.authzid !== null && request.authzid !== request.username) return null
        return user !== null && user.credentials.algorithm === wanted ? user.credentials : null
      }
      case "secret":
        return null
      default:
        return false
    }
  }
}
