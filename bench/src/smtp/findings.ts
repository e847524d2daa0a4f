/**
 * What the profiles and the adapters' code showed when this benchmark was written
 * (issue 10), and what would fix it: prose for `docs/benchmarks/smtp.md`, printed under
 * the profiles of the targets that are missed. It holds no measured figure (those come
 * from the run); update it when the adapters change.
 */

/** Findings for the SMTP server profile. */
export const SMTP_SERVER_FINDINGS = `What it shows, and what remains:

- The socket writes (\`writeBuffer\`) are the largest item, but they are the kernel's loopback
  send, not waste: \`strace -c\` on the server shows the same number of \`write\` and \`read\`
  calls per message for mailwire and smtp-server (one per reply, one per command), as for
  smtp-sink. The rest of mailwire's time is spread thin over promise and microtask turns per
  command (\`runMicrotasks\`, \`processTicksAndRejections\`), reply text formatted and
  encoded with \`TextEncoder\` on every reply (\`formatReplyText\`, \`encodeUtf8String\`),
  address checks (\`isDotString\`, \`isDomain\`) and a \`Readable\` with its listeners per
  message. No single function is worth more than a few percent, so no one change meets the
  target.
- For \`@mailwire/node\` (smtp-server-session.ts \`process\`): when \`onMailFrom\` /
  \`onRcptTo\` are not set, accept at once without \`await this.decide(…)\` (today every
  MAIL and RCPT costs promise turns, and \`toEnvelope\` builds an envelope for every RCPT
  even with no hook to see it); await only hooks that return a promise; and write without
  \`await\` when \`socket.write\` returns true, waiting only for \`'drain'\`.
- For \`@mailwire/smtp\` (wire/reply.ts): keep the bytes of constant replies (\`250 2.1.0\`,
  \`250 2.1.5\`, \`354\`, \`250 2.0.0\`) encoded once instead of formatting and encoding
  per reply.
- mailwire runs here from source through tsx, whose \`keepNames\` helper (\`__name\`) shows
  up inside mailwire's hot functions; the published build (tsup) does not have it.`

/** Findings for the SMTP server profile under a new connection per message. */
export const SMTP_SERVER_PER_CONNECTION_FINDINGS = `What it shows, and what remains:

- Besides the loopback writes, the time per connection goes to Node's own socket set-up
  (\`net.Socket\` and its stream state, \`getpeername\`, the idle timer, closing) and the
  garbage it leaves, then to the session's set-up in \`@mailwire/node\`
  (\`SmtpServerSession.start\`, \`machineOptions\` with \`withoutUndefined\` rebuilt for
  every connection) and the same per-message costs as with persistent connections.
- For \`@mailwire/node\`: build the machine options once per server (only \`isSecure\`
  differs per connection) and create the per-connection objects (body stream, timers)
  lazily, when a transaction needs them.
- smtp-sink is a single-process C program that does nothing with the message; with
  Node's fixed cost for every accepted socket, 0.7× of it is unlikely for any Node server
  on this machine. smtp-server cannot be compared on this load: its fixed 100 ms greeting
  delay caps it far below both.`

/** Findings for the SMTP client profile. */
export const SMTP_CLIENT_FINDINGS = `What it shows, and what remains:

- On the wire the client is already as lean as it can be: \`strace\` shows two \`write\`
  calls per message (MAIL, RCPT and DATA together, then the body with its end), so the
  time goes to JavaScript per message, not to round trips. \`writeBuffer\` is the kernel's
  loopback send.
- \`createTransport().sendMail\` parses the raw message's header section with
  \`@mailwire/rfc5322\` (\`envelopeFromHeaders\`) even when the caller gives the envelope
  (smtp-transport.ts); parse it only when \`message.envelope\` is missing.
- Per message the client also re-arms its command timer (\`node:timers\` \`insert\`),
  validates both addresses with the wire grammar (\`isDotString\`, in \`prepareTransaction\`)
  and joins the body into the machine's output (\`concatBytes\` in \`takeOutput\`), a copy
  of every body that \`socket.cork()\` or \`writev\` would avoid while still sending once; a
  pool connection that is replaced after \`maxMessages\` runs its options through zod again
  in the \`SmtpClient\` constructor (validate once in \`createTransport\` and pass them on).
- smtp-source is C and never leaves its loop; ≥ 0.7× of it (tens of thousands of
  messages a second on 5 connections) is out of reach for a Node client on this machine
  whatever is fixed above; ≥ 3× nodemailer needs the client's CPU per message cut by
  about a half again.`

/** Findings for the POP3 server profile. */
export const POP3_SERVER_FINDINGS = `What it shows, and what remains:

- poplib sends one RETR and waits for the final \`.\`, so each file-system round trip on
  Node's thread pool is paid in full per message. \`strace\` of the server shows, per RETR:
  \`utimensat\` on the maildrop's lock file (\`touch()\` in maildrop.ts, before every
  \`list\`, \`read\` and \`delete\`), \`openat\`, a \`read\` into a new 64 KiB buffer
  (\`READ_CHUNK_BYTES\`, allocated per read even for a 4 KB message), a second \`read\` that
  returns 0, and \`close\`: five thread-pool round trips, with two socket writes (\`+OK\`
  and the body, then \`.\` on its own only after the last read and the close).
- For \`@mailwire/maildir\`: touch the lock at most once per a fraction of
  \`staleLockMs\` (a timestamp check) instead of on every call; read a message whose size
  is known (the \`S=\` in its name, or the scan) with one buffer of that size and no extra
  read for the end; skip the \`withCrlf\` pass (crlf.ts) when the file has no bare LF,
  which its name's \`W=\` or one \`indexOf\` can tell.
- For \`@mailwire/node\` (pop3-server-session.ts \`retrieve\`) and the maildrop's \`read\`:
  stop when the bytes read reach the known size instead of reading to EOF, and write the
  terminating \`.\` together with the last chunk, so the client is not kept waiting on the
  \`close\`.`
