/**
 * The Node floor for an SMTP server: a bare `net` server that answers every command line
 * with a fixed reply and finds the end of DATA with `indexOf`. It checks nothing, parses
 * nothing, keeps no state beyond "in DATA or not" and hands the body to nobody, so it
 * measures what the kernel's loopback and Node's socket layer cost per message on this
 * machine: the least any Node SMTP server can spend. It is not an SMTP server (no syntax,
 * no limits, no order of commands); the benchmark only runs it next to the real ones.
 */
import { createServer, type Socket } from "node:net"
import { listenOnLoopback } from "./listen.js"

const GREETING = Buffer.from("220 floor.localhost ESMTP\r\n")
const EHLO = Buffer.from("250-floor.localhost\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
const OK = Buffer.from("250 2.0.0 Ok\r\n")
const GO_AHEAD = Buffer.from("354 End data with <CR><LF>.<CR><LF>\r\n")
const BYE = Buffer.from("221 2.0.0 Bye\r\n")
const END_OF_DATA = "\r\n.\r\n"

/** The first letter of a command, lowercased: EHLO/HELO, DATA, QUIT; the rest get `250`. */
const LOWER_E = 0x65
const LOWER_H = 0x68
const LOWER_D = 0x64
const LOWER_Q = 0x71

function serve(socket: Socket): void {
  let inData = false
  let held: Buffer = Buffer.alloc(0)
  socket.on("error", () => {})
  socket.write(GREETING)
  socket.on("data", (chunk: Buffer) => {
    const input = held.length === 0 ? chunk : Buffer.concat([held, chunk])
    const replies: Buffer[] = []
    let at = 0
    while (at < input.length) {
      if (inData) {
        const end = input.indexOf(END_OF_DATA, at)
        if (end < 0) {
          // Keep the last bytes: the end marker may straddle two reads.
          at = Math.max(at, input.length - (END_OF_DATA.length - 1))
          break
        }
        inData = false
        at = end + END_OF_DATA.length
        replies.push(OK)
        continue
      }
      const lineEnd = input.indexOf(0x0a, at)
      if (lineEnd < 0) break
      const first = (input[at] ?? 0) | 0x20
      if (first === LOWER_Q) {
        socket.end(Buffer.concat([...replies, BYE]))
        return
      }
      if (first === LOWER_E || first === LOWER_H) replies.push(EHLO)
      else if (first === LOWER_D) {
        replies.push(GO_AHEAD)
        inData = true
        // The CRLF that ends the DATA line starts the end marker of an empty body.
        at = lineEnd - 1
        continue
      } else replies.push(OK)
      at = lineEnd + 1
    }
    held = input.subarray(at)
    if (replies.length === 1) socket.write(replies[0]!)
    else if (replies.length > 1) socket.write(Buffer.concat(replies))
  })
}

/** Listens on 127.0.0.1 and resolves with the port. */
export function startFloorSmtpServer(): Promise<number> {
  return listenOnLoopback(createServer(serve))
}
