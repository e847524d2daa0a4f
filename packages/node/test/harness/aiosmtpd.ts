/**
 * aiosmtpd (Python) on loopback with STARTTLS and AUTH (PLAIN, LOGIN), saving each
 * message's original bytes to a file. Run with Debian's own python3, which has the module.
 * The authenticator returns `handled=False` so a failed login gets a 535 reply (with the
 * default the client would hang).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort, startProcess, waitForPort } from "./processes.js"
import { testCertificate } from "./tls.js"

const SERVER = `
import asyncio, os, ssl, sys, signal
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

port, out_dir, cert, key, user, password, require_tls = sys.argv[1:8]
counter = 0

class Handler:
    async def handle_DATA(self, server, session, envelope):
        global counter
        counter += 1
        name = os.path.join(out_dir, "%06d" % counter)
        with open(name + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(name + ".env", "w") as f:
            f.write(envelope.mail_from + "\\n" + "\\n".join(envelope.rcpt_tos) + "\\n")
        os.rename(name + ".tmp", name + ".eml")
        return "250 OK saved"

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == user.encode() and auth_data.password == password.encode()
    return AuthResult(success=ok, handled=False)

context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
controller = Controller(Handler(), hostname="127.0.0.1", port=int(port), tls_context=context,
    require_starttls=(require_tls == "1"), authenticator=authenticator, auth_require_tls=True)
controller.start()
print("READY", flush=True)
signal.sigwait({signal.SIGTERM, signal.SIGINT})
controller.stop()
`

export interface Aiosmtpd {
  readonly port: number
  readonly certPath: string
  /** The saved messages (original bytes), oldest first. */
  messages(): Uint8Array[]
  stop(): Promise<void>
}

export async function startAiosmtpd(
  options: { user?: string; password?: string; requireTls?: boolean } = {},
): Promise<Aiosmtpd> {
  const tls = await testCertificate()
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), "mailwire-aiosmtpd-"))
  const script = join(dir, "server.py")
  writeFileSync(script, SERVER)
  const out = join(dir, "out")
  const { mkdirSync } = await import("node:fs")
  mkdirSync(out)
  const started = startProcess("/usr/bin/python3", [
    script,
    String(port),
    out,
    tls.certPath,
    tls.keyPath,
    options.user ?? "alice",
    options.password ?? "secret",
    options.requireTls === false ? "0" : "1",
  ])
  try {
    await waitForPort(port, "127.0.0.1", 20_000)
  } catch (error) {
    await started.stop()
    throw new Error(`aiosmtpd did not start: ${(error as Error).message}\n${started.output()}`)
  }
  return {
    port,
    certPath: tls.certPath,
    messages: () =>
      readdirSync(out)
        .filter((name) => name.endsWith(".eml"))
        .sort()
        .map((name) => new Uint8Array(readFileSync(join(out, name)))),
    stop: async () => {
      await started.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
