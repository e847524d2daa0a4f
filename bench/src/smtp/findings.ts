/**
 * What the profiles and the adapters' code showed while working on issue 10, and what
 * would still help: prose for `docs/benchmarks/smtp.md`, printed under the profiles of
 * the targets that are missed. It holds no measured figure (those come from the run and
 * are in the tables above each profile); update it when the adapters change.
 */

/** Findings for the SMTP server profile. */
export const SMTP_SERVER_FINDINGS = `What it shows, and what remains:

- The socket writes (\`writeBuffer\`) are the largest item: the kernel's loopback send of
  one reply per command, the same count for every server (\`strace -c\`). The bare Node
  responder in the table above pays them too and does nothing else: it is the least any
  Node server can spend on this load. It is itself below smtp-sink on this machine, so
  \`≥ 1.0× smtp-sink\` is out of reach for a Node server here, whatever mailwire does.
- Done for this issue, in the order the profiles pointed: the input pump calls the
  session synchronously when no hook, full socket or full body stream has to be waited
  for (no promise, no pause/resume per chunk); one idle timer and one data timer per
  session instead of Node's socket timeout (restarted on every read and write) and a new
  \`setTimeout\` per message; constant replies handed to the socket without a copy
  (\`takeOutputToWrite\`); log entries built only with \`onLog\`; address checks
  (\`isDotString\`, \`isDomain\`) as table-driven loops; no \`Array.from\` per message end.
- What is left between mailwire and the floor, per message: the \`@mailwire/smtp\`
  machine (commands parsed and checked, the body unstuffed line by line by the dot
  decoder), the \`Readable\` handed to \`onData\` with its \`nextTick\`s, the copy of
  each body chunk the application owns, the promise that carries \`onData\`'s outcome,
  and the garbage of all that. Each is a few percent of the profile; the \`Readable\` and
  the copies are the public API's promise (chunks the application owns).`

/** Findings for the SMTP server profile under a new connection per message. */
export const SMTP_SERVER_PER_CONNECTION_FINDINGS = `What it shows, and what remains:

- Per connection, most of the time is Node's own: accepting the socket (\`net.Socket\`
  and its stream state, \`getpeername\`), closing it (\`close\`, \`shutdown\`) and the
  garbage it leaves. The bare Node responder in the table above pays the same and does
  nothing else; it reaches only about half of smtp-sink's rate here, so
  \`≥ 0.7× smtp-sink\` is out of reach for a Node server on this machine.
- Done for this issue: the greeting goes out without an \`await\` when there is no
  async \`onConnect\`; the idle timeout is one timer of the session's own instead of
  Node's socket timeout; log entries are built only with \`onLog\`; the machine options
  are built once per server.
- What is left above the floor: the session's set-up (the machine, its reader, the
  greeting and EHLO reply formatted per connection) and the same per-message work as
  with persistent connections.`

/** Findings for the SMTP client profile. */
export const SMTP_CLIENT_FINDINGS = `What it shows, and what remains:

- On the wire the pool now does what the bare Node sender in the table does: with
  PIPELINING a busy connection writes a message's end of data and the next message's
  MAIL, RCPT and DATA together (RFC 2920 §3.1), one write and one round trip per message
  (\`strace\`). smtp-source waits for every reply, which is why the bare sender, and not
  smtp-source, is the floor here.
- Done for this issue: that pipelining across messages; each address checked once per
  message; the envelope commands encoded once as one block; one reply deadline per
  connection instead of a timer re-armed per command; small output joined into one
  write; the dot-stuffer scanning by runs.
- What is left is JavaScript per message that the bare sender skips: a \`sendMail\`
  promise and its result object, the pool's queue, the envelope checked and encoded,
  every reply line decoded to text and matched (\`ReplyReader\`), and the transaction's
  bookkeeping. \`≥ 0.7× smtp-source\` needs the client's CPU per message cut to about a
  third of what it is; the reply reader (decoding and regular expressions per line) and
  the address grammar are the next places to look.`

/** Findings for the POP3 server profile. */
export const POP3_SERVER_FINDINGS = `What it shows, and what remains:

- poplib sends one RETR and waits for the final \`.\`, so every deferred step per RETR
  (a thread-pool round trip, a \`nextTick\`, a resumed socket) is paid in full. The bare
  Node responder in the table reads each file with \`readFileSync\` and writes it in one
  go: the least a Node server can spend, and faster than Dovecot's forked session here.
- Done for this issue: \`MaildirStore\` reads a message of up to \`syncReadMaxBytes\`
  (64 KiB by default; 0 turns it off, for a store on a network file system) with one
  blocking open, read and close instead of three thread-pool round trips, and falls back
  to the asynchronous path for anything unusual; \`Maildrop.readNow\` lets the session
  answer RETR and TOP without an \`await\`, inside the socket's \`'data'\` event, with
  no pause and resume of the socket per command; the dot-stuffer scans four bytes at a time
  and hands out views of unchanged runs; the lock is touched at most once per
  \`LOCK_TOUCH_INTERVAL_MS\`.
- What is left above the floor: the POP3 command parsed and checked, the message scanned
  for bare LFs and dot-stuffed (the floor refuses files that would need it), the reply
  joined into one buffer by the sans-I/O machine, and the per-session work of opening
  the maildrop (listing the directory and reading the UID list at login, spread over
  the messages retrieved).`
