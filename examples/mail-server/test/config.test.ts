/**
 * The configuration: the issue's JSON shape loads, defaults fill in, every mistake is
 * reported with the field it is in, plain passwords become SCRAM credentials in memory,
 * and `pnpm hash-password` prints a `passwordHash` the loader takes.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseScramCredentials } from "@mailwire/sasl"
import { describe, expect, it } from "vitest"
import { run } from "../../../packages/node/test/harness/processes.js"
import { checkPassword } from "../src/accounts.js"
import {
  ConfigError,
  configPath,
  DEFAULT_DATA_DIR,
  DEFAULT_MESSAGE_SIZE,
  DEFAULT_PORTS,
  defaultConfig,
  loadConfig,
  PROJECT_ROOT,
  parseConfig,
  readConfigFile,
} from "../src/config.js"
import { DEFAULT_RETRY_DELAYS_SECONDS } from "../src/queue-schedule.js"
import { EXAMPLE_DIR } from "./harness/mail-server.js"

const HASH_FOR_PENCIL =
  "SCRAM-SHA-256$4096:RWscCRah9Ssn3ebuIitFqA==$ddr11zZefQ2u9v5syOg/d6Ko9dTOqy1oyffHaZ4MnXc=:eNptDOrjC2Cfn3gKRN0QdNAumLOt+pCOJa7bQ+K7Hwc="

/** The example from the issue, with bob's hash as `pnpm hash-password` prints it. */
const ISSUE_EXAMPLE = {
  hostname: "mail.example.test",
  dataDir: "/var/mailwire",
  domains: ["example.test"],
  users: [
    { name: "alice", password: "secret", addresses: ["alice@example.test"] },
    { name: "bob", passwordHash: HASH_FOR_PENCIL, addresses: ["bob@example.test"] },
  ],
  listen: { host: "127.0.0.1", smtp: 2525, submission: 2587, pop3: 2110, pop3s: 2995 },
  tls: { cert: "/path/cert.pem", key: "/path/key.pem" },
  relay: { host: "127.0.0.1", port: 10027, secure: false },
}

function problem(value: unknown): string {
  try {
    parseConfig(value, "test.json", "/base")
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error("the configuration was accepted")
}

describe("configuration", () => {
  it("accepts the issue's example shape", () => {
    const config = parseConfig(ISSUE_EXAMPLE, "test.json", "/base")
    expect(config.hostname).toBe("mail.example.test")
    expect(config.dataDir).toBe("/var/mailwire")
    expect(config.listen).toEqual({ host: "127.0.0.1", ...DEFAULT_PORTS })
    expect(config.tls).toEqual({ cert: "/path/cert.pem", key: "/path/key.pem" })
    expect(config.relay).toMatchObject({ host: "127.0.0.1", port: 10027, secure: false })
    expect(config.users.map((u) => [u.name, u.addresses])).toEqual([
      ["alice", ["alice@example.test"]],
      ["bob", ["bob@example.test"]],
    ])
  })

  it("keeps a plain password only as SCRAM-SHA-256 credentials", () => {
    const config = parseConfig(ISSUE_EXAMPLE, "test.json", "/base")
    const alice = config.users[0]!
    expect(alice.credentials.algorithm).toBe("SHA-256")
    expect(JSON.stringify(config)).not.toContain('"secret"')
    expect(checkPassword(alice.credentials, "secret")).toBe(true)
    expect(checkPassword(alice.credentials, "Secret")).toBe(false)
  })

  it("uses a passwordHash as given (RFC 5803 form)", () => {
    const bob = parseConfig(ISSUE_EXAMPLE, "test.json", "/base").users[1]!
    expect(bob.credentials).toEqual(parseScramCredentials(HASH_FOR_PENCIL))
    expect(checkPassword(bob.credentials, "pencil")).toBe(true)
  })

  it("fills in the defaults: limits, queue schedule, no relay, generated certificate", () => {
    const config = parseConfig(
      { domains: ["example.test"], users: [{ name: "a", password: "p" }] },
      "test.json",
      "/base",
    )
    expect(config.hostname).toBe("localhost")
    expect(config.dataDir).toBe(DEFAULT_DATA_DIR)
    expect(config.listen).toEqual({ host: "127.0.0.1", ...DEFAULT_PORTS })
    expect(config.limits.messageSize).toBe(DEFAULT_MESSAGE_SIZE)
    expect(config.queue.retryDelaysMs).toEqual(DEFAULT_RETRY_DELAYS_SECONDS.map((s) => s * 1000))
    expect(config.relay).toBeNull()
    expect(config.tls).toBeNull()
  })

  it("puts the default data directory under the project", () => {
    expect(DEFAULT_DATA_DIR).toBe(join(PROJECT_ROOT, ".mailwire-data"))
    expect(statSync(join(PROJECT_ROOT, "pnpm-workspace.yaml")).isFile()).toBe(true)
  })

  it("resolves relative paths against the config file's directory", () => {
    const config = parseConfig(
      {
        ...ISSUE_EXAMPLE,
        dataDir: "data",
        tls: { cert: "tls/cert.pem", key: "/abs/key.pem" },
        relay: { host: "relay.test", tls: { ca: "ca.pem" } },
      },
      "test.json",
      "/etc/mailwire",
    )
    expect(config.dataDir).toBe("/etc/mailwire/data")
    expect(config.tls).toEqual({ cert: "/etc/mailwire/tls/cert.pem", key: "/abs/key.pem" })
    expect(config.relay?.tls.ca).toBe("/etc/mailwire/ca.pem")
    expect(config.relay?.port).toBe(25)
  })

  it.each([
    [{ ...ISSUE_EXAMPLE, listen: { smtp: "25" } }, /field "listen\.smtp"/],
    [{ ...ISSUE_EXAMPLE, listen: { smtp: 70000 } }, /field "listen\.smtp"/],
    [{ ...ISSUE_EXAMPLE, domains: [] }, /field "domains"/],
    [{ ...ISSUE_EXAMPLE, users: [{ name: "x", addresses: [] }] }, /field "users\.0\.password"/],
    [
      { ...ISSUE_EXAMPLE, users: [{ name: "x", password: "a", passwordHash: HASH_FOR_PENCIL }] },
      /field "users\.0\.password": give exactly one/,
    ],
    [
      { ...ISSUE_EXAMPLE, users: [{ name: "x", passwordHash: "$2b$10$bcrypt" }] },
      /field "users\.0\.passwordHash": must be SCRAM credentials/,
    ],
    [{ ...ISSUE_EXAMPLE, users: [{ name: "../etc", password: "p" }] }, /field "users\.0\.name"/],
    [
      { ...ISSUE_EXAMPLE, users: [{ name: "x", password: "p", addresses: ["not an address"] }] },
      /field "users\.0\.addresses\.0"/,
    ],
    [
      { ...ISSUE_EXAMPLE, users: [{ name: "x", password: "p", addresses: ["x@other.test"] }] },
      /field "users\.0\.addresses\.0": x@other\.test is not in one of the domains/,
    ],
    [
      {
        ...ISSUE_EXAMPLE,
        users: [
          { name: "x", password: "p", addresses: ["x@example.test"] },
          { name: "y", password: "p", addresses: ["X@example.test"] },
        ],
      },
      /field "users\.1\.addresses\.0": x@example\.test belongs to two users/,
    ],
    [
      { ...ISSUE_EXAMPLE, aliases: { "postmaster@example.test": ["nobody"] } },
      /field "aliases\.postmaster@example\.test": nobody is not a configured user/,
    ],
    [{ ...ISSUE_EXAMPLE, relay: { port: 25 } }, /field "relay\.host"/],
    [{ ...ISSUE_EXAMPLE, queue: { retryDelays: [0] } }, /field "queue\.retryDelays\.0"/],
    [{ ...ISSUE_EXAMPLE, listen: { smtp: 2525, pop3: 2525 } }, /field "listen": two listeners/],
    [{ ...ISSUE_EXAMPLE, colour: "blue" }, /colour/],
  ])("names the field of a mistake (%#)", (value, pattern) => {
    expect(problem(value)).toMatch(pattern)
  })

  it("reports a file that is not JSON with its path", () => {
    const dir = mkdtempSync(join(tmpdir(), "mailwire-config-"))
    const file = join(dir, "config.json")
    writeFileSync(file, "{ hostname: ")
    expect(() => readConfigFile(file)).toThrow(new RegExp(`${file}: not valid JSON`))
    expect(() => readConfigFile(join(dir, "missing.json"))).toThrow(/cannot read/)
  })

  it("finds the file from --config, --config=, or MAILWIRE_CONFIG, in that order", () => {
    expect(configPath(["--config", "a.json"], { MAILWIRE_CONFIG: "b.json" })).toBe("a.json")
    expect(configPath(["--config=c.json"], {})).toBe("c.json")
    expect(configPath([], { MAILWIRE_CONFIG: "b.json" })).toBe("b.json")
    expect(configPath([], {})).toBeNull()
    expect(() => configPath(["--config"], {})).toThrow(ConfigError)
  })

  it("reads a relative config path from where pnpm was invoked (INIT_CWD)", () => {
    const dir = mkdtempSync(join(tmpdir(), "mailwire-initcwd-"))
    writeFileSync(join(dir, "mail.json"), JSON.stringify({ ...ISSUE_EXAMPLE, dataDir: "d" }))
    const config = loadConfig(["--config", "mail.json"], { INIT_CWD: dir }, "/elsewhere")
    expect(config.dataDir).toBe(join(dir, "d"))
    expect(loadConfig([], { MAILWIRE_CONFIG: "mail.json" }, dir).dataDir).toBe(join(dir, "d"))
  })

  it("makes a demo user whose password stays the same across starts", () => {
    const dir = mkdtempSync(join(tmpdir(), "mailwire-demo-"))
    const first = defaultConfig(dir)
    const second = defaultConfig(dir)
    expect(first.demo?.name).toBe("demo")
    expect(first.demo?.password).toMatch(/^[A-Za-z0-9_-]{12}$/)
    expect(second.demo?.password).toBe(first.demo?.password)
    expect(statSync(join(dir, "demo-password")).mode & 0o777).toBe(0o600)
    expect(readFileSync(join(dir, "demo-password"), "utf8").trim()).toBe(first.demo?.password)
    expect(first.users[0]!.addresses).toEqual(["demo@localhost"])
    expect(checkPassword(first.users[0]!.credentials, first.demo!.password)).toBe(true)
  })

  it("pnpm hash-password prints a hash the config accepts for that password", async () => {
    const result = await run("node", ["--import", "tsx", "src/hash-password.ts"], {
      cwd: EXAMPLE_DIR,
      input: "correct horse\n",
      timeoutMs: 20_000,
    })
    expect(result.code, result.stderr).toBe(0)
    const hash = result.stdout.trim()
    expect(hash).toMatch(/^SCRAM-SHA-256\$4096:/)
    const config = parseConfig(
      { domains: ["example.test"], users: [{ name: "carol", passwordHash: hash }] },
      "test.json",
      "/base",
    )
    expect(checkPassword(config.users[0]!.credentials, "correct horse")).toBe(true)
    expect(checkPassword(config.users[0]!.credentials, "correct horse\n")).toBe(false)
  })

  it("a wrong config file stops the server with exit code 1 and the field named", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mailwire-badconfig-"))
    const file = join(dir, "config.json")
    writeFileSync(file, JSON.stringify({ ...ISSUE_EXAMPLE, listen: { pop3s: -1 } }))
    const result = await run("node", ["--import", "tsx", "src/main.ts", "--config", file], {
      cwd: EXAMPLE_DIR,
      timeoutMs: 20_000,
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^mailwire: .*config\.json: field "listen\.pop3s"/)
  })
})
