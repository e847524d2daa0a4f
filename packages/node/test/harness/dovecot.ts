/**
 * A private Dovecot 2.3 instance on loopback: IMAP, IMAPS, POP3 and POP3S on free ports,
 * users from a passwd-file, Maildir storage in a temporary folder owned by a `vmail`
 * system user (Dovecot will not deliver as root). Facts from the project's peer notes:
 * no systemd, `dovecot -F -c cfg`, stopped by PID.
 */
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort, run, type Started, startProcess, waitForPort } from "./processes.js"
import { testCertificate } from "./tls.js"

export interface DovecotUser {
  readonly name: string
  readonly password: string
  /** Messages put into the user's INBOX (Maildir `cur/`) before Dovecot starts. */
  readonly messages?: readonly Uint8Array[]
}

export interface Dovecot {
  readonly ports: { imap: number; imaps: number; pop3: number; pop3s: number }
  readonly dir: string
  readonly certPath: string
  maildir(user: string): string
  stop(): Promise<void>
}

/** The `vmail` system user's ids, creating the user when missing (Dovecot won't deliver as root). */
export async function vmailIds(): Promise<{ uid: number; gid: number }> {
  const lookup = await run("id", ["-u", "vmail"])
  if (lookup.code !== 0) {
    const made = await run("useradd", [
      "--system",
      "--no-create-home",
      "--shell",
      "/usr/sbin/nologin",
      "vmail",
    ])
    if (made.code !== 0) throw new Error(`useradd vmail failed: ${made.stderr}`)
  }
  const uid = Number((await run("id", ["-u", "vmail"])).stdout.trim())
  const gid = Number((await run("id", ["-g", "vmail"])).stdout.trim())
  return { uid, gid }
}

/** Hands `path` and everything under it to `uid`:`gid`. */
export function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid)
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path)) chownTree(join(path, entry), uid, gid)
  }
}

export async function startDovecot(users: readonly DovecotUser[]): Promise<Dovecot> {
  const { uid, gid } = await vmailIds()
  const tls = await testCertificate()
  const dir = mkdtempSync(join(tmpdir(), "mailwire-dovecot-"))
  // Dovecot's auth and mail processes run as other users and must reach into this folder.
  chmodSync(dir, 0o755)
  const ports = {
    imap: await freePort(),
    imaps: await freePort(),
    pop3: await freePort(),
    pop3s: await freePort(),
  }
  const mailRoot = join(dir, "mail")
  const maildir = (user: string) => join(mailRoot, user, "Maildir")
  for (const user of users) {
    for (const sub of ["cur", "new", "tmp"])
      mkdirSync(join(maildir(user.name), sub), { recursive: true })
    user.messages?.forEach((message, i) => {
      const name = `${1_700_000_000 + i}.M${i}P1.mailwire,S=${message.length}:2,`
      writeFileSync(join(maildir(user.name), "cur", name), message)
    })
  }
  writeUsers(dir, users)
  chownTree(mailRoot, uid, gid)
  const config = `
base_dir = ${dir}/base
state_dir = ${dir}/state
instance_name = mailwire-test-${ports.imap}
log_path = ${dir}/dovecot.log
listen = 127.0.0.1
protocols = imap pop3
disable_plaintext_auth = no
auth_mechanisms = plain login
ssl = yes
ssl_cert = <${tls.certPath}
ssl_key = <${tls.keyPath}
mail_location = maildir:~/Maildir
pop3_uidl_format = %08Xu%08Xv
passdb {
  driver = passwd-file
  args = ${dir}/users
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${mailRoot}/%n
}
default_login_user = dovenull
default_internal_user = dovecot
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${ports.imap}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${ports.imaps}
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${ports.pop3}
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = ${ports.pop3s}
    ssl = yes
  }
}
`
  const { stop } = await launchDovecot(dir, config, Object.values(ports))
  return {
    ports,
    dir,
    certPath: tls.certPath,
    maildir,
    stop,
  }
}

/**
 * Writes the passwd-file `<dir>/users` and the `base`/`state` folders a private instance
 * whose config uses `base_dir = <dir>/base`, `state_dir = <dir>/state` and
 * `passdb { driver = passwd-file; args = <dir>/users }` needs.
 */
export function writeUsers(
  dir: string,
  users: ReadonlyArray<{ readonly name: string; readonly password: string }>,
): void {
  writeFileSync(
    join(dir, "users"),
    users.map((user) => `${user.name}:{PLAIN}${user.password}::::::\n`).join(""),
  )
  mkdirSync(join(dir, "base"), { recursive: true })
  mkdirSync(join(dir, "state"), { recursive: true })
}

/**
 * Starts Dovecot with `config` (written to `<dir>/dovecot.conf`) and waits until every
 * port in `ports` accepts connections. `stop()` stops it by PID and removes `dir`.
 */
export async function launchDovecot(
  dir: string,
  config: string,
  ports: readonly number[],
): Promise<{ stop(): Promise<void> }> {
  const configPath = join(dir, "dovecot.conf")
  writeFileSync(configPath, config)
  const started: Started = startProcess("/usr/sbin/dovecot", ["-F", "-c", configPath])
  try {
    for (const port of ports) await waitForPort(port)
  } catch (error) {
    await started.stop()
    throw new Error(`Dovecot did not start: ${(error as Error).message}\n${started.output()}`)
  }
  return {
    stop: async () => {
      await started.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
