/**
 * What every new connection of one server starts with: the machine options are prepared
 * once per server (frozen, so the greeting and the EHLO extension lines are made once),
 * and each connection must still get the same, complete greeting and EHLO reply, and its
 * own log lines and hooks.
 */
import { describe, expect, it } from "vitest"
import { rawConnection } from "./harness/capture.js"
import { smtpServerStarter } from "./harness/smtp-servers.js"

const start = smtpServerStarter()

/** Connects, says EHLO and QUIT; resolves with everything the server sent. */
async function greetAndQuit(port: number): Promise<string> {
  const conn = await rawConnection(port)
  await conn.until(/^220 /m)
  conn.send("EHLO client.test\r\n")
  await conn.until(/^250 /m)
  conn.send("QUIT\r\n")
  await conn.closed
  return conn.received
}

describe("SMTP server connections", () => {
  it("gives every connection the same greeting and EHLO reply", async () => {
    const { port } = await start({ hostname: "mx.test", size: 2048 })
    const first = await greetAndQuit(port)
    expect(first).toMatch(/^220 mx\.test ESMTP ready\r\n250-mx\.test greets client\.test\r\n/)
    expect(first).toContain("250-SIZE 2048\r\n")
    expect(first).toMatch(/221 2\.0\.0 Bye\r\n$/)
    for (let i = 0; i < 3; i++) expect(await greetAndQuit(port)).toBe(first)
  })

  it("still logs the connect line and calls onConnect for each connection", async () => {
    const connects: number[] = []
    const sessions: string[] = []
    const { port } = await start({
      onLog: (entry) => {
        if (entry.type === "connect") connects.push(entry.remotePort)
      },
      onConnect: (session) => {
        sessions.push(session.id)
      },
    })
    await greetAndQuit(port)
    await greetAndQuit(port)
    expect(connects).toHaveLength(2)
    expect(new Set(sessions).size).toBe(2)
  })

  it("refuses a connection when onConnect says so, with its reply", async () => {
    const { port } = await start({
      onConnect: () => ({ code: 554, enhancedCode: "5.7.1", text: "No thanks" }),
    })
    const conn = await rawConnection(port)
    await conn.closed
    expect(conn.received).toBe("554 5.7.1 No thanks\r\n")
  })
})
