/**
 * One delivery attempt for a queued message, with `@mailwire/node`'s SMTP client: through
 * the configured relay (one transaction for every recipient), or straight to each
 * recipient domain's mail exchangers found with `node:dns` (RFC 5321 §5.1: MX records by
 * preference, the domain itself when it has none; RFC 7505: a null MX refuses mail).
 *
 * Every recipient gets an outcome: `delivered`, `failed` (a 5xx reply, or a domain that
 * cannot take mail) or `deferred` (a 4xx reply, a connection or DNS problem). The relay's
 * certificate is checked as configured; MX hosts are reached with opportunistic STARTTLS
 * without certificate checks (RFC 7435: most MX certificates cannot be verified without
 * DANE or MTA-STS, and refusing them would mean sending in clear instead).
 *
 * What it does not do: retry (the queue does), or keep connections between attempts.
 */

import type { MxRecord } from "node:dns"
import { resolveMx as dnsResolveMx } from "node:dns/promises"
import { createReadStream, readFileSync } from "node:fs"
import {
  ConnectionError,
  SmtpClient,
  type SmtpClientOptions,
  SmtpReplyError,
} from "@mailwire/node/smtp"
import { domainOf } from "./accounts.js"
import type { RelayConfig } from "./config.js"
import type { QueueEntry, RecipientOutcome } from "./queue.js"

/** A host to hand mail to. */
export interface NextHop {
  readonly host: string
  readonly port: number
}

/** Where one domain's mail goes: hosts to try in order, or why it cannot go anywhere. */
export type MxRoute =
  | { readonly kind: "hosts"; readonly hosts: readonly NextHop[] }
  | { readonly kind: "failed"; readonly status: string; readonly diagnostic: string }
  | { readonly kind: "deferred"; readonly status: string; readonly diagnostic: string }

/** What an attempt needs. */
export interface OutboundOptions {
  /** Our name, sent with EHLO. */
  readonly hostname: string
  readonly relay: RelayConfig | null
  /** The port of MX hosts (25). */
  readonly mxPort: number
  /** MX lookup; `node:dns`'s `resolveMx` by default. */
  readonly resolveMx?: (domain: string) => Promise<MxRecord[]>
  /** Live clients register here so a shutdown can cut them. */
  readonly clients?: Set<SmtpClient>
}

/**
 * 60,000 ms to connect and for each reply before the end of data: shorter than the
 * client's RFC 5321 defaults, because a queue run should not hang on one dead host for
 * minutes when the next MX may answer (Postfix's `smtp_connect_timeout` is 30 s).
 */
export const OUTBOUND_TIMEOUT_MS = 60_000

/** The hosts for a domain (RFC 5321 §5.1, RFC 7505). */
export async function mxRoute(
  domain: string,
  port: number,
  resolveMx: (domain: string) => Promise<MxRecord[]> = dnsResolveMx,
): Promise<MxRoute> {
  let records: MxRecord[]
  try {
    records = await resolveMx(domain)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === "ENODATA") return { kind: "hosts", hosts: [{ host: domain, port }] }
    if (code === "ENOTFOUND") {
      return {
        kind: "failed",
        status: "5.1.2",
        diagnostic: `Domain ${domain} does not exist (DNS: ${code})`,
      }
    }
    return {
      kind: "deferred",
      status: "4.4.3",
      diagnostic: `MX lookup for ${domain} failed (DNS: ${code ?? String(error)})`,
    }
  }
  if (records.length === 0) return { kind: "hosts", hosts: [{ host: domain, port }] }
  if (records.some((r) => r.exchange === "" || r.exchange === ".")) {
    return {
      kind: "failed",
      status: "5.1.10",
      diagnostic: `Domain ${domain} accepts no mail (null MX, RFC 7505)`,
    }
  }
  const hosts = [...records]
    .sort((a, b) => a.priority - b.priority)
    .map((r) => ({ host: r.exchange.replace(/\.$/, ""), port }))
  return { kind: "hosts", hosts }
}

function replyText(error: SmtpReplyError): string {
  return [String(error.code), error.enhancedCode, error.lines.join(" ")]
    .filter((part) => part !== null && part !== "")
    .join(" ")
}

/** A recipient outcome from an SMTP reply error. */
function fromReply(recipient: string, error: SmtpReplyError, host: string): RecipientOutcome {
  return {
    recipient,
    kind: error.temporary ? "deferred" : "failed",
    status: error.enhancedCode ?? (error.temporary ? "4.0.0" : "5.0.0"),
    diagnostic: replyText(error),
    isSmtpReply: true,
    remoteMta: host,
  }
}

function connectionProblem(recipient: string, error: unknown, host: string): RecipientOutcome {
  const text = error instanceof Error ? error.message : String(error)
  const stage = error instanceof ConnectionError ? ` (${error.code.toLowerCase()})` : ""
  return {
    recipient,
    kind: "deferred",
    status: "4.4.1",
    diagnostic: `Could not deliver via ${host}${stage}: ${text}`,
    isSmtpReply: false,
    remoteMta: host,
  }
}

function clientOptions(
  hop: NextHop,
  options: OutboundOptions,
  isRelay: boolean,
): SmtpClientOptions {
  const base = {
    host: hop.host,
    port: hop.port,
    name: options.hostname,
    connectionTimeout: OUTBOUND_TIMEOUT_MS,
    greetingTimeout: OUTBOUND_TIMEOUT_MS,
    commandTimeout: OUTBOUND_TIMEOUT_MS,
  }
  const relay = options.relay
  if (!isRelay || relay === null) {
    return { ...base, startTls: "opportunistic", tls: { rejectUnauthorized: false } }
  }
  const tls: { ca?: string; rejectUnauthorized?: boolean; servername?: string } = {}
  if (relay.tls.ca !== undefined) tls.ca = readFileSync(relay.tls.ca, "utf8")
  if (relay.tls.rejectUnauthorized !== undefined) {
    tls.rejectUnauthorized = relay.tls.rejectUnauthorized
  }
  if (relay.tls.servername !== undefined) tls.servername = relay.tls.servername
  const withTls = { ...base, secure: relay.secure, startTls: relay.startTls, tls }
  return relay.auth === undefined ? withTls : { ...withTls, auth: relay.auth }
}

/**
 * One SMTP transaction with one host. Resolves with an outcome per recipient, or `null`
 * when the host could not be reached at all (so the next MX can be tried).
 */
async function sendTo(
  hop: NextHop,
  from: string,
  recipients: readonly string[],
  messagePath: string,
  options: OutboundOptions,
  isRelay: boolean,
): Promise<{ outcomes: RecipientOutcome[]; reached: boolean }> {
  const client = new SmtpClient(clientOptions(hop, options, isRelay))
  options.clients?.add(client)
  let reached = false
  try {
    await client.connect()
    reached = true
    const body = createReadStream(messagePath) as AsyncIterable<Uint8Array>
    const result = await client.send({ from, to: recipients, body })
    const outcomes: RecipientOutcome[] = result.accepted.map((recipient) => ({
      recipient,
      kind: "delivered",
    }))
    result.rejected.forEach((recipient, i) => {
      const error = result.rejectedErrors[i]
      outcomes.push(
        error === undefined
          ? connectionProblem(recipient, new Error("refused"), hop.host)
          : fromReply(recipient, error, hop.host),
      )
    })
    return { outcomes, reached }
  } catch (error) {
    const outcomes = recipients.map((recipient, i) => {
      // No recipient accepted: each gets its own reply (a 550 for one, a 450 for another).
      const own = error instanceof SmtpReplyError ? error.rejected[i]?.reply : undefined
      const decided = own ?? error
      return decided instanceof SmtpReplyError
        ? fromReply(recipient, decided, hop.host)
        : connectionProblem(recipient, decided, hop.host)
    })
    return { outcomes, reached: reached || error instanceof SmtpReplyError }
  } finally {
    await client.quit()
    options.clients?.delete(client)
  }
}

/** Tries to deliver `entry.pending` once; one outcome per pending recipient. Never throws. */
export async function attemptDelivery(
  entry: QueueEntry,
  messagePath: string,
  options: OutboundOptions,
): Promise<RecipientOutcome[]> {
  const relay = options.relay
  if (relay !== null) {
    const hop = { host: relay.host, port: relay.port }
    return (await sendTo(hop, entry.from, entry.pending, messagePath, options, true)).outcomes
  }
  const byDomain = new Map<string, string[]>()
  for (const recipient of entry.pending) {
    const domain = domainOf(recipient)
    byDomain.set(domain, [...(byDomain.get(domain) ?? []), recipient])
  }
  const outcomes: RecipientOutcome[] = []
  for (const [domain, recipients] of byDomain) {
    const route = await mxRoute(domain, options.mxPort, options.resolveMx)
    if (route.kind !== "hosts") {
      for (const recipient of recipients) {
        outcomes.push({ ...route, recipient, isSmtpReply: false, remoteMta: null })
      }
      continue
    }
    let last: RecipientOutcome[] = []
    for (const hop of route.hosts) {
      const sent = await sendTo(hop, entry.from, recipients, messagePath, options, false)
      last = sent.outcomes
      if (sent.reached) break
    }
    outcomes.push(...last)
  }
  return outcomes
}
