/**
 * The SMTP measurements: a load generator (Postfix's `smtp-source`, or mailwire's
 * pipelining client) against a server child, with the server's CPU read from `/proc`
 * before and after; and the client comparison (mailwire's pool, nodemailer's pool,
 * `smtp-source`) sending to `smtp-sink`, with the client's CPU.
 */
import { type NodeServer, runNodeTimed, runTimed } from "./processes.js"

/** One load: how many messages over how many sessions, and whether sessions are reused. */
export interface Load {
  readonly sessions: number
  readonly messages: number
  readonly bodyBytes: number
  /** Reuse each connection for many messages (`smtp-source -d`). */
  readonly persistent: boolean
}

/** One measured run. */
export interface Sample {
  readonly messages: number
  readonly seconds: number
  /** CPU seconds of the side being measured: the server, or the client. */
  readonly cpuSeconds: number
  /**
   * A pooled client's wall-clock µs per message over each of the {@link WARM_UP_STEPS}
   * steps of its warm-up, in a fresh process; empty for the others.
   */
  readonly warmUpMicrosPerMessage?: readonly number[]
}

/** No single run in this benchmark should take longer; smtp-server's 100 ms greeting delay makes the slowest one about 40 s. */
const RUN_TIMEOUT_MS = 300_000

const SMTP_SOURCE = "/usr/sbin/smtp-source"

/** `smtp-source`'s arguments for a load: `-d` reuses connections; `-l` is the body size. */
function smtpSourceArgs(load: Load, port: number): string[] {
  return [
    ...(load.persistent ? ["-d"] : []),
    "-s",
    String(load.sessions),
    "-m",
    String(load.messages),
    "-l",
    String(load.bodyBytes),
    `127.0.0.1:${port}`,
  ]
}

interface ClientReport {
  readonly messages: number
  readonly seconds: number
  readonly cpuSeconds: number
  readonly warmUpMicrosPerMessage: readonly number[]
}

function clientReport(stdout: string): ClientReport {
  const line = stdout.trim().split("\n").at(-1) ?? ""
  return JSON.parse(line) as ClientReport
}

/** `smtp-source` against `server`; the sample's CPU is the server's. */
export async function smtpSourceAgainst(server: NodeServer, load: Load): Promise<Sample> {
  const before = server.cpuSeconds()
  const run = await runTimed(SMTP_SOURCE, smtpSourceArgs(load, server.port), RUN_TIMEOUT_MS)
  const cpuSeconds = server.cpuSeconds() - before
  return { messages: load.messages, seconds: run.seconds, cpuSeconds }
}

/** mailwire's pipelining client against `server`; the sample's CPU is the server's. */
export async function pipeliningAgainst(server: NodeServer, load: Load): Promise<Sample> {
  const before = server.cpuSeconds()
  const run = await runNodeTimed(
    "smtp/client.ts",
    [
      "mailwire-pipelining",
      String(server.port),
      String(load.messages),
      String(load.sessions),
      String(load.bodyBytes),
    ],
    RUN_TIMEOUT_MS,
  )
  const cpuSeconds = server.cpuSeconds() - before
  return { messages: load.messages, seconds: clientReport(run.stdout).seconds, cpuSeconds }
}

/** `sendMail` calls kept in flight by the pooled clients: enough to keep every connection busy. */
export const POOL_IN_FLIGHT = 100

/** A pooled client's warm-up is timed in this many equal steps of its messages. */
export const WARM_UP_STEPS = 10

/** The SMTP clients compared, all sending to `smtp-sink`. */
export const CLIENTS = ["mailwire-pool", "nodemailer-pool", "smtp-source", "node-floor"] as const
export type ClientName = (typeof CLIENTS)[number]

/**
 * One client sending `load` to `sink`; the sample's CPU is the client's (for the Node
 * clients, of the measured sending alone, after `warmUp` messages of their own; for
 * `smtp-source`, of the whole process). With `profileFile`, a Node client writes a CPU
 * profile of its measured sending there.
 */
export async function clientRun(
  client: ClientName,
  sink: NodeServer,
  load: Load,
  warmUp: number,
  profileFile?: string,
): Promise<Sample> {
  if (client === "smtp-source") {
    const run = await runTimed(SMTP_SOURCE, smtpSourceArgs(load, sink.port), RUN_TIMEOUT_MS)
    return { messages: load.messages, seconds: run.seconds, cpuSeconds: run.cpuSeconds }
  }
  const run = await runNodeTimed(
    "smtp/client.ts",
    [
      client,
      String(sink.port),
      String(load.messages),
      String(load.sessions),
      String(load.bodyBytes),
      String(POOL_IN_FLIGHT),
      String(warmUp),
      String(WARM_UP_STEPS),
    ],
    RUN_TIMEOUT_MS,
    profileFile,
  )
  const report = clientReport(run.stdout)
  return {
    messages: report.messages,
    seconds: report.seconds,
    cpuSeconds: report.cpuSeconds,
    warmUpMicrosPerMessage: report.warmUpMicrosPerMessage,
  }
}

/** Keeps the best of several samples: the highest rate, and separately the lowest CPU per message. */
export interface Best {
  readonly rate: number
  readonly cpuMicrosPerMessage: number
  readonly runs: number
}

export function best(samples: readonly Sample[]): Best {
  return {
    rate: Math.max(...samples.map((s) => s.messages / s.seconds)),
    cpuMicrosPerMessage: Math.min(...samples.map((s) => (s.cpuSeconds / s.messages) * 1e6)),
    runs: samples.length,
  }
}
