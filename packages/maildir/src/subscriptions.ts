/**
 * A user's subscribed mailboxes (RFC 9051 §6.3.7–§6.3.8): the file
 * `mailwire-subscriptions` in the user's Maildir, one mailbox name a line in UTF-8, `/`
 * between levels, sorted, LF ends. Our own file, like the UID list: Dovecot keeps its
 * own in `subscriptions`. Changes take a lock file and replace the file durably, so two
 * sessions subscribing at once both count. A mailbox may be subscribed without existing,
 * as RFC 9051 §6.3.7 allows.
 */
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { writeFileDurably } from "./durable-file.js"
import { lock } from "./lock-file.js"
import type { MailboxName } from "./names.js"
import { mailboxNameOfFolder, parseMailboxName } from "./names.js"

/** The subscriptions file's name in a user's Maildir. */
export const SUBSCRIPTIONS_FILE = "mailwire-subscriptions"

function isListed(line: string): boolean {
  if (line === "INBOX") return true
  try {
    const parsed = parseMailboxName(line)
    return mailboxNameOfFolder(parsed.folder)?.name === line
  } catch {
    return false
  }
}

/** The subscribed names; lines that are not valid names (a hand-edited file) are skipped. */
export async function readSubscriptions(maildir: string): Promise<string[]> {
  const text = await readFile(join(maildir, SUBSCRIPTIONS_FILE), "utf8").catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return ""
      throw error
    },
  )
  return text.split("\n").filter((line) => line !== "" && isListed(line))
}

/** Adds or removes a subscription. */
export async function changeSubscription(
  maildir: string,
  mailbox: MailboxName,
  subscribed: boolean,
  timing: { readonly staleLockMs: number; readonly lockTimeoutMs: number },
): Promise<void> {
  const held = await lock(
    join(maildir, `${SUBSCRIPTIONS_FILE}.lock`),
    timing.staleLockMs,
    timing.lockTimeoutMs,
  )
  try {
    const names = new Set(await readSubscriptions(maildir))
    const had = names.has(mailbox.name)
    if (had === subscribed) return
    if (subscribed) names.add(mailbox.name)
    else names.delete(mailbox.name)
    const text = [...names]
      .sort()
      .map((name) => `${name}\n`)
      .join("")
    await writeFileDurably(join(maildir, SUBSCRIPTIONS_FILE), text)
  } finally {
    await held.release()
  }
}
