/**
 * RSET, NOOP, QUIT, VRFY, EXPN and HELP (RFC 5321 §4.1.1.5–§4.1.1.10), which the machine
 * answers itself. VRFY gets `252` and EXPN `502`, as RFC 5321 §3.5.3 and §7.3 allow: a
 * server need not reveal its users to spammers.
 */
import type { SmtpCommand } from "../../wire/command.js"
import { BYE, OK } from "../constant-replies.js"
import type { ServerSession } from "../session.js"

export function handleSessionControl(session: ServerSession, command: SmtpCommand): void {
  switch (command.verb) {
    case "RSET":
      session.resetTransaction(true)
      session.reply(OK)
      return
    case "NOOP":
      session.reply(OK)
      return
    case "QUIT":
      session.close("quit", BYE)
      return
    case "VRFY":
      session.reply({
        code: 252,
        enhancedCode: "2.5.0",
        text: "Cannot VRFY user, but will accept message and attempt delivery",
      })
      return
    case "EXPN":
      session.reply({ code: 502, enhancedCode: "5.5.1", text: "EXPN not available" })
      return
    default:
      session.reply({ code: 214, enhancedCode: "2.0.0", text: "See RFC 5321" })
  }
}
