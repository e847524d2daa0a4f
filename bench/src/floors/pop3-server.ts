/**
 * The Node floor for a POP3 server: a bare `net` server that answers USER and PASS with
 * `+OK`, and RETR n by reading the n-th file of a Maildir's `cur/` with `readFileSync`
 * and writing `+OK`, the file and `.` in one write. It checks no password, keeps no
 * state, dot-stuffs nothing (it refuses a file that would need it) and never leaves the
 * event loop for the file, so it measures what the kernel's loopback, the page cache and
 * Node's socket layer cost per RETR: the least any Node POP3 server can spend.
 */
import { readdirSync, readFileSync } from "node:fs"
import { createServer, type Socket } from "node:net"
import { join } from "node:path"
import { listenOnLoopback } from "./listen.js"

const OK = Buffer.from("+OK\r\n")
const BYE = Buffer.from("+OK bye\r\n")
const NO = Buffer.from("-ERR not in the floor\r\n")
const END = Buffer.from(".\r\n")

function retrieve(files: readonly string[], n: number): Buffer {
  const file = files[n - 1]
  if (file === undefined) return NO
  const content = readFileSync(file)
  if (content.includes("\n.") || content[0] === 0x2e) {
    throw new Error(`${file} would need dot-stuffing, which the floor does not do`)
  }
  const head = Buffer.from(`+OK ${content.length} octets\r\n`)
  return Buffer.concat([head, content, END])
}

function serve(socket: Socket, files: readonly string[]): void {
  let held = ""
  socket.on("error", () => {})
  socket.write(OK)
  socket.on("data", (chunk: Buffer) => {
    const input = held + chunk.toString("latin1")
    let at = 0
    for (let end = input.indexOf("\r\n", at); end >= 0; end = input.indexOf("\r\n", at)) {
      const line = input.slice(at, end)
      at = end + 2
      const verb = line.slice(0, 4).toUpperCase()
      if (verb === "RETR") socket.write(retrieve(files, Number(line.slice(5))))
      else if (verb === "QUIT") {
        socket.end(BYE)
        return
      } else socket.write(verb === "USER" || verb === "PASS" || verb === "NOOP" ? OK : NO)
    }
    held = input.slice(at)
  })
}

/** Serves `<maildir>/cur/*` in name order on 127.0.0.1 and resolves with the port. */
export function startFloorPop3Server(maildir: string): Promise<number> {
  const cur = join(maildir, "cur")
  const files = readdirSync(cur)
    .sort()
    .map((name) => join(cur, name))
  return listenOnLoopback(createServer((socket) => serve(socket, files)))
}
