/**
 * Real POP3 clients against our server over loopback: Python's poplib and curl. Each
 * suite is skipped, and says so, when its program is not installed.
 */
import { execFile, execFileSync } from "node:child_process"
import { createServer, type Server } from "node:net"
import { promisify } from "node:util"
import {
  InMemoryMaildropStore,
  MaildropResponder,
  Pop3ServerConnection,
  type Pop3ServerOptions,
} from "@mailwire/pop3"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { verify } from "./link.js"

const run = promisify(execFile)

function installed(program: string, args: string[]): boolean {
  try {
    execFileSync(program, args, { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

const hasPython = installed("python3", ["-c", "import poplib"])
const hasCurl = installed("curl", ["--version"])
const skipped = [hasPython ? null : "python3 poplib", hasCurl ? null : "curl"].filter(Boolean)
if (skipped.length > 0) {
  const message = `POP3 interop skipped (not installed): ${skipped.join(", ")}`
  // .ci/run installs the peers and sets this, so a missing peer fails CI instead of skipping.
  if (process.env.MAILWIRE_REQUIRE_PEERS === "1") throw new Error(`${message}; peers are required`)
  console.warn(message)
}

const MESSAGE = "Subject: interop\r\n\r\n.starts with a dot\r\n..two dots\r\nlast line\r\n"

/** A minimal adapter: one machine per socket, events answered from an in-memory store. */
async function listen(
  options: Pop3ServerOptions,
): Promise<{ port: number; store: InMemoryMaildropStore; server: Server }> {
  const store = new InMemoryMaildropStore()
  const server = createServer((socket) => {
    const conn = new Pop3ServerConnection(options)
    const responder = new MaildropResponder(conn, { store, verify })
    let queue = Promise.resolve()
    const flush = () => {
      const out = conn.takeOutput()
      if (out.length > 0) socket.write(out)
      if (conn.state === "CLOSED") socket.end()
    }
    flush()
    socket.on("data", (chunk) => {
      queue = queue.then(async () => {
        await responder.handle(conn.receive(new Uint8Array(chunk)))
        flush()
      })
    })
    socket.on("end", () => {
      queue = queue.then(async () => {
        await responder.handle(conn.receiveEnd())
      })
    })
    socket.on("error", () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("no port")
  return { port: address.port, store, server }
}

const POPLIB_SCRIPT = `
import json, poplib, sys
port, login = int(sys.argv[1]), sys.argv[2]
p = poplib.POP3("127.0.0.1", port, timeout=10)
out = {"welcome": p.getwelcome().decode(), "capa": sorted(p.capa().keys())}
if login == "apop":
    p.apop("alice", "wonderland")
else:
    p.user("alice")
    p.pass_("wonderland")
out["stat"] = list(p.stat())
out["retr"] = [line.decode() for line in p.retr(1)[1]]
out["top"] = [line.decode() for line in p.top(1, 1)[1]]
out["uidl"] = [line.decode() for line in p.uidl()[1]]
p.dele(1)
out["quit"] = p.quit().decode()
print(json.dumps(out))
`

describe.skipIf(!hasPython)("Python poplib against Pop3ServerConnection", () => {
  let ctx: Awaited<ReturnType<typeof listen>>
  beforeAll(async () => {
    ctx = await listen({ apop: true, allowPlaintextAuth: true, implementation: "mailwire" })
  })
  afterAll(() => ctx.server.close())

  for (const login of ["apop", "user"]) {
    it(`logs in with ${login.toUpperCase()}, reads, deletes on QUIT`, async () => {
      ctx.store.deliver("alice", MESSAGE, `uid-${login}`)
      const { stdout } = await run("python3", ["-c", POPLIB_SCRIPT, String(ctx.port), login])
      const out = JSON.parse(stdout)
      expect(out.welcome).toMatch(/^\+OK POP3 server ready <[0-9a-f]+@localhost>$/)
      expect(out.capa).toEqual(
        expect.arrayContaining(["PIPELINING", "TOP", "UIDL", "USER", "RESP-CODES"]),
      )
      expect(out.stat).toEqual([1, MESSAGE.length])
      expect(out.retr).toEqual([
        "Subject: interop",
        "",
        ".starts with a dot",
        "..two dots",
        "last line",
      ])
      expect(out.top).toEqual(["Subject: interop", "", ".starts with a dot"])
      expect(out.uidl).toEqual([`1 uid-${login}`])
      expect(out.quit).toMatch(/^\+OK/)
      expect(ctx.store.uids("alice")).toEqual([])
      expect(ctx.store.isLocked("alice")).toBe(false)
    })
  }
})

describe.skipIf(!hasCurl)("curl against Pop3ServerConnection", () => {
  let ctx: Awaited<ReturnType<typeof listen>>
  beforeAll(async () => {
    ctx = await listen({ allowPlaintextAuth: true })
    ctx.store.deliver("alice", MESSAGE, "curl-1")
  })
  afterAll(() => ctx.server.close())

  const url = () => `pop3://127.0.0.1:${ctx.port}`

  it("retrieves a message with AUTH PLAIN, unstuffed", async () => {
    const { stdout } = await run("curl", ["-s", "--user", "alice:wonderland", `${url()}/1`])
    expect(stdout).toBe(MESSAGE)
  })

  it("lists messages and unique-ids", async () => {
    const list = await run("curl", ["-s", "--user", "alice:wonderland", `${url()}/`])
    expect(list.stdout).toBe(`1 ${MESSAGE.length}\r\n`)
    const uidl = await run("curl", ["-s", "--user", "alice:wonderland", "-X", "UIDL", `${url()}/`])
    expect(uidl.stdout).toBe("1 curl-1\r\n")
  })

  it("fails with a wrong password and deletes nothing", async () => {
    await expect(run("curl", ["-s", "--user", "alice:nope", `${url()}/1`])).rejects.toThrow()
    expect(ctx.store.uids("alice")).toEqual(["curl-1"])
  })
})
