import { createPop3Server, Pop3Client } from "@mailwire/node/pop3"
import { createSmtpServer, createTransport, SmtpClient, SmtpReplyError } from "@mailwire/node/smtp"
import { InMemoryMaildropStore } from "@mailwire/pop3"
import { describe, expect, it } from "vitest"

describe("options are validated at construction", () => {
  it("names a wrong-typed SMTP server option", () => {
    expect(() => createSmtpServer({ size: "big" as unknown as number })).toThrow(
      /createSmtpServer: option "size"/,
    )
  })

  it("names a nested TLS field", () => {
    expect(() => createSmtpServer({ tls: { key: 42 } as never })).toThrow(/option "tls\.key"/)
  })

  it("refuses implicit TLS without a certificate, naming tls", () => {
    expect(() => createSmtpServer({ secure: true })).toThrow(/option "tls": secure: true needs tls/)
  })

  it("refuses unknown options instead of ignoring a typo", () => {
    expect(() => createSmtpServer({ hostnme: "x" } as never)).toThrow(/hostnme/)
    expect(() => createTransport({ prot: 25 } as never)).toThrow(/createTransport: .*prot/)
  })

  it("refuses a hook that is not a function", () => {
    expect(() => createSmtpServer({ onData: "store" as never })).toThrow(
      /option "onData": must be a function/,
    )
  })

  it("checks client ports and policies", () => {
    expect(() => new SmtpClient({ port: 70000 })).toThrow(/SmtpClient: option "port"/)
    expect(() => createTransport({ startTls: "sometimes" as never })).toThrow(/option "startTls"/)
    expect(() => new Pop3Client({ commandTimeout: -1 })).toThrow(
      /Pop3Client: option "commandTimeout"/,
    )
  })

  it("needs a POP3 backend and onAuth", () => {
    expect(() => createPop3Server({} as never)).toThrow(/option "backend"/)
    expect(() => createPop3Server({ backend: new InMemoryMaildropStore() } as never)).toThrow(
      /option "onAuth"/,
    )
  })

  it("accepts a complete, valid configuration", () => {
    expect(() =>
      createSmtpServer({ hostname: "mx.test", size: 1000, maxConnections: 5, idleTimeout: 0 }),
    ).not.toThrow()
    expect(() => createTransport({ host: "smtp.test", port: 587, pool: true })).not.toThrow()
  })
})

describe("SmtpReplyError", () => {
  it("carries the codes and whether the failure is temporary", () => {
    const error = new SmtpReplyError(452, "Mailbox full", {
      enhancedCode: "4.2.2",
      command: "RCPT",
    })
    expect(error).toMatchObject({
      code: 452,
      enhancedCode: "4.2.2",
      temporary: true,
      command: "RCPT",
    })
    expect(error.message).toBe("452 4.2.2 Mailbox full")
  })

  it("refuses a code that is not a failure", () => {
    expect(() => new SmtpReplyError(250, "OK")).toThrow(RangeError)
  })
})
