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
- Done since the first profile: \`@mailwire/node\` accepts MAIL and RCPT at once when
  \`onMailFrom\` / \`onRcptTo\` are not set, awaits only hooks that return a promise,
  builds the RCPT envelope only for a hook, and writes without \`await\` unless
  \`socket.write\` asks to wait for \`'drain'\`; \`@mailwire/smtp\` keeps the bytes of its
  constant replies (\`250 2.1.0\`, \`250 2.1.5\`, \`354\`, \`250 2.0.0\`) encoded once
  (server/constant-replies.ts).
- What is left is per-message work spread thin: address checks, the \`Readable\` per
  message and its listeners, and a promise turn per input chunk in the session.
- mailwire runs here from source through tsx, whose \`keepNames\` helper (\`__name\`) shows
  up inside mailwire's hot functions; the published build (tsup) does not have it.`

/** Findings for the SMTP server profile under a new connection per message. */
export const SMTP_SERVER_PER_CONNECTION_FINDINGS = `What it shows, and what remains:

- Besides the loopback writes, the time per connection goes to Node's own socket set-up
  (\`net.Socket\` and its stream state, \`getpeername\`, the idle timer, closing) and the
  garbage it leaves, then to the session's set-up in \`@mailwire/node\`
  (\`SmtpServerSession.start\`, \`machineOptions\` with \`withoutUndefined\` rebuilt for
  every connection) and the same per-message costs as with persistent connections.
- Done since the first profile: the machine options are built once per server. Still to
  try: create the per-connection objects (body stream, timers) lazily, when a
  transaction needs them.
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
- Done since the first profile: \`sendMail\` parses the raw header section
  (\`envelopeFromHeaders\`) only when \`message.envelope\` is missing; the pool checks
  its client options with zod once, not for every replacement connection; and the client
  writes the machine's output pieces (\`takeOutputChunks\`) corked instead of joining
  every body into one copy.
- Per message the client still re-arms its command timer (\`node:timers\` \`insert\`) and
  validates both addresses with the wire grammar (\`isDotString\`, in
  \`prepareTransaction\`).
- smtp-source is C and never leaves its loop; ≥ 0.7× of it (tens of thousands of
  messages a second on 5 connections) is out of reach for a Node client on this machine
  whatever is fixed above; ≥ 3× nodemailer needs the client's CPU per message cut by
  about a half again.`

/** Findings for the POP3 server profile. */
export const POP3_SERVER_FINDINGS = `What it shows, and what remains:

- poplib sends one RETR and waits for the final \`.\`, so each file-system round trip on
  Node's thread pool is paid in full per message. Per RETR the server used to make five
  (\`utimensat\` on the lock file, \`openat\`, a \`read\` into a new 64 KiB buffer, a
  second \`read\` returning 0, \`close\`) and two socket writes.
- Done since the first profile: the lock is touched at most once per
  \`LOCK_TOUCH_INTERVAL_MS\`; a message is read with one buffer of its scanned CRLF size
  and no read for the end when the bytes match that size; bare LFs are found with
  \`indexOf\` jumps, so a CRLF file passes \`withCrlf\` untouched; and the last chunk goes
  out together with the terminating \`.\`. That leaves \`openat\`, one \`read\` and
  \`close\`: three thread-pool round trips per message, against Dovecot's forked process
  reading with blocking calls.`
