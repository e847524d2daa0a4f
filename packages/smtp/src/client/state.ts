/**
 * The client machine's states, named after the RFC's steps (RFC 5321 §3.1–§3.3, §4.1.4;
 * RFC 3207 §4; RFC 4954 §4). The transitions live in `connection.ts` and `commands/`,
 * each driven by the reply it waits for.
 *
 * - `greeting`: waiting for the server's `220`.
 * - `hello`: EHLO/HELO/LHLO sent.
 * - `startTls`: STARTTLS sent, waiting for `220`.
 * - `tlsHandshake`: paused; the adapter upgrades the socket and calls `resumeTls()`.
 * - `auth`: in the SASL exchange.
 * - `ready`: no transaction in progress; `sendMail` may be called.
 * - `transaction`: a mail transaction is in progress (more may be queued).
 * - `quit`: QUIT sent.
 * - `closed`: nothing more is read or written.
 */
export type SmtpClientState =
  | "greeting"
  | "hello"
  | "startTls"
  | "tlsHandshake"
  | "auth"
  | "ready"
  | "transaction"
  | "quit"
  | "closed"
