/**
 * DATA (RFC 5321 §4.1.1.4, §4.5.2): `354`, then the body through `@mailwire/wire`'s
 * `DotDecoder`, where only `<CRLF>.<CRLF>` ends it (DESIGN §4 invariant 1). Size and text
 * line length are checked as the bytes arrive; a body that breaks a limit is dropped at
 * once (`messageAborted`) and refused when its end arrives.
 *
 * Also the end of any body, DATA or BDAT: the `messageEnd` decision and its answers,
 * one reply per recipient in LMTP (RFC 2033 §4.2).
 */
import { DotDecoder } from "@mailwire/wire"
import type { SmtpReplyInput } from "../../types.js"
import { DELIVERED, START_DATA } from "../constant-replies.js"
import type { MessageEndEvent } from "../events.js"
import { MessageBody } from "../message-body.js"
import type { ServerSession } from "../session.js"

export function handleData(session: ServerSession): void {
  const transaction = session.transaction!
  if (transaction.parameters.body === "BINARYMIME") {
    session.reply({ code: 503, enhancedCode: "5.5.1", text: "BODY=BINARYMIME requires BDAT" })
    return
  }
  const { maxMessageSize, maxTextLineLength, bareLineEndings } = session.options
  transaction.body = new MessageBody(maxMessageSize, maxTextLineLength)
  session.reply(START_DATA)
  session.state = "data"
  session.dataDecoder = new DotDecoder({ bareLineEndings })
  session.emit({ type: "messageStart", transfer: "DATA", envelope: session.envelope() })
  const buffered = session.reader.takeBuffered()
  if (buffered.length > 0) feedData(session, buffered)
}

/** Feeds stuffed body bytes; at the end, hands the rest back to the command reader. */
export function feedData(session: ServerSession, chunk: Uint8Array): void {
  const decoder = session.dataDecoder!
  const body = session.transaction!.body!
  for (const event of decoder.push(chunk)) {
    if (event.type === "data") {
      if (body.add(event.bytes)) {
        session.emit({ type: "messageChunk", bytes: event.bytes })
      } else if (!body.isAborted) {
        session.abortBody(body.failure!, body.failureReply())
      }
      continue
    }
    session.dataDecoder = null
    if (body.failure !== null) {
      refuseBody(session, body.failureReply())
    } else if (event.error !== null) {
      const reply = { code: 550, enhancedCode: "5.6.2", text: "Bare <CR> or <LF> in message data" }
      session.abortBody("bare-line-ending", reply)
      refuseBody(session, reply)
    } else {
      endBody(session)
    }
    session.reader.push(event.rest)
  }
}

/** Refuses the body that was read (the transaction ends; for LMTP, once per recipient). */
export function refuseBody(session: ServerSession, reply: SmtpReplyInput): void {
  const count = session.options.lmtp ? session.transaction!.recipients.length : 1
  for (let i = 0; i < count; i++) session.reply(reply)
  session.resetTransaction(false)
}

/** The whole body is in: ask the application. */
export function endBody(session: ServerSession): void {
  const body = session.transaction!.body!
  body.isAborted = true
  const event: MessageEndEvent = {
    type: "messageEnd",
    envelope: session.envelope(),
    size: body.size,
  }
  session.pending = event
  session.emit(event)
}

/**
 * The application's answer to `messageEnd`: one reply (SMTP), or one per recipient in
 * LMTP. `null` entries mean accepted.
 */
export function answerMessage(
  session: ServerSession,
  replies: readonly (SmtpReplyInput | null)[],
): void {
  for (const reply of replies) session.reply(reply ?? DELIVERED)
  session.resetTransaction(false)
}
