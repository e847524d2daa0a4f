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
  for (no promise, no pause/resume per chunk); the reply to a message follows
  \`onData\` settling by callback, not through a chain of promises; one idle timer and
  one data timer per session instead of Node's socket timeout (restarted on every read
  and write) and a new \`setTimeout\` per message; constant replies handed to the socket
  without a copy (\`takeOutputToWrite\`); \`DATA\`, \`RSET\` and \`QUIT\` read from
  their bytes; log entries built only with \`onLog\`; address checks as table-driven
  loops; no \`Array.from\` per message end.
- What is left between mailwire and the floor, per message (counted in instructions with
  callgrind in the steady state): the
  \`@mailwire/smtp\` machine (commands parsed and checked, the envelope built); the dot
  decoder, the largest single item, which looks for every CR and LF of the body to
  enforce the bare CR/LF policy (RFC 5321 §2.3.8, the smuggling checks) with two native
  searches per line, each mostly Node's call overhead; the \`Readable\` handed to
  \`onData\` with its \`nextTick\`s and the copy of each body chunk the application
  owns (the public API's promise); and the garbage of all that.`

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

- On the wire the pool does what the bare Node sender in the table does: with
  PIPELINING a busy connection writes a message's end of data and the next message's
  MAIL, RCPT and DATA together (RFC 2920 §3.1), one write and one round trip per message
  (\`strace\`). smtp-source waits for every reply, which is why the bare sender, and not
  smtp-source, is the floor here.
- Done for this issue: that pipelining across messages; replies checked on their bytes
  (no decoding and regular expressions per line); a plain \`local@domain\` accepted in
  one pass before the full grammar; the extensions read once per EHLO; envelope lines
  cut from shared blocks; one reply deadline per connection; the pool handing each
  message to a connection with a callback (\`SmtpClient.sendTo\`), so a message makes one
  promise, the one \`sendMail\` returns. Every Node client here is measured after a
  warm-up in its own process, like the servers; before that, most of a pool's figure was
  the JIT compiling.
- What is left is JavaScript per message that the bare sender skips: the \`sendMail\`
  promise and result, the pool's queue, the envelope checked and encoded, the replies
  parsed and matched to their message, and Node's stream layer around each read and
  write. The pool also opens a new connection every 100 messages (its default, like
  nodemailer's; smtp-source keeps its connections), a few percent of the run.`

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
  no pause and resume of the socket per command; a login whose inbox has not changed
  since the last one reuses that scan (checked against the times, sizes and inodes of
  \`new/\`, \`cur/\` and the UID list, as Dovecot checks its index); bare LFs are
  found with a native search; the answer leaves in one \`writev\` of its pieces instead
  of being joined; commands parse without a regular expression; the dot-stuffer scans
  four bytes at a time and hands out views of unchanged runs.
- What is left above the floor: the POP3 command parsed and checked, the message
  checked for bare LFs and dot-stuffed (the floor sends files as they are), the
  session's state machine and its events, and the stamps a login reads to trust its
  kept scan.`
