/**
 * The start of a client session: the greeting (RFC 5321 §3.1), EHLO with a HELO fallback
 * (§4.1.1.1, §3.2) or LHLO (RFC 2033 §4.1), and STARTTLS (RFC 3207 §4). After `220` to
 * STARTTLS the rest of the server's plaintext is taken out unread (RFC 3207 §6, DESIGN §4
 * invariant 2) and handed to the adapter in the `startTls` event.
 */
import {
  CAP_STARTTLS,
  emptyCapabilities,
  hasCapability,
  parseEhloReply,
} from "../../capabilities.js"
import { isPositiveReply, type SmtpReply } from "../../types.js"
import type { ClientSession } from "../session.js"
import { startAuth } from "./auth.js"

export function handleGreeting(session: ClientSession, reply: SmtpReply): void {
  if (reply.code !== 220) {
    session.fail("greeting", reply, `the server refused the connection: ${reply.code}`)
    return
  }
  session.emit({ type: "greeting", reply })
  sendHello(session)
}

/** EHLO (or LHLO); on a refusal, HELO (RFC 5321 §3.2), except in LMTP. */
export function sendHello(session: ClientSession): void {
  session.state = "hello"
  const domain = session.options.hostname ?? "localhost"
  const verb = session.lmtp ? "LHLO" : "EHLO"
  session.send({ verb, domain }, (reply) => {
    if (isPositiveReply(reply)) {
      session.capabilities = parseEhloReply(reply)
      afterHello(session)
    } else if (!session.lmtp && reply.code >= 500 && reply.code !== 554) {
      session.send({ verb: "HELO", domain }, (helo) => {
        if (!isPositiveReply(helo)) {
          session.fail("hello", helo, `the server refused HELO: ${helo.code}`)
          return false
        }
        session.capabilities = emptyCapabilities(helo.lines[0]?.split(" ")[0] ?? "")
        afterHello(session)
        return false
      })
    } else {
      session.fail("hello", reply, `the server refused ${verb}: ${reply.code}`)
    }
    return false
  })
}

function afterHello(session: ClientSession): void {
  const policy = session.options.startTls ?? "opportunistic"
  if (
    !session.isSecure &&
    policy !== "never" &&
    hasCapability(session.capabilities, CAP_STARTTLS)
  ) {
    sendStartTls(session, policy === "required")
    return
  }
  if (!session.isSecure && policy === "required") {
    session.fail("startTls", null, "the server does not offer STARTTLS and TLS is required")
    return
  }
  afterTls(session)
}

function sendStartTls(session: ClientSession, required: boolean): void {
  session.state = "startTls"
  session.send({ verb: "STARTTLS" }, (reply) => {
    if (reply.code === 220) {
      session.state = "tlsHandshake"
      session.emit({ type: "startTls", discarded: session.replies.takeBuffered() })
    } else if (required) {
      session.fail("startTls", reply, `the server refused STARTTLS: ${reply.code}`)
    } else {
      afterTls(session)
    }
    return false
  })
}

/** TLS is settled (on, or off by policy): authenticate if asked, then be ready. */
function afterTls(session: ClientSession): void {
  if (session.options.credentials !== undefined && session.authenticated === null) {
    startAuth(session)
    return
  }
  becomeReady(session)
}

/** The adapter finished the TLS handshake: greet again (RFC 3207 §4.2). */
export function resumeAfterTls(session: ClientSession): void {
  session.isSecure = true
  session.capabilities = emptyCapabilities()
  sendHello(session)
}

export function becomeReady(session: ClientSession): void {
  session.state = "ready"
  session.emit({
    type: "ready",
    capabilities: session.capabilities,
    isSecure: session.isSecure,
    authenticated: session.authenticated,
  })
}
