/**
 * Dovecot pointed at the Maildir this server writes lists and fetches what we delivered,
 * byte for byte, over POP3 and IMAP (read with curl).
 */
import { chmodSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import {
  type DovecotOnMaildir,
  startDovecotOnMaildir,
} from "../../../packages/maildir/test/harness/dovecot-on-maildir.js"
import { rawConnection } from "../../../packages/node/test/harness/capture.js"
import { peersAvailable } from "../../../packages/node/test/harness/peers.js"
import { run } from "../../../packages/node/test/harness/processes.js"
import { BOB, mailServer, testMessage } from "./harness/mail-server.js"

const hasPeers = peersAvailable("mail-server with Dovecot", "dovecot", "curl", "openssl")

async function sendOnMx(port: number, message: Uint8Array): Promise<void> {
  const c = await rawConnection(port)
  await c.until(/^220 /m)
  c.send(
    "EHLO outside.test\r\nMAIL FROM:<someone@outside.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n",
  )
  await c.until(/^354 /m)
  c.send(message)
  c.send(".\r\nQUIT\r\n")
  await c.until(/^221 /m)
  c.close()
}

describe.runIf(hasPeers)("Dovecot on our Maildir", () => {
  it("lists and fetches over POP3 and IMAP exactly the messages we delivered", async () => {
    const server = await mailServer()
    let dovecot: DovecotOnMaildir | null = null
    try {
      await server.start()
      const sent = [1, 2, 3].map((n) =>
        testMessage(
          "someone@outside.test",
          "bob@example.test",
          `for-dovecot-${n}`,
          `Body ${n}\r\n`,
        ),
      )
      for (const message of sent) await sendOnMx(server.ports.smtp, message)
      const stored = server.mailbox("bob")
      expect(stored).toHaveLength(3)
      expect(await server.stop()).toBe(0)

      // Dovecot's mail processes run as vmail and must reach the Maildirs.
      for (const dir of [server.dir, server.dataDir]) chmodSync(dir, 0o755)
      dovecot = await startDovecotOnMaildir(join(server.dataDir, "mail"), {
        [BOB.name]: BOB.password,
      })
      const user = `${BOB.name}:${BOB.password}`
      const pop3 = `pop3://127.0.0.1:${dovecot.ports.pop3}`
      const list = await run("/usr/bin/curl", ["-sS", "--user", user, `${pop3}/`])
      expect(list.code, list.stderr).toBe(0)
      expect(list.stdout.trim().split(/\r?\n/)).toEqual(
        stored.map((m, i) => `${i + 1} ${m.length}`),
      )
      for (let i = 0; i < stored.length; i++) {
        const retr = await run("/usr/bin/curl", ["-sS", "--user", user, `${pop3}/${i + 1}`])
        expect(retr.stdout).toBe(new TextDecoder().decode(stored[i]))
      }
      const imap = `imap://127.0.0.1:${dovecot.ports.imap}`
      const search = await run("/usr/bin/curl", ["-sS", "--user", user, `${imap}/INBOX?ALL`])
      expect(search.stdout).toMatch(/^\* SEARCH 1 2 3\r?$/m)
      const fetched = await run("/usr/bin/curl", ["-sS", "--user", user, `${imap}/INBOX;UID=2`])
      expect(fetched.stdout).toBe(new TextDecoder().decode(stored[1]))
    } finally {
      await dovecot?.stop()
      await server.cleanup()
    }
  }, 60_000)
})
