/**
 * `new SmtpServerConnection(options)` with a frozen options object (and frozen
 * `extensions` and `authMechanisms`) resolves it and formats its greeting and EHLO
 * extension lines once for every connection; anything that can still change is read
 * afresh, and the replies are the same either way.
 */
import { SmtpServerConnection, type SmtpServerOptions } from "@mailwire/smtp"
import { describe, expect, it } from "vitest"
import { dec, enc, ServerApp } from "./support.js"

/** The EHLO reply of `app`'s connection, which accepts it. */
function ehloOf(app: ServerApp): string {
  app.conn.takeOutput()
  app.feed(enc("EHLO client.test\r\n"))
  return dec(app.conn.takeOutput())
}

/** The EHLO reply of a fresh connection made with `options`. */
const ehloReply = (options: SmtpServerOptions) =>
  ehloOf(new ServerApp(new SmtpServerConnection(options)))

describe("frozen server options", () => {
  it("are resolved once: connections share the greeting bytes they write", () => {
    const options = Object.freeze({ hostname: "mx.test", greeting: "hello" })
    const first = new SmtpServerConnection(options).takeOutputToWrite()
    const second = new SmtpServerConnection(options).takeOutputToWrite()
    expect(dec(first)).toBe("220 mx.test hello\r\n")
    expect(second).toBe(first)
  })

  it("still hand out a greeting the caller owns from takeOutput", () => {
    const options = Object.freeze({ hostname: "mx.test" })
    const owned = new SmtpServerConnection(options).takeOutput()
    owned.fill(0x21)
    expect(dec(new SmtpServerConnection(options).takeOutput())).toBe("220 mx.test ESMTP ready\r\n")
  })

  it("give the same replies as the same options unfrozen", () => {
    const plain = {
      hostname: "mx.test",
      lmtp: false,
      maxMessageSize: 1234,
      extensions: { chunking: false, dsn: false },
    }
    const frozen = Object.freeze({ ...plain, extensions: Object.freeze({ ...plain.extensions }) })
    expect(ehloReply(frozen)).toBe(ehloReply(plain))
    expect(ehloReply(frozen)).toContain("250-SIZE 1234\r\n")
    expect(ehloReply(frozen)).not.toContain("CHUNKING")
  })

  it("are not remembered with extensions that can still change", () => {
    const extensions = { dsn: true }
    const options = Object.freeze({ hostname: "mx.test", extensions })
    expect(ehloReply(options)).toContain("DSN")
    extensions.dsn = false
    expect(ehloReply(options)).not.toContain("DSN")
  })

  it("keep the EHLO reply of a connection under TLS apart from one without", () => {
    const options = Object.freeze({
      hostname: "mx.test",
      extensions: Object.freeze({ startTls: true }),
    })
    const app = new ServerApp(new SmtpServerConnection(options))
    const plainReply = ehloReply(options)
    expect(plainReply).toContain("250-STARTTLS\r\n")
    expect(plainReply).not.toContain("REQUIRETLS")
    app.feed(enc("EHLO client.test\r\nSTARTTLS\r\n"))
    app.handle(app.conn.resumeTls())
    const secureReply = ehloOf(app)
    expect(secureReply).not.toContain("STARTTLS")
    expect(secureReply).toContain("REQUIRETLS")
    expect(ehloReply(options)).toBe(plainReply)
  })

  it("are not remembered with AUTH mechanisms that can still change", () => {
    const authMechanisms: ("PLAIN" | "LOGIN")[] = ["PLAIN"]
    const options = Object.freeze({ hostname: "mx.test", allowInsecureAuth: true, authMechanisms })
    expect(ehloReply(options)).toContain("250-AUTH PLAIN\r\n")
    authMechanisms.push("LOGIN")
    expect(ehloReply(options)).toContain("250-AUTH PLAIN LOGIN\r\n")
  })

  it("check a SCRAM secret for every connection", () => {
    const options = Object.freeze({ scramUnknownUserSecret: new Uint8Array(4) })
    expect(() => new SmtpServerConnection(options)).toThrow(RangeError)
    expect(() => new SmtpServerConnection(options)).toThrow(RangeError)
  })
})

describe("plain server options", () => {
  it("are read again for every connection, so a change shows in the next one", () => {
    const options: { hostname: string } = { hostname: "one.test" }
    expect(dec(new SmtpServerConnection(options).takeOutput())).toBe("220 one.test ESMTP ready\r\n")
    options.hostname = "two.test"
    expect(dec(new SmtpServerConnection(options).takeOutput())).toBe("220 two.test ESMTP ready\r\n")
  })

  it("hand out a fresh greeting to each connection", () => {
    const options = { hostname: "mx.test" }
    const first = new SmtpServerConnection(options).takeOutputToWrite()
    expect(new SmtpServerConnection(options).takeOutputToWrite()).not.toBe(first)
  })
})
