/**
 * Test support: a private Dovecot 2.3 (IMAP and POP3 on free loopback ports, no TLS)
 * pointed at an existing Maildir root written by `MaildirStore` — `<root>/<user>/` is
 * each user's Maildir++, with `/` as the hierarchy separator, as in our API. It shares
 * the instance set-up and launch of `packages/node/test/harness/dovecot.ts`, which makes
 * its own mail folder instead. Dovecot will not run mail processes as root, so the
 * users' trees are handed to the `vmail` system user first.
 */
import { chmodSync, mkdirSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  chownTree,
  launchDovecot,
  vmailIds,
  writeUsers,
} from "../../../node/test/harness/dovecot.js"
import { freePort } from "../../../node/test/harness/processes.js"

export interface DovecotOnMaildir {
  readonly ports: { readonly imap: number; readonly pop3: number }
  /** Hands the users' trees to `vmail` again, after the test wrote more as root. */
  chown(): Promise<void>
  stop(): Promise<void>
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
  writeUsers(
    dir,
    Object.entries(users).map(([name, password]) => ({ name, password })),
  )
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
  const { stop } = await launchDovecot(dir, config, [ports.imap, ports.pop3])
  return { ports, chown, stop }
}
