/**
 * BDAT (RFC 3030 §2): `BDAT size [LAST]` and exactly `size` raw bytes. Every BDAT whose
 * line parses has its bytes read, even when it is refused, so the stream stays in step
 * with the client; the refusal is sent once the bytes are in. The size limit is checked
 * on the bytes received (DESIGN §4 invariant 4).
 */
import type { BytesItem } from "@mailwire/wire"
import type { SmtpReplyInput } from "../../types.js"
import type { BdatCommand } from "../../wire/command.js"
import { MessageBody } from "../message-body.js"
import type { ServerSession } from "../session.js"
import { endBody, refuseBody } from "./data.js"

/** The reply that refuses this BDAT before its bytes are read, or `null`. */
function checkBdat(session: ServerSession): SmtpReplyInput | null {
  if (!session.options.extensions.chunking || session.greeted === "HELO") {
    return { code: 502, enhancedCode: "5.5.1", text: "BDAT not available" }
  }
  const { state } = session
  if (state !== "rcpt" && state !== "bdat") {
    const text = state === "mail" ? "No valid recipients" : "Bad sequence of commands"
    return { code: 503, enhancedCode: "5.5.1", text }
  }
  return null
}

export function handleBdat(session: ServerSession, command: BdatCommand): void {
  const refusal = checkBdat(session)
  session.bdat = { size: command.size, last: command.last, discard: refusal }
  if (refusal === null) {
    const transaction = session.transaction!
    if (transaction.body === null) {
      transaction.body = new MessageBody(session.options.maxMessageSize, 0)
      session.state = "bdat"
      session.emit({ type: "messageStart", transfer: "BDAT", envelope: session.envelope() })
    }
  }
  if (command.size > 0) session.reader.readBytes(command.size)
  else finishChunk(session)
}

/** A piece of the chunk's bytes. */
export function handleBdatBytes(session: ServerSession, item: BytesItem): void {
  const chunk = session.bdat!
  if (chunk.discard === null) {
    const body = session.transaction!.body!
    if (body.add(item.bytes)) {
      session.emit({ type: "messageChunk", bytes: item.bytes })
    } else {
      chunk.discard = body.failureReply()
      session.abortBody(body.failure!, chunk.discard)
    }
  }
  if (item.remaining === 0) finishChunk(session)
}

function finishChunk(session: ServerSession): void {
  const chunk = session.bdat!
  session.bdat = null
  if (chunk.discard !== null) {
    const aborted = session.transaction?.body?.isAborted === true
    // LMTP answers a refused LAST chunk once per recipient (RFC 2033 §4.2), others once.
    if (aborted && chunk.last) refuseBody(session, chunk.discard)
    else session.reply(chunk.discard)
    if (aborted) session.resetTransaction(false)
    return
  }
  if (chunk.last) endBody(session)
  else session.reply({ code: 250, enhancedCode: "2.0.0", text: `${chunk.size} octets received` })
}
