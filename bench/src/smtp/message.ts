/**
 * The test message of the SMTP and POP3 benchmarks: a plain RFC 5322 message with CRLF
 * line ends whose body is `bodyBytes` long, in 78-character lines, like the filler
 * Postfix's `smtp-source -l` sends. The same bytes go out from every client.
 */

/** The envelope sender and recipient every client uses. */
export const FROM = "bench@example.test"
export const TO = "sink@example.test"

/** A message of `bodyBytes` body octets; `n` makes the Message-ID unique. */
export function messageText(bodyBytes: number, n = 0): string {
  const header = [
    `From: <${FROM}>`,
    `To: <${TO}>`,
    `Subject: mailwire benchmark message ${n}`,
    "Date: Thu, 26 Nov 2026 05:00:00 +0000",
    `Message-ID: <bench-${n}@example.test>`,
    "",
    "",
  ].join("\r\n")
  const line = `${"La ".repeat(25)}la\r\n`
  let body = ""
  while (body.length + line.length <= bodyBytes) body += line
  body += `${"x".repeat(Math.max(0, bodyBytes - body.length - 2))}\r\n`
  return header + body.slice(0, Math.max(bodyBytes, 2))
}
