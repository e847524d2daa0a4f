/**
 * `pnpm bench:smtp`: mailwire's SMTP server, SMTP client and POP3 server and client
 * against smtp-server 3.21.6, nodemailer 10.6.1, Postfix's `smtp-source`/`smtp-sink` (C),
 * Dovecot and Python's poplib, in one run on this machine, over loopback. Every server
 * runs in its own process and is stopped by its PID. Prints the tables and writes them to
 * `docs/benchmarks/smtp.md`; where a target is missed, profiles the mailwire side with
 * V8's CPU profiler (the one `node --cpu-prof` runs, started after the code is loaded)
 * and writes what the profile shows there too.
 *
 * `BENCH_SMTP_SCALE` (default 1) multiplies every message count, `BENCH_SMTP_ROUNDS`
 * (default 3) sets the repetitions; the document says which were used. For quick turns
 * while changing mailwire: `BENCH_SMTP_ONLY=server,client,pop3` (any of them) measures
 * only those sections, prints their tables and writes no document and no profile;
 * `BENCH_FROM_SOURCE=1` runs mailwire from `src/` instead of the build.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { cpus, tmpdir, totalmem } from "node:os"
import { join } from "node:path"
import { measurePop3, POP3_RUNS, type Pop3Result, type Pop3RunName } from "../pop3/measure.js"
import {
  POP3_SERVER_FINDINGS,
  SMTP_CLIENT_FINDINGS,
  SMTP_SERVER_FINDINGS,
  SMTP_SERVER_PER_CONNECTION_FINDINGS,
} from "./findings.js"
import {
  type Best,
  best,
  CLIENTS,
  type ClientName,
  clientRun,
  type Load,
  POOL_IN_FLIGHT,
  pipeliningAgainst,
  type Sample,
  smtpSourceAgainst,
  WARM_UP_STEPS,
} from "./loads.js"
import {
  benchDir,
  FROM_SOURCE,
  type NodeServer,
  startNodeServer,
  startSmtpSink,
} from "./processes.js"
import { type ProfileSummary, summarizeProfiles } from "./profile.js"
import { fmt, medianCurve, profileSection, ratio, table, verdict } from "./report.js"

const COMMAND = "pnpm bench:smtp"
const repoDir = join(benchDir, "..")
const SCALE = Number(process.env.BENCH_SMTP_SCALE ?? "1")
const ROUNDS = Number(process.env.BENCH_SMTP_ROUNDS ?? "3")
const scaled = (count: number) => Math.max(1, Math.round(count * SCALE))
const SECTIONS = ["server", "client", "pop3"] as const
type SectionName = (typeof SECTIONS)[number]
const ONLY = process.env.BENCH_SMTP_ONLY?.split(",").map((name) => name.trim())
for (const name of ONLY ?? []) {
  if (!(SECTIONS as readonly string[]).includes(name)) {
    throw new Error(`BENCH_SMTP_ONLY: unknown section ${name} (${SECTIONS.join(", ")})`)
  }
}
/** A partial run (`BENCH_SMTP_ONLY`) prints its tables only: no profiles, no document. */
const IS_PARTIAL = ONLY !== undefined
const wanted = (name: SectionName) => ONLY === undefined || ONLY.includes(name)
const NOT_ASKED = "not asked for (`BENCH_SMTP_ONLY`)"

/** The issue's loads. 4 KB is the body size `smtp-source -l` sends. */
const PERSISTENT: Load = {
  sessions: 20,
  messages: scaled(20_000),
  bodyBytes: 4096,
  persistent: true,
}
const PER_CONNECTION: Load = {
  sessions: 10,
  messages: scaled(4000),
  bodyBytes: 4096,
  persistent: false,
}
/** Small messages for the clients; 5 connections is nodemailer's default pool size. */
const CLIENT_LOAD: Load = {
  sessions: 5,
  messages: scaled(10_000),
  bodyBytes: 200,
  persistent: true,
}
const POP3_MESSAGES = scaled(2000)
/**
 * Each POP3 run retrieves its messages in a fraction of a second, where one scheduling
 * hiccup on this shared machine moves the rate by several percent, so the POP3 runs get
 * three times as many rounds as the others (the best of them, for every row alike).
 */
const POP3_ROUNDS = ROUNDS * 3
const POP3_BODY_BYTES = 4096
/** Messages each server takes before measuring, so JIT warm-up is not in the figures. */
const WARM_UP: Load = { ...PERSISTENT, messages: scaled(2000) }
/**
 * Messages each Node client sends in its own fresh process before its measured run. The
 * servers run every round in one process, so their JIT is long settled by the rounds that
 * count; each client round is a new process. Until V8 has optimized the per-message code,
 * which for code run once per message takes thousands of messages (each function is
 * optimized once it has run a budget of its own bytecode), a pool runs several times
 * slower: 2,000, this benchmark's first warm-up, ended before mailwire's pool had settled.
 * The warm-up table, measured in the same run, shows each pool's curve and where it came
 * within {@link SETTLED} of its measured rate.
 */
const CLIENT_WARM_UP = scaled(10_000)
/** A warm-up step within this fraction of the measured run's µs per message has settled. */
const SETTLED = 0.1

const SERVERS = ["mailwire", "smtp-server", "smtp-sink", "node-floor"] as const
type ServerName = (typeof SERVERS)[number]
const LOADS = ["persistent", "per-connection", "pipelining"] as const
type LoadName = (typeof LOADS)[number]

const log = (line: string) => process.stderr.write(`${line}\n`)

async function startServer(name: ServerName, profileFile?: string): Promise<NodeServer> {
  return name === "smtp-sink"
    ? startSmtpSink()
    : startNodeServer("smtp/server.ts", [name], profileFile)
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key) ?? []
  list.push(value)
  map.set(key, list)
}

function logSample(what: string, sample: Sample): void {
  log(
    `  ${what}: ${fmt(sample.messages / sample.seconds)} msg/s, ${fmt((sample.cpuSeconds / sample.messages) * 1e6)} µs CPU/msg`,
  )
}

async function measureServers(servers: Map<ServerName, NodeServer>): Promise<Map<string, Best>> {
  for (const [name, server] of servers) {
    log(`warming up ${name}`)
    await smtpSourceAgainst(server, WARM_UP)
    await pipeliningAgainst(server, WARM_UP)
  }
  const samples = new Map<string, Sample[]>()
  for (let round = 0; round < ROUNDS; round++) {
    log(`SMTP server round ${round + 1}/${ROUNDS}`)
    for (const [name, server] of servers) {
      const persistent = await smtpSourceAgainst(server, PERSISTENT)
      logSample(`persistent ${name}`, persistent)
      push(samples, `persistent ${name}`, persistent)
      const perConnection = await smtpSourceAgainst(server, PER_CONNECTION)
      logSample(`per-connection ${name}`, perConnection)
      push(samples, `per-connection ${name}`, perConnection)
      const pipelining = await pipeliningAgainst(server, PERSISTENT)
      logSample(`pipelining ${name}`, pipelining)
      push(samples, `pipelining ${name}`, pipelining)
    }
  }
  return new Map([...samples].map(([key, list]) => [key, best(list)] as const))
}

/** The clients' figures, and each pool's warm-up curve (the median of the rounds, step by step). */
interface ClientFigures {
  readonly best: Map<ClientName, Best>
  readonly warmUp: Map<ClientName, readonly number[]>
}

async function measureClients(sink: NodeServer): Promise<ClientFigures> {
  const samples = new Map<ClientName, Sample[]>()
  for (let round = 0; round < ROUNDS; round++) {
    log(`SMTP client round ${round + 1}/${ROUNDS}`)
    for (const client of CLIENTS) {
      const sample = await clientRun(client, sink, CLIENT_LOAD, CLIENT_WARM_UP)
      logSample(client, sample)
      push(samples, client, sample)
    }
  }
  const warmUp = new Map<ClientName, readonly number[]>()
  for (const [client, list] of samples) {
    const curve = medianCurve(list.map((sample) => sample.warmUpMicrosPerMessage ?? []))
    if (curve.length > 0) warmUp.set(client, curve)
  }
  return { best: new Map([...samples].map(([key, list]) => [key, best(list)] as const)), warmUp }
}

/** Runs `work` with a fresh folder for `.cpuprofile` files and summarizes them. */
async function profiled(work: (dir: string) => Promise<void>): Promise<ProfileSummary> {
  const dir = mkdtempSync(join(tmpdir(), "mailwire-bench-prof-"))
  try {
    await work(dir)
    return summarizeProfiles(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function profileServer(load: Load): Promise<ProfileSummary> {
  return profiled(async (dir) => {
    const server = await startServer("mailwire", join(dir, "smtp-server.cpuprofile"))
    try {
      await smtpSourceAgainst(server, WARM_UP)
      await smtpSourceAgainst(server, load)
    } finally {
      await server.stop()
    }
  })
}

async function profileClient(sink: NodeServer): Promise<ProfileSummary> {
  return profiled(async (dir) => {
    await clientRun(
      "mailwire-pool",
      sink,
      CLIENT_LOAD,
      CLIENT_WARM_UP,
      join(dir, "smtp-client.cpuprofile"),
    )
  })
}

/** "20 sessions, 20,000 messages, 4,096-byte body". */
function countsText(load: Load): string {
  return `${fmt(load.sessions)} sessions, ${fmt(load.messages)} messages, ${fmt(load.bodyBytes)}-byte body`
}

function loadText(load: Load): string {
  return `${load.persistent ? "persistent connections" : "a new connection per message"}, ${countsText(load)}`
}

/** A section's figures, or why it could not be measured (the adapters are still changing). */
type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string }

async function attempt<T>(what: string, work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() }
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error)
    log(`${what} failed: ${text}`)
    const reason = text.split("\n").find((line) => /Error|failed|timed out/.test(line)) ?? text
    return { ok: false, reason: reason.trim().slice(0, 300) }
  }
}

async function main(): Promise<void> {
  const started = Date.now()
  const servers = new Map<ServerName, NodeServer>()
  const profiles: string[] = []
  let serverBest: Outcome<Map<string, Best>>
  let clientFigures: Outcome<ClientFigures>
  try {
    for (const name of SERVERS) {
      if (name === "smtp-sink" || wanted("server")) servers.set(name, await startServer(name))
    }
    const sink = servers.get("smtp-sink")!
    serverBest = wanted("server")
      ? await attempt("SMTP server", () => measureServers(servers))
      : { ok: false, reason: NOT_ASKED }
    clientFigures = wanted("client")
      ? await attempt("SMTP client", () => measureClients(sink))
      : { ok: false, reason: NOT_ASKED }
    if (serverBest.ok && !IS_PARTIAL) {
      const byName = serverBest.value
      const get = (load: LoadName, server: ServerName) => byName.get(`${load} ${server}`)!
      const persistentMissed =
        get("persistent", "mailwire").rate < get("persistent", "smtp-sink").rate ||
        get("persistent", "mailwire").rate < 1.5 * get("persistent", "smtp-server").rate
      const perConnectionMissed =
        get("per-connection", "mailwire").rate < 0.7 * get("per-connection", "smtp-sink").rate
      const missed = [
        { load: PERSISTENT, isMissed: persistentMissed, findings: SMTP_SERVER_FINDINGS },
        {
          load: PER_CONNECTION,
          isMissed: perConnectionMissed,
          findings: SMTP_SERVER_PER_CONNECTION_FINDINGS,
        },
      ]
      for (const { load, isMissed, findings } of missed) {
        if (!isMissed) continue
        const summary = await attempt("profiling the SMTP server", () => profileServer(load))
        if (!summary.ok) continue
        profiles.push(
          profileSection(
            `SMTP server (\`createSmtpServer\`), ${load.persistent ? "persistent connections" : "a new connection per message"}`,
            `V8's CPU profiler (what \`node --cpu-prof\` runs) in the server process, from listening to exit, while \`smtp-source\` sends a warm-up of ${fmt(WARM_UP.messages)} and then ${loadText(load)}.`,
            summary.value,
            findings,
          ),
        )
      }
    }
    if (clientFigures.ok && !IS_PARTIAL) {
      const byName = clientFigures.value.best
      const pool = byName.get("mailwire-pool")!
      const missed =
        pool.rate < 3 * byName.get("nodemailer-pool")!.rate ||
        pool.rate < 0.7 * byName.get("smtp-source")!.rate
      const summary = missed
        ? await attempt("profiling the SMTP client", () => profileClient(sink))
        : null
      if (summary?.ok) {
        profiles.push(
          profileSection(
            "SMTP client (`createTransport({ pool: true })`)",
            `V8's CPU profiler (what \`node --cpu-prof\` runs) in the client process around the sending of ${loadText(CLIENT_LOAD)} to \`smtp-sink\`, after its warm-up of ${fmt(CLIENT_WARM_UP)}.`,
            summary.value,
            SMTP_CLIENT_FINDINGS,
          ),
        )
      }
    }
  } finally {
    for (const server of servers.values()) await server.stop()
  }
  const profileDirs: string[] = []
  if (wanted("pop3")) log("POP3")
  const pop3: Outcome<Map<Pop3RunName, Pop3Result>> = !wanted("pop3")
    ? { ok: false, reason: NOT_ASKED }
    : await attempt("POP3", () =>
        measurePop3(POP3_MESSAGES, POP3_BODY_BYTES, POP3_ROUNDS, log, (results) => {
          if (IS_PARTIAL) return undefined
          const fromMailwire = results.get("poplib ← mailwire (Maildir)")!.client.rate
          if (fromMailwire >= results.get("poplib ← Dovecot")!.client.rate) return undefined
          log("profiling mailwire's POP3 server")
          const dir = mkdtempSync(join(tmpdir(), "mailwire-bench-prof-"))
          profileDirs.push(dir)
          return dir
        }),
      )
  for (const dir of profileDirs) {
    const summary = await attempt("profiling the POP3 server", async () => summarizeProfiles(dir))
    rmSync(dir, { recursive: true, force: true })
    if (summary.ok) {
      profiles.push(
        profileSection(
          "POP3 server (`createPop3Server` on `MaildirStore`)",
          `V8's CPU profiler (what \`node --cpu-prof\` runs) in the server process, from listening to exit, while poplib retrieves the ${fmt(POP3_MESSAGES)} messages twice.`,
          summary.value,
          POP3_SERVER_FINDINGS,
        ),
      )
    }
  }
  const doc = render(serverBest, clientFigures, pop3, profiles, (Date.now() - started) / 1000)
  if (IS_PARTIAL) {
    process.stdout.write(doc)
    log("a partial run (BENCH_SMTP_ONLY): docs/benchmarks/smtp.md left as it was")
    return
  }
  const docFile = join(repoDir, "docs", "benchmarks", "smtp.md")
  mkdirSync(join(repoDir, "docs", "benchmarks"), { recursive: true })
  writeFileSync(docFile, doc)
  process.stdout.write(doc)
  log(`wrote ${docFile}`)
}

const SERVER_LABELS: Record<ServerName, string> = {
  mailwire: "mailwire `createSmtpServer`",
  "smtp-server": "smtp-server 3.21.6",
  "smtp-sink": "Postfix smtp-sink (C)",
  "node-floor": "bare Node `net` responder (the floor)",
}

const CLIENT_LABELS: Record<ClientName, string> = {
  "mailwire-pool": "mailwire `createTransport({ pool: true })`",
  "nodemailer-pool": "nodemailer 10.6.1 `createTransport({ pool: true })`",
  "smtp-source": "Postfix smtp-source (C), `-d`",
  "node-floor": "bare Node `net` sender (the floor)",
}

function serverTable(byName: Map<string, Best>, load: LoadName): string {
  const get = (server: ServerName) => byName.get(`${load} ${server}`)!
  const ours = get("mailwire")
  return table(
    [
      ["server", "msg/s", "server CPU µs/msg", "mailwire's msg/s ÷ this"],
      ...SERVERS.map((server) => [
        SERVER_LABELS[server],
        fmt(get(server).rate),
        fmt(get(server).cpuMicrosPerMessage),
        server === "mailwire" ? "—" : ratio(ours.rate, get(server).rate),
      ]),
    ],
    [false, true, true, true],
  )
}

function clientTable({ best: byName }: ClientFigures): string {
  const pool = byName.get("mailwire-pool")!
  return table(
    [
      ["client", "msg/s", "client CPU µs/msg", "mailwire's msg/s ÷ this"],
      ...CLIENTS.map((client) => [
        CLIENT_LABELS[client],
        fmt(byName.get(client)!.rate),
        fmt(byName.get(client)!.cpuMicrosPerMessage),
        client === "mailwire-pool" ? "—" : ratio(pool.rate, byName.get(client)!.rate),
      ]),
    ],
    [false, true, true, true],
  )
}

/**
 * Each pool's warm-up in a fresh process, step by step, beside its measured run; then, for
 * each pool, the first step within {@link SETTLED} of the measured µs per message.
 */
function warmUpTable({ best: byName, warmUp }: ClientFigures): string {
  const pools = CLIENTS.filter((client) => warmUp.has(client))
  if (pools.length === 0) return "No warm-up was timed in this run."
  const steps = Math.min(...pools.map((client) => warmUp.get(client)!.length))
  const stepSize = Math.max(1, Math.floor(CLIENT_WARM_UP / WARM_UP_STEPS))
  const measured = (client: ClientName) => 1e6 / byName.get(client)!.rate
  const rows = pools.map((client) => [
    CLIENT_LABELS[client],
    ...warmUp
      .get(client)!
      .slice(0, steps)
      .map((micros) => fmt(micros)),
    fmt(measured(client)),
  ])
  const settled = pools.map((client) => {
    const curve = warmUp.get(client)!.slice(0, steps)
    const at = curve.findIndex((micros) => micros <= measured(client) * (1 + SETTLED))
    return at === -1
      ? `${CLIENT_LABELS[client]} had not come within ${fmt(SETTLED * 100)} % of its measured rate by the end of its warm-up`
      : `${CLIENT_LABELS[client]} came within ${fmt(SETTLED * 100)} % of its measured rate in the step ending at message ${fmt((at + 1) * stepSize)}`
  })
  return `${table(
    [
      [
        "client",
        ...Array.from({ length: steps }, (_, step) => fmt((step + 1) * stepSize)),
        "measured",
      ],
      ...rows,
    ],
    [false, ...Array.from({ length: steps + 1 }, () => true)],
  )}

Each column is the wall-clock µs per message of the ${fmt(stepSize)} messages ending at that count, from the start of a fresh process (the median of the ${ROUNDS} rounds); "measured" is the best measured run's, from its msg/s. ${settled.join("; ")}.`
}

function pop3Table(byName: Map<Pop3RunName, Pop3Result>): string {
  const client = byName.get("mailwire Pop3Client ← Dovecot")!
  const curve = client.warmUpMicrosPerMessage
  const warmUp =
    curve.length === 0
      ? "mailwire's `Pop3Client` had no warm-up in this run."
      : `mailwire's \`Pop3Client\` first retrieves every message ${fmt(curve.length)} times in its own process, unmeasured, as the SMTP clients warm up (the server's CPU for that row counts every message it sent). Its wall-clock µs per message in those sessions of a fresh process (the median of the rounds): ${curve.map((micros) => fmt(micros)).join(", ")}; in the best measured session: ${fmt(1e6 / client.client.rate)}.`
  const rows = table(
    [
      ["client ← server", "msg/s", "client CPU µs/msg", "server CPU µs/msg"],
      ...POP3_RUNS.map((run) => {
        const row = byName.get(run.name)!
        return [
          run.name,
          fmt(row.client.rate),
          fmt(row.client.cpuMicrosPerMessage),
          fmt(row.serverCpuMicrosPerMessage),
        ]
      }),
    ],
    [false, true, true, true],
  )
  return `${rows}\n\n${warmUp}`
}

/** A target row: `ours / theirs` against `factor`, or "not measured". */
function targetRow(text: string, figures: { ours: number; theirs: number } | null, factor: number) {
  if (figures === null) return [text, "—", "not measured"]
  return [
    text,
    ratio(figures.ours, figures.theirs),
    verdict(figures.ours >= factor * figures.theirs),
  ]
}

function section<T>(outcome: Outcome<T>, body: (value: T) => string): string {
  return outcome.ok ? body(outcome.value) : `Not measured in this run: ${outcome.reason}`
}

function render(
  servers: Outcome<Map<string, Best>>,
  clients: Outcome<ClientFigures>,
  pop3: Outcome<Map<Pop3RunName, Pop3Result>>,
  profiles: readonly string[],
  runSeconds: number,
): string {
  const server = (load: LoadName, other: ServerName) =>
    servers.ok
      ? {
          ours: servers.value.get(`${load} mailwire`)!.rate,
          theirs: servers.value.get(`${load} ${other}`)!.rate,
        }
      : null
  const client = (other: ClientName) =>
    clients.ok
      ? {
          ours: clients.value.best.get("mailwire-pool")!.rate,
          theirs: clients.value.best.get(other)!.rate,
        }
      : null
  const pop = pop3.ok
    ? {
        ours: pop3.value.get("poplib ← mailwire (Maildir)")!.client.rate,
        theirs: pop3.value.get("poplib ← Dovecot")!.client.rate,
      }
    : null
  const targets = table(
    [
      ["target", "measured", "result"],
      targetRow(
        "SMTP server, persistent: ≥ 1.0× smtp-sink's msg/s",
        server("persistent", "smtp-sink"),
        1,
      ),
      targetRow(
        "SMTP server, persistent: ≥ 1.5× smtp-server's msg/s",
        server("persistent", "smtp-server"),
        1.5,
      ),
      targetRow(
        "SMTP server, per connection: ≥ 0.7× smtp-sink's msg/s",
        server("per-connection", "smtp-sink"),
        0.7,
      ),
      targetRow("SMTP client: ≥ 3× nodemailer's msg/s", client("nodemailer-pool"), 3),
      targetRow("SMTP client: ≥ 0.7× smtp-source's msg/s", client("smtp-source"), 0.7),
      targetRow("POP3 server: poplib reads from mailwire no slower than from Dovecot", pop, 1),
    ],
    [false, true, false],
  )
  const cpu = cpus()
  const settings = [
    SCALE === 1 ? "" : `\`BENCH_SMTP_SCALE=${SCALE}\``,
    process.env.BENCH_SMTP_ROUNDS === undefined ? "" : `\`BENCH_SMTP_ROUNDS=${ROUNDS}\``,
  ].filter((text) => text !== "")
  return `# SMTP and POP3: mailwire against smtp-server, nodemailer, Postfix's C tools and Dovecot

Written by \`${COMMAND}\` (\`bench/src/smtp/run.ts\`, \`bench/src/pop3/\`); do not edit by hand.

- date: ${new Date().toISOString()}
- machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? "unknown"}), ${fmt(totalmem() / 1024 ** 3)} GiB RAM, Node ${process.version}
- command: \`${COMMAND}\`${settings.length === 0 ? " (the issue's counts)" : ` with ${settings.join(" and ")}`}; the whole run took ${fmt(runSeconds / 60, 1)} minutes
- every server runs in its own process, loopback only, stopped by its PID; each figure is the best of ${ROUNDS} rounds run round-robin (${POP3_ROUNDS} for the POP3 runs, which last a fraction of a second each; msg/s: the highest; CPU µs/msg: the lowest), after a warm-up of ${fmt(WARM_UP.messages)} messages per server and ${fmt(CLIENT_WARM_UP)} per Node client
- server CPU is read from \`/proc/PID/stat\` (user + system, all threads, plus reaped children) before and after each run; client CPU is \`process.cpuUsage()\` around the sending for the Node clients, \`getrusage\` of the whole process for smtp-source and \`time.process_time()\` around the retrieval for poplib
- this machine has ${cpu.length} cores, shared by the load generator, the server and whatever else runs on it at the time, so wall-clock rates are noisy; CPU per message is the steadier figure. ${FROM_SOURCE ? "mailwire runs from its TypeScript sources through tsx (`BENCH_FROM_SOURCE=1`: `bench/tsconfig.json` maps `@mailwire/*` to each package's `src/`)" : "mailwire runs from its built packages (`pnpm bench:smtp` builds them first; `@mailwire/*` resolves through each package's `exports` to `dist/`, what `npm install` gives); every Node child is the benchmark's own script bundled by esbuild with all packages left as imports and run by plain `node`: not through tsx, which compiles again every JavaScript file outside `node_modules`, so it would recompile mailwire's `dist/` (pnpm links it from outside) but not smtp-server's or nodemailer's"}

## SMTP server: smtp-source → server

### Persistent connections (\`smtp-source -d\`, ${countsText(PERSISTENT)})

${section(servers, (value) => serverTable(value, "persistent"))}

The bare Node responder (\`bench/src/floors/smtp-server.ts\`) answers every command line with a constant reply and finds the end of DATA with \`indexOf\`: no parsing, no checks, no body stream. It is not an SMTP server; it shows what the kernel's loopback and Node's socket layer cost per message on this machine, close to the least any Node server can spend.

### A new connection per message (${countsText(PER_CONNECTION)})

${section(servers, (value) => serverTable(value, "per-connection"))}

smtp-server waits a fixed 100 ms before its greeting on every connection (its "early talker" check, not configurable), so with ${PER_CONNECTION.sessions} sessions it cannot pass ${fmt(PER_CONNECTION.sessions * 10)} msg/s on this load.

### Pipelining: mailwire's \`SmtpClient\` (PIPELINING on) → server (persistent connections, ${countsText(PERSISTENT)})

${section(servers, (value) => serverTable(value, "pipelining"))}

Each connection keeps three messages in flight and sends MAIL, RCPT and DATA in one round trip (RFC 2920), behind the previous message's end of data when that one is already queued (§3.1). Where a server is faster than this Node load generator, the row measures the generator.

## SMTP client → smtp-sink (persistent connections, ${countsText(CLIENT_LOAD)})

${section(clients, clientTable)}

The bare Node sender (\`bench/src/floors/smtp-client.ts\`) writes constant bytes, one message per round trip (its end of data and the next MAIL, RCPT and DATA together, RFC 2920 §3.1), and only counts the replies: close to the least any Node client can spend on this wire. Both pools get the same raw message and envelope (no MIME building), ${CLIENT_LOAD.sessions} connections, ${POOL_IN_FLIGHT} \`sendMail\` calls in flight and their default of 100 messages per connection before it is replaced; smtp-source keeps its ${CLIENT_LOAD.sessions} connections for the whole run. Each Node client (both pools and the floor) first sends ${fmt(CLIENT_WARM_UP)} messages in the same process on a transport (or connections) of its own, closed before the measured run, so the JIT's warm-up is in none of their figures, as it is in none of the servers'; smtp-source, compiled C, has none to do.

### Warm-up: the pools in a fresh process

${section(clients, warmUpTable)}

Every client round is a new process. V8 runs a function in its interpreter and then as baseline code until the function has run a budget of its own bytecode, and only then optimizes it; code that runs once per message gets there after thousands of messages. The servers need the same, but all their rounds run in one process, so the rounds that count are long past it.

## POP3: ${fmt(POP3_MESSAGES)} messages of ${fmt(POP3_BODY_BYTES)}-byte body, RETR one after another

${section(pop3, pop3Table)}

The bare Node responder (\`bench/src/floors/pop3-server.ts\`) answers USER and PASS with \`+OK\` and each RETR with the file read by \`readFileSync\` in one write, checking and stuffing nothing: close to the least any Node POP3 server can spend. Dovecot 2.3 (private instance, Maildir) and mailwire's \`createPop3Server\` on \`MaildirStore\` (its own process) serve the same files; USER/PASS without TLS on both. Dovecot's CPU is its whole process tree (it forks a process per session). Every run is checked to receive every octet.

## Targets (issue 10)

${targets}
${profiles.length === 0 ? "" : `\n## Profiles where a target was missed\n\n${profiles.join("\n")}`}`
}

await main()
