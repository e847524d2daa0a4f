/**
 * Test support: a private Dovecot 2.3 (IMAP and POP3 on free loopback ports, no TLS)
 * pointed at an existing Maildir root written by `MaildirStore` — `<root>/<user>/` is
 * each user's Maildir++, with `/` as the hierarchy separator, as in our API. A variant of
 * `packages/node/test/harness/dovecot.ts`, whose process helpers it uses; that one makes
 * its own mail folder. Dovecot will not run mail processes as root, so the users' trees
 * are handed to the `vmail` system user first.
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
import {
  freePort,
  run,
  type Started,
  startProcess,
  waitForPort,
} from "../../../node/test/harness/processes.js"

export interface DovecotOnMaildir {
  readonly ports: { readonly imap: number; readonly pop3: number }
  /** Hands the users' trees to `vmail` again, after the test wrote more as root. */
  chown(): Promise<void>
  stop(): Promise<void>
}

async function vmailIds(): Promise<{ uid: number; gid: number }> {
  if ((await run("id", ["-u", "vmail"])).code !== 0) {
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

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid)
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path)) chownTree(join(path, entry), uid, gid)
  }
}

/** Starts Dovecot serving `users` (name → password) from the Maildirs under `root`. */
export async function startDovecotOnMaildir(
  root: string,
  users: Readonly<Record<string, string>>,
): Promise<DovecotOnMaildir> {
  const { uid, gid } = await vmailIds()
  const dir = mkdtempSync(join(tmpdir(), "mailwire-maildir-dovecot-"))
  chmodSync(dir, 0o755)
  chmodSync(root, 0o755)
  const chown = async () => {
    for (const name of Object.keys(users)) {
      mkdirSync(join(root, name), { recursive: true })
      chownTree(join(root, name), uid, gid)
    }
  }
  await chown()
  const ports = { imap: await freePort(), pop3: await freePort() }
  writeFileSync(
    join(dir, "users"),
    Object.entries(users)
      .map(([name, password]) => `${name}:{PLAIN}${password}::::::\n`)
      .join(""),
  )
  mkdirSync(join(dir, "base"))
  mkdirSync(join(dir, "state"))
  const config = `
base_dir = ${dir}/base
state_dir = ${dir}/state
instance_name = mailwire-maildir-${ports.imap}
log_path = ${dir}/dovecot.log
listen = 127.0.0.1
protocols = imap pop3
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${root}/%n
pop3_uidl_format = %08Xu%08Xv
namespace inbox {
  inbox = yes
  separator = /
}
passdb {
  driver = passwd-file
  args = ${dir}/users
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${root}/%n
}
default_login_user = dovenull
default_internal_user = dovecot
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${ports.imap}
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${ports.pop3}
  }
  inet_listener pop3s {
    port = 0
  }
}
`
  const configPath = join(dir, "dovecot.conf")
  writeFileSync(configPath, config)
  const started: Started = startProcess("/usr/sbin/dovecot", ["-F", "-c", configPath])
  try {
    await waitForPort(ports.imap)
    await waitForPort(ports.pop3)
  } catch (error) {
    await started.stop()
    throw new Error(`Dovecot did not start: ${(error as Error).message}\n${started.output()}`)
  }
  return {
    ports,
    chown,
    stop: async () => {
      await started.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
