/**
 * The server's configuration: a JSON file (`--config path` or `MAILWIRE_CONFIG=path`)
 * validated with zod, or the built-in defaults when there is none — a data directory
 * under the project, one demo user, the standard demo ports on loopback. A wrong file
 * fails with a `ConfigError` whose message names the field (`users.1.passwordHash: …`).
 *
 * Passwords: a user has either `password` (plain; hashed in memory at load, never
 * written anywhere) or `passwordHash` in the RFC 5803 text form of SCRAM credentials
 * (`SCRAM-SHA-256$4096:<salt>$<StoredKey>:<ServerKey>`, what `pnpm hash-password`
 * prints). Relative paths in a file are relative to that file's directory.
 *
 * What it does not do: watch the file (restart to reload) or read anything else from the
 * environment.
 */
import { randomBytes } from "node:crypto"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, isAbsolute, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { userNameProblem } from "@mailwire/maildir"
import {
  DEFAULT_SCRAM_ITERATIONS,
  deriveScramCredentials,
  parseScramCredentials,
  type ScramCredentials,
} from "@mailwire/sasl"
import { z } from "zod"
import { DEFAULT_RETRY_DELAYS_SECONDS } from "./queue-schedule.js"

/** The project root (`examples/mail-server/src` → three levels up). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..")

/** Where mail, the queue and the generated certificate live when no `dataDir` is set. */
export const DEFAULT_DATA_DIR = join(PROJECT_ROOT, ".mailwire-data")

/**
 * 25 MiB, the largest message accepted (announced with SIZE, RFC 1870): the limit most
 * providers use (Gmail and Outlook take 25 MB), so what we accept can be sent on.
 */
export const DEFAULT_MESSAGE_SIZE = 25 * 1024 * 1024

/** 100 recipients per message: the minimum RFC 5321 §4.5.3.1.8 says a server must take. */
export const DEFAULT_MAX_RECIPIENTS = 100

/** 100 connections per listener: Postfix's `default_process_limit`. */
export const DEFAULT_MAX_CONNECTIONS = 100

/** The demo ports: the standard ones (25, 587, 110, 995) plus 2500, so no root is needed. */
export const DEFAULT_PORTS = { smtp: 2525, submission: 2587, pop3: 2110, pop3s: 2995 } as const

/** The name of the user made when no configuration file is given. */
export const DEMO_USER = "demo"

/** A configuration problem; the message names the file and the field. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = "ConfigError"
  }
}

const ADDRESS = /^[^\s@<>()\\,;:"[\]]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/
const DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/

const address = z
  .string()
  .regex(ADDRESS, "must be an address like alice@example.test")
  .transform((value) => value.toLowerCase())
const port = z.number().int().min(0).max(65535)

const userSchema = z
  .strictObject({
    name: z.string().superRefine((value, context) => {
      const problem = userNameProblem(value)
      if (problem !== null) context.addIssue({ code: "custom", message: `user name ${problem}` })
    }),
    password: z.string().min(1).optional(),
    passwordHash: z
      .string()
      .refine((value) => parseScramCredentials(value) !== null, {
        message: "must be SCRAM credentials as `pnpm hash-password` prints (RFC 5803)",
      })
      .optional(),
    addresses: z.array(address).default([]),
  })
  .refine((user) => (user.password === undefined) !== (user.passwordHash === undefined), {
    message: "give exactly one of password and passwordHash",
    path: ["password"],
  })

const relaySchema = z.strictObject({
  host: z.string().min(1),
  port: port.default(25),
  /** Implicit TLS (RFC 8314). */
  secure: z.boolean().default(false),
  /** STARTTLS (RFC 3207): upgrade when offered, insist on it, or never. */
  startTls: z.enum(["opportunistic", "required", "never"]).default("opportunistic"),
  auth: z.strictObject({ user: z.string().min(1), pass: z.string() }).optional(),
  tls: z
    .strictObject({
      /** A PEM file of extra trusted certificates (a private CA or a self-signed relay). */
      ca: z.string().min(1).optional(),
      rejectUnauthorized: z.boolean().optional(),
      servername: z.string().min(1).optional(),
    })
    .default({}),
})

/** The JSON configuration file's schema (see README.md for every field). */
export const configFileSchema = z.strictObject({
  hostname: z.string().regex(DOMAIN, "must be a host name").default("localhost"),
  dataDir: z.string().min(1).optional(),
  domains: z
    .array(z.string().regex(DOMAIN, "must be a domain name"))
    .min(1)
    .transform((list) => list.map((d) => d.toLowerCase())),
  users: z.array(userSchema).min(1),
  /** Extra addresses, each delivered to the listed users (by name). */
  aliases: z.record(address, z.array(z.string().min(1)).min(1)).default({}),
  listen: z
    .strictObject({
      host: z.string().min(1).default("127.0.0.1"),
      smtp: port.default(DEFAULT_PORTS.smtp),
      submission: port.default(DEFAULT_PORTS.submission),
      pop3: port.default(DEFAULT_PORTS.pop3),
      pop3s: port.default(DEFAULT_PORTS.pop3s),
    })
    .default({
      host: "127.0.0.1",
      ...DEFAULT_PORTS,
    }),
  tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  relay: relaySchema.optional(),
  queue: z
    .strictObject({
      /** Seconds to wait before each retry; after the last, the sender gets a bounce. */
      retryDelays: z.array(z.number().positive()).default([...DEFAULT_RETRY_DELAYS_SECONDS]),
      /** The SMTP port of MX hosts (25; other values are for tests). */
      mxPort: port.default(25),
    })
    .default({ retryDelays: [...DEFAULT_RETRY_DELAYS_SECONDS], mxPort: 25 }),
  limits: z
    .strictObject({
      messageSize: z.number().int().min(1).default(DEFAULT_MESSAGE_SIZE),
      maxRecipients: z.number().int().min(1).default(DEFAULT_MAX_RECIPIENTS),
      maxConnections: z.number().int().min(1).default(DEFAULT_MAX_CONNECTIONS),
    })
    .default({
      messageSize: DEFAULT_MESSAGE_SIZE,
      maxRecipients: DEFAULT_MAX_RECIPIENTS,
      maxConnections: DEFAULT_MAX_CONNECTIONS,
    }),
})

/** The configuration file as written. */
export type ConfigFile = z.input<typeof configFileSchema>

/** A user after loading: the password is only kept as SCRAM credentials. */
export interface ConfiguredUser {
  readonly name: string
  readonly credentials: ScramCredentials
  /** Lower-cased addresses delivered to this user. */
  readonly addresses: readonly string[]
}

/** The relay outbound mail goes through (RFC 6409 submission to a smarthost). */
export type RelayConfig = z.output<typeof relaySchema>

/** The validated configuration the server runs with. */
export interface ServerConfig {
  readonly hostname: string
  readonly dataDir: string
  readonly domains: readonly string[]
  readonly users: readonly ConfiguredUser[]
  /** Lower-cased alias address → user names. */
  readonly aliases: ReadonlyMap<string, readonly string[]>
  readonly listen: z.output<typeof configFileSchema>["listen"]
  /** Certificate and key files, or `null` to use (and make) the one in the data dir. */
  readonly tls: { readonly cert: string; readonly key: string } | null
  readonly relay: RelayConfig | null
  readonly queue: { readonly retryDelaysMs: readonly number[]; readonly mxPort: number }
  readonly limits: z.output<typeof configFileSchema>["limits"]
  /** The demo user's name and password, when the defaults made one (to print them). */
  readonly demo: { readonly name: string; readonly password: string } | null
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "(top level)" : path.map(String).join(".")
}

/** Validates a parsed JSON value; `source` names it in errors, `baseDir` anchors relative paths. */
export function parseConfig(value: unknown, source: string, baseDir: string): ServerConfig {
  const result = configFileSchema.safeParse(value)
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `field "${fieldPath(issue.path)}": ${issue.message}`,
    )
    throw new ConfigError(`${source}: ${problems.join("; ")}`)
  }
  const file = result.data
  const fail = (field: string, message: string): never => {
    throw new ConfigError(`${source}: field "${field}": ${message}`)
  }
  const path = (value: string) => (isAbsolute(value) ? value : resolve(baseDir, value))
  const owner = new Map<string, string>()
  const names = new Set<string>()
  const users = file.users.map((user, i): ConfiguredUser => {
    if (names.has(user.name)) fail(`users.${i}.name`, `user ${user.name} is listed twice`)
    names.add(user.name)
    user.addresses.forEach((addr, j) => {
      const domain = addr.slice(addr.lastIndexOf("@") + 1)
      if (!file.domains.includes(domain)) {
        fail(`users.${i}.addresses.${j}`, `${addr} is not in one of the domains`)
      }
      if (owner.has(addr)) fail(`users.${i}.addresses.${j}`, `${addr} belongs to two users`)
      owner.set(addr, user.name)
    })
    const credentials =
      user.passwordHash === undefined
        ? deriveScramCredentials(user.password!, {
            algorithm: "SHA-256",
            iterations: DEFAULT_SCRAM_ITERATIONS,
          })
        : parseScramCredentials(user.passwordHash)!
    return { name: user.name, credentials, addresses: user.addresses }
  })
  const aliases = new Map<string, readonly string[]>()
  for (const [alias, targets] of Object.entries(file.aliases)) {
    const domain = alias.slice(alias.lastIndexOf("@") + 1)
    if (!file.domains.includes(domain)) fail(`aliases.${alias}`, "is not in one of the domains")
    if (owner.has(alias)) fail(`aliases.${alias}`, "is already a user's address")
    for (const target of targets) {
      if (!names.has(target)) fail(`aliases.${alias}`, `${target} is not a configured user`)
    }
    aliases.set(alias, [...new Set(targets)])
  }
  const l = file.listen
  const ports = [l.smtp, l.submission, l.pop3, l.pop3s].filter((p) => p !== 0)
  if (new Set(ports).size !== ports.length) fail("listen", "two listeners share a port")
  return {
    hostname: file.hostname,
    dataDir: path(file.dataDir ?? DEFAULT_DATA_DIR),
    domains: file.domains,
    users,
    aliases,
    listen: file.listen,
    tls: file.tls === undefined ? null : { cert: path(file.tls.cert), key: path(file.tls.key) },
    relay:
      file.relay === undefined
        ? null
        : {
            ...file.relay,
            tls:
              file.relay.tls.ca === undefined
                ? file.relay.tls
                : { ...file.relay.tls, ca: path(file.relay.tls.ca) },
          },
    queue: {
      retryDelaysMs: file.queue.retryDelays.map((s) => Math.round(s * 1000)),
      mxPort: file.queue.mxPort,
    },
    limits: file.limits,
    demo: null,
  }
}

/** Reads and validates a configuration file. */
export function readConfigFile(file: string): ServerConfig {
  const absolute = resolve(file)
  let text: string
  try {
    text = readFileSync(absolute, "utf8")
  } catch (error) {
    throw new ConfigError(`${absolute}: cannot read: ${(error as Error).message}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new ConfigError(`${absolute}: not valid JSON: ${(error as Error).message}`)
  }
  return parseConfig(value, absolute, dirname(absolute))
}

/**
 * The configuration without a file: one domain (`localhost`), one user `demo` with
 * address `demo@localhost`, and a random password made on first start and kept in
 * `<dataDir>/demo-password` (mode 0600) so it stays the same across restarts.
 */
export function defaultConfig(dataDir = DEFAULT_DATA_DIR): ServerConfig {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const file = join(dataDir, "demo-password")
  let password: string
  try {
    password = readFileSync(file, "utf8").trim()
  } catch {
    password = randomBytes(9).toString("base64url")
    writeFileSync(file, `${password}\n`, { mode: 0o600 })
  }
  const config = parseConfig(
    {
      hostname: "localhost",
      dataDir,
      domains: ["localhost"],
      users: [{ name: DEMO_USER, password, addresses: [`${DEMO_USER}@localhost`] }],
    },
    "default configuration",
    dataDir,
  )
  return { ...config, demo: { name: DEMO_USER, password } }
}

/** The configuration file named by `--config path` (or `--config=path`) or `MAILWIRE_CONFIG`. */
export function configPath(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--config") {
      const next = argv[i + 1]
      if (next === undefined) throw new ConfigError("--config needs a path")
      return next
    }
    if (arg.startsWith("--config=")) return arg.slice("--config=".length)
  }
  const fromEnv = env.MAILWIRE_CONFIG
  return fromEnv === undefined || fromEnv === "" ? null : fromEnv
}

/**
 * Loads the configuration the command line and environment ask for. A relative path is
 * taken from where the user typed the command: `INIT_CWD`, which npm and pnpm set,
 * since `pnpm start` runs this in `examples/mail-server`.
 */
export function loadConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string = process.cwd(),
): ServerConfig {
  const file = configPath(argv, env)
  return file === null ? defaultConfig() : readConfigFile(resolve(env.INIT_CWD ?? cwd, file))
}
