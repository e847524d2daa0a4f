/**
 * STARTTLS (RFC 3207 §4): `220`, then the machine pauses until the adapter has upgraded
 * the socket. Whatever the client sent after the STARTTLS line in plaintext is taken out
 * of the reader and handed to the adapter in the `startTls` event, never processed
 * (RFC 3207 §6, DESIGN §4 invariant 2: the CVE-2011-0411 class of command injection).
 * After `resumeTls()` the session starts over: no greeting, no AUTH (RFC 3207 §4.2).
 */
import type { ServerSession } from "../session.js"

export function handleStartTls(session: ServerSession): void {
  if (!session.options.extensions.startTls) {
    session.reply({ code: 502, enhancedCode: "5.5.1", text: "STARTTLS not available" })
    return
  }
  if (session.isSecure) {
    session.reply({ code: 503, enhancedCode: "5.5.1", text: "TLS already active" })
    return
  }
  session.reply({ code: 220, enhancedCode: "2.0.0", text: "Ready to start TLS" })
  const discarded = session.reader.takeBuffered().slice()
  session.state = "startTls"
  session.emit({ type: "startTls", discarded })
}

/** The adapter finished the TLS handshake: a fresh session over TLS. */
export function resumeAfterTls(session: ServerSession): void {
  session.isSecure = true
  session.greeted = null
  session.auth = null
  session.transaction = null
  session.state = "connected"
}
