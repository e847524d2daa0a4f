/**
 * Raw-socket attacks on our SMTP server (DESIGN §4 invariants 1 and 2): SMTP smuggling
 * (CVE-2023-51766 class) must never turn one DATA into two messages, and commands
 * pipelined behind STARTTLS in plaintext (CVE-2011-0411 class) are never executed.
 */
import { connect as tlsConnect } from "node:tls"
import type { SmtpServerOptions } from "@mailwire/node/smtp"
import { describe, expect, it } from "vitest"
import { type Captured, captureInto, rawConnection } from "./harness/capture.js"
import { smtpServerStarter } from "./harness/smtp-servers.js"
import { testCertificate } from "./harness/tls.js"

const startServer = smtpServerStarter()
const start = async (options: SmtpServerOptions = {}) => (await startServer(options)).port

const SMUGGLED_ENDS = ["\n.\n", "\n.\r\n", "\r.\r", "\r\n.\n", "\n.\r", "\r.\r\n", "\r\n.\r"]

describe("SMTP smuggling against our server", () => {
  for (const end of SMUGGLED_ENDS) {
    it(`keeps ${JSON.stringify(end)} inside one message`, async () => {
      const got: Captured[] = []
      const port = await start({ onData: captureInto(got) })
      const conn = await rawConnection(port)
      await conn.until(/^220 /m)
      conn.send("EHLO attacker.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA\r\n")
      await conn.until(/^354 /m)
      conn.send(
        `Subject: first\r\n\r\nhello${end}MAIL FROM:<admin@x.test>\r\nRCPT TO:<victim@x.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nevil\r\n.\r\n`,
      )
      await conn.until(/^(250|550) [^\r]*\r\n(?![\s\S]*^354)/m)
      conn.send("QUIT\r\n")
      await conn.closed
      expect(got.length).toBeLessThanOrEqual(1)
      for (const message of got) {
        expect(message.to).toEqual(["b@x.test"])
      }
      expect(conn.received.match(/^354 /gm)).toHaveLength(1)
    })
  }
})

describe("STARTTLS command injection against our server", () => {
  it("never executes commands pipelined behind STARTTLS in plaintext", async () => {
    const tls = await testCertificate()
    const mails: string[] = []
    const port = await start({
      tls: { key: tls.key, cert: tls.cert },
      onMailFrom: (address) => void mails.push(address),
    })
    const conn = await rawConnection(port)
    await conn.until(/^220 /m)
    conn.send("EHLO attacker.test\r\n")
    await conn.until(/^250 /m)
    conn.send("STARTTLS\r\nMAIL FROM:<injected@x.test>\r\nRSET\r\n")
    await conn.until(/^220 2\.0\.0 /m)
    const secure = tlsConnect({ socket: conn.socket, servername: "localhost", ca: tls.cert })
    secure.on("error", () => {})
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", () => resolve())
      secure.once("error", reject)
    })
    let text = ""
    secure.on("data", (chunk: Buffer) => {
      text += chunk.toString()
    })
    secure.write("EHLO attacker.test\r\nMAIL FROM:<real@x.test>\r\nQUIT\r\n")
    await new Promise((resolve) => secure.once("close", resolve))
    expect(mails).toEqual(["real@x.test"])
    expect(text).toMatch(/^250[ -]/m)
    expect(text).toMatch(/^221 /m)
    expect(text).not.toMatch(/injected/)
  })
})
