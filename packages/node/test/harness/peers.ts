/**
 * Which real mail programs are installed. `pnpm test` runs an interop suite when its
 * peers are present and says which it skipped; with `MAILWIRE_REQUIRE_PEERS=1` (set by
 * `.ci/run`) a missing peer fails the run instead.
 */
import { accessSync, constants } from "node:fs"

export const PEERS = {
  dovecot: "/usr/sbin/dovecot",
  smtpSink: "/usr/sbin/smtp-sink",
  smtpSource: "/usr/sbin/smtp-source",
  swaks: "/usr/bin/swaks",
  msmtp: "/usr/bin/msmtp",
  fetchmail: "/usr/bin/fetchmail",
  mbsync: "/usr/bin/mbsync",
  curl: "/usr/bin/curl",
  openssl: "/usr/bin/openssl",
  // Debian's own python3 has aiosmtpd; a python3 earlier on PATH may not.
  python3: "/usr/bin/python3",
} as const

export type PeerName = keyof typeof PEERS

export function hasPeer(name: PeerName): boolean {
  try {
    accessSync(PEERS[name], constants.X_OK)
    return true
  } catch {
    return false
  }
}

export const peersRequired = process.env.MAILWIRE_REQUIRE_PEERS === "1"

/**
 * Whether a suite needing `names` should run. Prints the skip once; throws when peers
 * are required and one is missing.
 */
export function peersAvailable(suite: string, ...names: PeerName[]): boolean {
  const missing = names.filter((name) => !hasPeer(name))
  if (missing.length === 0) return true
  const message = `interop suite "${suite}" skipped: missing ${missing.map((m) => PEERS[m]).join(", ")} (run scripts/install-peers.sh)`
  if (peersRequired) throw new Error(`${message}; MAILWIRE_REQUIRE_PEERS=1`)
  console.warn(message)
  return false
}
