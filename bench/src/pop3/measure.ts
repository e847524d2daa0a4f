/**
 * The POP3 measurements: the same messages in a private Dovecot and in a Maildir served
 * by mailwire's POP3 server (its own process); Python's poplib and mailwire's
 * `Pop3Client` retrieve all of them (RETR one after another, nothing deleted), and each
 * run is checked to have received every octet. Both servers' CPU is read from `/proc`
 * (Dovecot's whole process tree: it forks a process per session).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startDovecot } from "../../../packages/node/test/harness/dovecot.js"
import { type Best, best, type Sample } from "../smtp/loads.js"
import { messageText } from "../smtp/message.js"
import {
  type NodeServer,
  runNodeTimed,
  runTimed,
  startNodeServer,
  stopOnInterrupt,
  treeCpuSeconds,
} from "../smtp/processes.js"
import { medianCurve } from "../smtp/report.js"
import { PASSWORD, USER } from "./account.js"
import { POPLIB_SCRIPT } from "./poplib.js"

/** The POP3 runs compared: which client reads from which server. */
export const POP3_RUNS = [
  { name: "poplib ← Dovecot", client: "poplib", server: "dovecot" },
  { name: "mailwire Pop3Client ← Dovecot", client: "mailwire", server: "dovecot" },
  { name: "poplib ← mailwire (Maildir)", client: "poplib", server: "mailwire" },
  { name: "poplib ← bare Node `net` responder (the floor)", client: "poplib", server: "floor" },
] as const

export type Pop3RunName = (typeof POP3_RUNS)[number]["name"]

/** Best client figures and the server's CPU per message for one run. */
export interface Pop3Result {
  readonly client: Best
  readonly serverCpuMicrosPerMessage: number
  /**
   * mailwire's client: the wall-clock µs per message of each warm-up session in a fresh
   * process (the median of the rounds, session by session); empty for poplib.
   */
  readonly warmUpMicrosPerMessage: readonly number[]
}

/**
 * Sessions in which mailwire's `Pop3Client` retrieves every message, unmeasured, in the
 * process of each measured run. Like the SMTP clients it needs thousands of messages
 * before V8 has optimized its per-message code: in a fresh process its first 2,000 RETRs
 * ran several times slower than in its fifth session. Python's poplib, interpreted, has
 * no such warm-up and gets none.
 */
export const POP3_CLIENT_WARM_UP_SESSIONS = 5

/** A retrieval takes a few seconds at most; this only stops a hung one. */
const POP3_TIMEOUT_MS = 120_000

interface Pop3Report {
  readonly messages: number
  readonly octets: number
  readonly seconds: number
  readonly cpuSeconds: number
  readonly warmUpMicrosPerMessage?: readonly number[]
}

/** A measured retrieval, and how many messages the server sent for it, warm-up included. */
interface Retrieval {
  readonly sample: Sample
  readonly served: number
}

async function retrieveAll(
  client: "poplib" | "mailwire",
  port: number,
  messages: number,
  expectedOctets: number,
): Promise<Retrieval> {
  const run =
    client === "poplib"
      ? await runTimed(
          "/usr/bin/python3",
          ["-c", POPLIB_SCRIPT, String(port), USER, PASSWORD, String(messages)],
          POP3_TIMEOUT_MS,
        )
      : await runNodeTimed(
          "pop3/client.ts",
          [String(port), String(messages), String(POP3_CLIENT_WARM_UP_SESSIONS)],
          POP3_TIMEOUT_MS,
        )
  const report = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "") as Pop3Report
  if (report.octets !== expectedOctets) {
    throw new Error(
      `${client} on port ${port} received ${report.octets} octets, not ${expectedOctets}`,
    )
  }
  const warmUp = report.warmUpMicrosPerMessage ?? []
  return {
    sample: {
      messages: report.messages,
      seconds: report.seconds,
      cpuSeconds: report.cpuSeconds,
      warmUpMicrosPerMessage: warmUp,
    },
    served: messages * (1 + warmUp.length),
  }
}

/** Writes the messages into `<root>/<USER>/cur/` the way Dovecot's harness does. */
function fillMaildir(root: string, messages: readonly Uint8Array[]): void {
  const maildir = join(root, USER)
  for (const sub of ["cur", "new", "tmp"]) mkdirSync(join(maildir, sub), { recursive: true })
  messages.forEach((message, i) => {
    const name = `${1_700_000_000 + i}.M${i}P1.mailwire,S=${message.length}:2,`
    writeFileSync(join(maildir, "cur", name), message)
  })
}

/**
 * Runs every POP3 comparison `rounds` times, round-robin, after one unmeasured warm-up
 * each (both servers build their index on the first session). When `profileDirFor` names
 * a folder for the results, two more poplib runs against a mailwire server with its CPU
 * profiler on write the profile there.
 */
export async function measurePop3(
  count: number,
  bodyBytes: number,
  rounds: number,
  log: (line: string) => void,
  profileDirFor: (results: Map<Pop3RunName, Pop3Result>) => string | undefined,
): Promise<Map<Pop3RunName, Pop3Result>> {
  const messages = Array.from({ length: count }, (_, i) =>
    new TextEncoder().encode(messageText(bodyBytes, i)),
  )
  const octets = messages.reduce((sum, message) => sum + message.length, 0)
  const root = mkdtempSync(join(tmpdir(), "mailwire-bench-pop3-"))
  fillMaildir(root, messages)
  const dovecot = await startDovecot([{ name: USER, password: PASSWORD, messages }])
  const stopDovecot = stopOnInterrupt(() => dovecot.stop())
  const servers: NodeServer[] = []
  try {
    const dovecotPid = Number(readFileSync(join(dovecot.dir, "base", "master.pid"), "utf8"))
    const mailwire = await startNodeServer("pop3/server.ts", [root])
    servers.push(mailwire)
    const floor = await startNodeServer("pop3/server.ts", [root, "floor"])
    servers.push(floor)
    const server = (name: "dovecot" | "mailwire" | "floor") =>
      name === "dovecot"
        ? { port: dovecot.ports.pop3, cpuSeconds: () => treeCpuSeconds(dovecotPid) }
        : name === "floor"
          ? floor
          : mailwire
    const samples = new Map<Pop3RunName, { client: Sample[]; serverCpu: number[] }>()
    for (let round = -1; round < rounds; round++) {
      for (const run of POP3_RUNS) {
        const target = server(run.server)
        const before = target.cpuSeconds()
        const { sample, served } = await retrieveAll(run.client, target.port, count, octets)
        // The server's CPU covers the client's warm-up sessions too: per message served.
        const serverMicros = ((target.cpuSeconds() - before) / served) * 1e6
        if (round < 0) continue
        const entry = samples.get(run.name) ?? { client: [], serverCpu: [] }
        entry.client.push(sample)
        entry.serverCpu.push(serverMicros)
        samples.set(run.name, entry)
        log(
          `  pop3 ${run.name}: ${(count / sample.seconds).toFixed(0)} msg/s, server ${serverMicros.toFixed(0)} µs/msg`,
        )
      }
    }
    const results = new Map(
      [...samples].map(([name, entry]) => [
        name,
        {
          client: best(entry.client),
          serverCpuMicrosPerMessage: Math.min(...entry.serverCpu),
          warmUpMicrosPerMessage: medianCurve(
            entry.client.map((sample) => sample.warmUpMicrosPerMessage ?? []),
          ),
        },
      ]),
    )
    const profileDir = profileDirFor(results)
    if (profileDir !== undefined) {
      const profiled = await startNodeServer(
        "pop3/server.ts",
        [root],
        join(profileDir, "pop3-server.cpuprofile"),
      )
      servers.push(profiled)
      await retrieveAll("poplib", profiled.port, count, octets)
      await retrieveAll("poplib", profiled.port, count, octets)
      await profiled.stop()
    }
    return results
  } finally {
    for (const started of servers) await started.stop()
    await stopDovecot()
    rmSync(root, { recursive: true, force: true })
  }
}
