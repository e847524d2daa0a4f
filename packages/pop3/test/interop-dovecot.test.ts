/**
 * Pop3ClientConnection against a real Dovecot POP3 server on loopback, started from a
 * private configuration in a temporary folder. Skipped, with a warning, when Dovecot is
 * not installed or the tests do not run as root (Dovecot's master needs it).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { connect, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Pop3ClientConnection, type Pop3ClientEvent } from "@mailwire/pop3"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { show } from "./link.js"

function hasDovecot(): boolean {
  try {
    execFileSync("dovecot", ["--version"], { stdio: "ignore" })
    return process.getuid?.() === 0
  } catch {
    return false
  }
}

const available = hasDovecot()
if (!available) {
  const message = "POP3 interop with Dovecot skipped (not installed, or not root)"
  // .ci/run installs the peers and sets this, so a missing peer fails CI instead of skipping.
  if (process.env.MAILWIRE_REQUIRE_PEERS === "1") throw new Error(`${message}; peers are required`)
  console.warn(message)
}

const MESSAGES = [
  "Subject: first\r\n\r\n.one dot\r\n..two dots\r\n.\r\nend\r\n",
  "Subject: second\r\nX-Long: header\r\n\r\nline 1\r\nline 2\r\nline 3\r\n",
]
const NOBODY = 65534

/** A tiny client adapter: a socket, the machine, and a way to wait for a reply. */
class Session {
  readonly conn = new Pop3ClientConnection({ allowPlaintext: true })
  readonly events: Pop3ClientEvent[] = []
  private socket: Socket | null = null
  private wake: () => void = () => {}

  async open(port: number): Promise<void> {
    const socket = connect(port, "127.0.0.1")
    this.socket = socket
    socket.on("data", (chunk) => {
      for (const event of this.conn.receive(new Uint8Array(chunk))) {
        this.events.push(
          event.type === "MessageData" ? { ...event, bytes: event.bytes.slice() } : event,
        )
      }
      this.flush()
      this.wake()
    })
    socket.on("end", () => {
      this.events.push(...this.conn.receiveEnd())
      this.wake()
    })
    await this.until(() => this.events.some((e) => e.type === "Greeting"))
  }

  flush(): void {
    const out = this.conn.takeOutput()
    if (out.length > 0) this.socket?.write(out)
  }

  async until(done: () => boolean): Promise<void> {
    const deadline = Date.now() + 10_000
    while (!done()) {
      if (Date.now() > deadline) throw new Error("no reply from Dovecot")
      await new Promise<void>((resolve) => {
        this.wake = resolve
        setTimeout(resolve, 100)
      })
    }
  }

  async reply(id: number): Promise<Pop3ClientEvent> {
    const find = () => this.events.find((e) => (e.type === "Ok" || e.type === "Err") && e.id === id)
    await this.until(() => find() !== undefined)
    return find()!
  }

  async run(command: Parameters<Pop3ClientConnection["send"]>[0]): Promise<Pop3ClientEvent> {
    const id = this.conn.send(command)
    this.flush()
    return this.reply(id)
  }

  body(id: number): string {
    return this.events
      .map((e) => (e.type === "MessageData" && e.id === id ? show(e.bytes) : ""))
      .join("")
  }

  close(): void {
    this.socket?.destroy()
  }
}

describe.skipIf(!available)("Pop3ClientConnection against Dovecot", () => {
  let dir = ""
  let dovecot: ChildProcess | null = null
  const port = 41000 + Math.floor(Math.random() * 2000)

  function deliver(): void {
    const maildir = join(dir, "mail", "alice", "Maildir")
    for (const sub of ["new", "cur", "tmp"]) mkdirSync(join(maildir, sub), { recursive: true })
    for (const [i, message] of MESSAGES.entries()) {
      writeFileSync(join(maildir, "new", `${1000 + i}.m${i}`), message)
    }
    for (const path of [join(dir, "mail"), join(dir, "mail", "alice"), maildir])
      chownSync(path, NOBODY, NOBODY)
    for (const sub of ["new", "cur", "tmp"]) {
      chownSync(join(maildir, sub), NOBODY, NOBODY)
      for (const file of readdirSync(join(maildir, sub)))
        chownSync(join(maildir, sub, file), NOBODY, NOBODY)
    }
  }

  function stored(): number {
    const maildir = join(dir, "mail", "alice", "Maildir")
    return readdirSync(join(maildir, "new")).length + readdirSync(join(maildir, "cur")).length
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mailwire-dovecot-"))
    execFileSync("chmod", ["755", dir])
    for (const sub of ["run", "state"]) mkdirSync(join(dir, sub))
    writeFileSync(join(dir, "users"), "alice:{PLAIN}wonderland::::::\n")
    deliver()
    writeFileSync(
      join(dir, "dovecot.conf"),
      [
        `base_dir = ${dir}/run`,
        `state_dir = ${dir}/state`,
        "instance_name = mailwire-pop3-interop",
        `log_path = ${dir}/log`,
        "listen = 127.0.0.1",
        "protocols = pop3",
        "ssl = no",
        "disable_plaintext_auth = no",
        "auth_mechanisms = plain login",
        "mail_location = maildir:~/Maildir",
        "passdb {",
        "  driver = passwd-file",
        `  args = ${dir}/users`,
        "}",
        "userdb {",
        "  driver = static",
        `  args = uid=${NOBODY} gid=${NOBODY} home=${dir}/mail/%n`,
        "}",
        "service pop3-login {",
        "  inet_listener pop3 {",
        `    port = ${port}`,
        "  }",
        "}",
        "",
      ].join("\n"),
    )
    dovecot = spawn("dovecot", ["-F", "-c", join(dir, "dovecot.conf")], { stdio: "ignore" })
    const deadline = Date.now() + 10_000
    for (;;) {
      const up = await new Promise<boolean>((resolve) => {
        const probe = connect(port, "127.0.0.1")
        probe.on("connect", () => {
          probe.destroy()
          resolve(true)
        })
        probe.on("error", () => resolve(false))
      })
      if (up) break
      if (Date.now() > deadline) throw new Error("Dovecot did not start")
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }, 20_000)

  afterAll(async () => {
    if (dovecot !== null) {
      const exited = new Promise((resolve) => dovecot!.once("exit", resolve))
      dovecot.kill("SIGTERM")
      await exited
    }
    rmSync(dir, { recursive: true, force: true })
  }, 20_000)

  it("reads capabilities, logs in with the best method, and reads messages byte-identical", async () => {
    const s = new Session()
    await s.open(port)
    expect(await s.run({ command: "CAPA" })).toMatchObject({ type: "Ok", data: { kind: "capa" } })
    expect(s.conn.capabilities).toMatchObject({
      top: true,
      uidl: true,
      pipelining: true,
      respCodes: true,
    })
    const login = s.conn.login({ username: "alice", password: "wonderland" })
    s.flush()
    expect(await s.reply(login)).toMatchObject({ type: "Ok", command: "AUTH" })
    const ids = [
      s.conn.send({ command: "STAT" }),
      s.conn.send({ command: "LIST" }),
      s.conn.send({ command: "UIDL" }),
      s.conn.send({ command: "RETR", message: 1 }),
      s.conn.send({ command: "TOP", message: 2, lines: 1 }),
      s.conn.send({ command: "LIST", message: 2 }),
    ]
    s.flush()
    const [stat, list, uidl, retr, top, list2] = await Promise.all(ids.map((id) => s.reply(id)))
    const size = MESSAGES[0]!.length + MESSAGES[1]!.length
    expect(stat).toMatchObject({ data: { kind: "stat", count: 2, size } })
    expect(list).toMatchObject({ data: { kind: "list", entries: [{ number: 1 }, { number: 2 }] } })
    expect(uidl).toMatchObject({ data: { kind: "uidl" } })
    expect(retr).toMatchObject({ type: "Ok", data: { size: MESSAGES[0]!.length } })
    expect(s.body(ids[3]!)).toBe(MESSAGES[0])
    expect(top).toMatchObject({ type: "Ok" })
    expect(s.body(ids[4]!)).toBe("Subject: second\r\nX-Long: header\r\n\r\nline 1\r\n")
    expect(list2).toMatchObject({ data: { entries: [{ number: 2, size: MESSAGES[1]!.length }] } })
    expect(await s.run({ command: "QUIT" })).toMatchObject({ type: "Ok" })
    s.close()
    expect(stored()).toBe(2)
  })

  it("gets -ERR [AUTH] for a wrong password", async () => {
    const s = new Session()
    await s.open(port)
    await s.run({ command: "CAPA" })
    const login = s.conn.login({ username: "alice", password: "wrong" })
    s.flush()
    expect(await s.reply(login)).toMatchObject({ type: "Err", code: "AUTH" })
    s.close()
  })

  it("deletes on QUIT and not when the connection drops", async () => {
    const dropped = new Session()
    await dropped.open(port)
    await dropped.run({ command: "USER", username: "alice" })
    await dropped.run({ command: "PASS", password: "wonderland" })
    expect(await dropped.run({ command: "DELE", message: 1 })).toMatchObject({ type: "Ok" })
    dropped.close()
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(stored()).toBe(2)

    const quit = new Session()
    await quit.open(port)
    await quit.run({ command: "USER", username: "alice" })
    await quit.run({ command: "PASS", password: "wonderland" })
    expect(await quit.run({ command: "DELE", message: 1 })).toMatchObject({ type: "Ok" })
    expect(await quit.run({ command: "QUIT" })).toMatchObject({ type: "Ok" })
    quit.close()
    expect(stored()).toBe(1)
  })
})
