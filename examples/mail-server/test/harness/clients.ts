/**
 * Real mail clients against the server under test: swaks and curl submit, Python's
 * poplib and fetchmail read. Each runs with a timeout and returns what it printed or
 * fetched; none is mocked.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { run } from "../../../../packages/node/test/harness/processes.js"

function tempFile(name: string, content: string | Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), "mailwire-client-"))
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

/** swaks through submission: STARTTLS (certificate checked), AUTH PLAIN, the message from a file. */
export async function swaksSubmit(options: {
  port: number
  certPath: string
  user: string
  password: string
  from: string
  to: readonly string[]
  message: Uint8Array
}) {
  // swaks sends CRLF . CRLF after the file's content, so the file holds the message
  // without its final CRLF, and the server receives exactly `message`.
  const text = new TextDecoder().decode(options.message)
  if (!text.endsWith("\r\n")) throw new Error("a swaks test message must end with CRLF")
  const data = tempFile("message.eml", text.slice(0, -2))
  return run(
    "/usr/bin/swaks",
    [
      "--server",
      `127.0.0.1:${options.port}`,
      "--tls",
      "--tls-verify",
      "--tls-ca-path",
      options.certPath,
      "--auth",
      "PLAIN",
      "--auth-user",
      options.user,
      "--auth-password",
      options.password,
      "--from",
      options.from,
      "--to",
      options.to.join(","),
      "--data",
      `@${data}`,
    ],
    { timeoutMs: 20_000 },
  )
}

/** curl through submission with `--ssl-reqd`, certificate checked against `localhost`. */
export async function curlSubmit(options: {
  port: number
  certPath: string
  user: string
  password: string
  from: string
  to: readonly string[]
  message: Uint8Array
}) {
  const data = tempFile("message.eml", options.message)
  const rcpts = options.to.flatMap((to) => ["--mail-rcpt", to])
  return run(
    "/usr/bin/curl",
    [
      "-sS",
      "--ssl-reqd",
      "--cacert",
      options.certPath,
      "--user",
      `${options.user}:${options.password}`,
      "--mail-from",
      options.from,
      ...rcpts,
      "-T",
      data,
      `smtp://localhost:${options.port}/client.test`,
    ],
    { timeoutMs: 20_000 },
  )
}

const POPLIB = `
import base64, json, poplib, ssl, sys
port, cafile, user, password, mode = sys.argv[1:6]
context = ssl.create_default_context(cafile=cafile)
if mode == "pop3s":
    client = poplib.POP3_SSL("127.0.0.1", int(port), context=context, timeout=15)
else:
    client = poplib.POP3("127.0.0.1", int(port), timeout=15)
    client.stls(context)
client.user(user)
client.pass_(password)
count, _ = client.stat()
out = []
for i in range(1, count + 1):
    _, lines, _ = client.retr(i)
    out.append(base64.b64encode(b"\\r\\n".join(lines) + b"\\r\\n").decode())
client.quit()
print(json.dumps(out))
`

/** Every message in the maildrop, read with Python's poplib over STLS or POP3S. */
export async function poplibRead(options: {
  port: number
  certPath: string
  user: string
  password: string
  mode: "stls" | "pop3s"
}): Promise<Uint8Array[]> {
  const script = tempFile("read.py", POPLIB)
  const result = await run(
    "/usr/bin/python3",
    [script, String(options.port), options.certPath, options.user, options.password, options.mode],
    { timeoutMs: 20_000 },
  )
  if (result.code !== 0) throw new Error(`poplib failed: ${result.stderr}`)
  return (JSON.parse(result.stdout) as string[]).map(
    (b64) => new Uint8Array(Buffer.from(b64, "base64")),
  )
}

/**
 * Every message fetched by fetchmail over STLS (which it uses whenever offered), kept on
 * the server, handed to an MDA that appends to a file. Returns that file's text.
 */
export async function fetchmailRead(options: {
  port: number
  certPath: string
  user: string
  password: string
}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "mailwire-fetchmail-"))
  const out = join(dir, "out.mbox")
  const rc = join(dir, "fetchmailrc")
  writeFileSync(
    rc,
    [
      "set no bouncemail",
      `poll 127.0.0.1 with proto POP3 port ${options.port}`,
      `  user "${options.user}" there with password "${options.password}" is "root" here`,
      `  sslcertck sslcommonname "localhost" sslcertfile "${options.certPath}"`,
      "  keep",
      `  mda "/bin/sh -c 'cat >> ${out}'"`,
      "",
    ].join("\n"),
    { mode: 0o600 },
  )
  const result = await run("/usr/bin/fetchmail", ["-f", rc, "--nodetach"], {
    timeoutMs: 30_000,
    env: { ...process.env, HOME: dir, FETCHMAILHOME: dir },
  })
  if (result.code !== 0) {
    throw new Error(`fetchmail exited ${result.code}: ${result.stdout}\n${result.stderr}`)
  }
  return readFileSync(out, "latin1")
}
