/**
 * Where outbound mail goes: MX records by preference, the implicit MX, null MX, DNS
 * failures (RFC 5321 §5.1, RFC 7505) — with a scripted resolver — and one real delivery
 * attempt to Postfix's smtp-sink through an MX list whose first host is down.
 */
import type { MxRecord } from "node:dns"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { peersAvailable } from "../../../packages/node/test/harness/peers.js"
import { attemptDelivery, mxRoute } from "../src/outbound.js"
import type { QueueEntry } from "../src/queue.js"
import { uniquePort } from "./harness/mail-server.js"
import { type SinkRelay, startSinkRelay } from "./harness/relay.js"

function dnsError(code: string): Error {
  return Object.assign(new Error(`query failed: ${code}`), { code })
}

const resolverFor =
  (answer: MxRecord[] | Error) =>
  async (_domain: string): Promise<MxRecord[]> => {
    if (answer instanceof Error) throw answer
    return answer
  }

describe("MX routes", () => {
  it("tries the exchangers in order of preference, without the trailing dot", async () => {
    const route = await mxRoute(
      "example.org",
      25,
      resolverFor([
        { exchange: "mx2.example.org.", priority: 20 },
        { exchange: "mx1.example.org", priority: 10 },
      ]),
    )
    expect(route).toEqual({
      kind: "hosts",
      hosts: [
        { host: "mx1.example.org", port: 25 },
        { host: "mx2.example.org", port: 25 },
      ],
    })
  })

  it.each([
    ["no MX records (implicit MX)", resolverFor(dnsError("ENODATA")), "hosts"],
    ["an empty answer", resolverFor([]), "hosts"],
    ["a domain that does not exist", resolverFor(dnsError("ENOTFOUND")), "failed"],
    ["a null MX (RFC 7505)", resolverFor([{ exchange: "", priority: 0 }]), "failed"],
    ["a DNS server failure", resolverFor(dnsError("ESERVFAIL")), "deferred"],
    ["a DNS timeout", resolverFor(dnsError("ETIMEOUT")), "deferred"],
  ])("handles %s", async (_name, resolver, kind) => {
    const route = await mxRoute("example.org", 25, resolver)
    expect(route.kind).toBe(kind)
    if (route.kind === "hosts") expect(route.hosts).toEqual([{ host: "example.org", port: 25 }])
  })

  it("says which status a failure gets", async () => {
    expect(await mxRoute("x.test", 25, resolverFor(dnsError("ENOTFOUND")))).toMatchObject({
      status: "5.1.2",
    })
    expect(
      await mxRoute("x.test", 25, resolverFor([{ exchange: ".", priority: 0 }])),
    ).toMatchObject({ status: "5.1.10" })
  })
})

const hasSink = peersAvailable("mail-server MX delivery", "smtpSink")

describe.runIf(hasSink)("delivery by MX lookup", () => {
  let sink: SinkRelay
  let messagePath: string
  const message = "From: alice@example.test\r\nTo: x@remote.test\r\nSubject: by-mx\r\n\r\nHi\r\n"

  beforeAll(async () => {
    sink = await startSinkRelay(await uniquePort())
    const dir = mkdtempSync(join(tmpdir(), "mailwire-mx-"))
    messagePath = join(dir, "message.eml")
    writeFileSync(messagePath, message)
  })

  afterAll(async () => {
    await sink?.stop()
  })

  const entry = (pending: string[]): QueueEntry => ({
    id: "t",
    from: "alice@example.test",
    pending,
    failed: [],
    attempts: 0,
    createdAt: 0,
    nextAttemptAt: 0,
    lastError: null,
  })

  it("falls through a dead MX to the next one and delivers there", async () => {
    const outcomes = await attemptDelivery(entry(["x@remote.test"]), messagePath, {
      hostname: "mail.example.test",
      relay: null,
      mxPort: sink.port,
      resolveMx: resolverFor([
        { exchange: "127.0.0.2", priority: 10 },
        { exchange: "127.0.0.1", priority: 20 },
      ]),
    })
    expect(outcomes).toEqual([{ recipient: "x@remote.test", kind: "delivered" }])
    const expected = message.replaceAll("\r\n", "\n")
    for (
      let tries = 0;
      tries < 100 && !sink.messages().some((m) => m.includes(expected));
      tries++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(sink.messages().some((m) => m.includes(expected))).toBe(true)
  })

  it("fails the recipients of a domain without mail and still delivers the others", async () => {
    const outcomes = await attemptDelivery(
      entry(["y@nowhere.test", "x@remote.test"]),
      messagePath,
      {
        hostname: "mail.example.test",
        relay: null,
        mxPort: sink.port,
        resolveMx: async (domain) =>
          domain === "nowhere.test"
            ? [{ exchange: ".", priority: 0 }]
            : [{ exchange: "127.0.0.1", priority: 1 }],
      },
    )
    expect(outcomes).toEqual([
      expect.objectContaining({ recipient: "y@nowhere.test", kind: "failed", status: "5.1.10" }),
      { recipient: "x@remote.test", kind: "delivered" },
    ])
  })

  it("defers every recipient when no MX answers", async () => {
    const outcomes = await attemptDelivery(entry(["x@remote.test"]), messagePath, {
      hostname: "mail.example.test",
      relay: null,
      mxPort: await uniquePort(),
      resolveMx: resolverFor([{ exchange: "127.0.0.1", priority: 1 }]),
    })
    expect(outcomes).toEqual([
      expect.objectContaining({ recipient: "x@remote.test", kind: "deferred", status: "4.4.1" }),
    ])
  })
})
