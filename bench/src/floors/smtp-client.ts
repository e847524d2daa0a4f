/**
 * The Node floor for an SMTP client: bare `net` connections that send one message per
 * round trip, the most RFC 2920 allows (the message content, its end and the next
 * MAIL, RCPT and DATA in one write: "the actual transfer of message content is explicitly
 * allowed to be the first 'command' in a group", §3.1), with constant bytes prepared once
 * and replies only counted and checked for a 2xx/3xx code. It builds nothing, validates
 * nothing and keeps no queue, so it measures what the kernel's loopback and Node's socket
 * layer cost per message sent: the least any Node client can spend on this wire.
 */
import { connect, type Socket } from "node:net"

/** A connection that cannot get a reply this long is broken. */
const REPLY_TIMEOUT_MS = 30_000

const encode = (text: string) => Buffer.from(text, "latin1")

/** Sends `messages` copies of `raw` over `connections` connections to 127.0.0.1:`port`. */
export async function floorSend(
  port: number,
  messages: number,
  connections: number,
  raw: Uint8Array,
  envelope: { readonly from: string; readonly to: string },
): Promise<void> {
  const text = Buffer.from(raw)
  if (text.includes("\n.") || text[0] === 0x2e) {
    throw new Error(
      "the floor client sends no dot-stuffing: the message must have no line starting with '.'",
    )
  }
  const transaction = encode(`MAIL FROM:<${envelope.from}>\r\nRCPT TO:<${envelope.to}>\r\nDATA\r\n`)
  const ending =
    text.subarray(text.length - 2).toString("latin1") === "\r\n" ? ".\r\n" : "\r\n.\r\n"
  const content = Buffer.concat([text, encode(ending)])
  const contentThenNext = Buffer.concat([content, transaction])
  const contentThenQuit = Buffer.concat([content, encode("QUIT\r\n")])
  let claimed = 0
  const claim = () => {
    if (claimed >= messages) return false
    claimed++
    return true
  }
  await Promise.all(
    Array.from({ length: Math.min(connections, messages) }, () =>
      session(port, claim, transaction, contentThenNext, contentThenQuit),
    ),
  )
}

function session(
  port: number,
  claim: () => boolean,
  transaction: Buffer,
  contentThenNext: Buffer,
  contentThenQuit: Buffer,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: "127.0.0.1", port, noDelay: true })
    socket.setTimeout(REPLY_TIMEOUT_MS, () => fail(new Error("no reply in time")))
    /** Final reply lines still to come before the next write. */
    let awaited = 1
    /** 0: greeting, 1: EHLO, 2: a transaction's MAIL/RCPT/DATA, 3: closing. */
    let phase = 0
    let held = ""
    const fail = (error: Error) => {
      socket.destroy()
      reject(error)
    }
    socket.on("error", fail)
    socket.on("close", () => (phase === 3 ? resolve() : fail(new Error("closed early"))))
    socket.on("data", (chunk: Buffer) => {
      const input = held + chunk.toString("latin1")
      let at = 0
      for (let end = input.indexOf("\n", at); end >= 0; end = input.indexOf("\n", at)) {
        const code = input.charCodeAt(at)
        if (code !== 0x32 && code !== 0x33)
          return fail(new Error(`refused: ${input.slice(at, end)}`))
        if (input.charCodeAt(at + 3) !== 0x2d) awaited--
        at = end + 1
      }
      held = input.slice(at)
      if (awaited > 0) return
      if (phase === 0) {
        socket.write("EHLO floor.localhost\r\n")
        phase = 1
        awaited = 1
      } else if (phase === 1) {
        if (!claim()) {
          socket.write("QUIT\r\n")
          phase = 3
          awaited = 1
          return
        }
        socket.write(transaction)
        phase = 2
        awaited = 3
      } else if (phase === 2) {
        // The message's 250, then the next MAIL, RCPT and DATA (or QUIT's 221).
        const next = claim()
        socket.write(next ? contentThenNext : contentThenQuit)
        phase = next ? 2 : 3
        awaited = next ? 4 : 2
      }
    })
  })
}
