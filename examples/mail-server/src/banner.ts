/**
 * What `pnpm start` prints once it listens: the ports, the demo user's name and password
 * (when the defaults made one), and commands for real clients — swaks or curl to send,
 * curl or Python's poplib to read — with the certificate they must trust.
 *
 * What it does not do: print passwords from a configuration file; only the demo user's,
 * which exists to be typed in.
 */
import type { ServerConfig } from "./config.js"
import type { RunningServer } from "./server.js"

/** The text printed after start. */
export function connectionHelp(
  config: ServerConfig,
  server: Pick<RunningServer, "ports" | "certPath">,
): string {
  const host = config.listen.host
  const { smtp, submission, pop3, pop3s } = server.ports
  const user = config.demo?.name ?? config.users[0]?.name ?? "USER"
  const password = config.demo?.password ?? "PASSWORD"
  const address =
    config.users.find((u) => u.name === user)?.addresses[0] ?? `${user}@${config.domains[0]}`
  const cert = server.certPath
  const lines = [
    "",
    `mailwire mail server for ${config.domains.join(", ")} (data in ${config.dataDir})`,
    `  SMTP (MX, local domains only)        ${host}:${smtp}`,
    `  submission (STARTTLS, AUTH required) ${host}:${submission}`,
    `  POP3 (STLS)                          ${host}:${pop3}`,
    `  POP3S (implicit TLS)                 ${host}:${pop3s}`,
    `  TLS certificate to trust             ${cert}`,
  ]
  if (config.demo !== null) {
    lines.push(
      `  demo user: ${config.demo.name}  password: ${config.demo.password}  address: ${address}`,
    )
  }
  lines.push(
    "",
    "Send a message (swaks, through submission):",
    `  swaks --server ${host}:${submission} --tls --tls-ca-path ${cert} --auth PLAIN \\`,
    `    --auth-user ${user} --auth-password '${password}' --from ${address} --to ${address}`,
    "Or with curl:",
    `  printf 'Subject: hello\\r\\n\\r\\nHello from curl\\r\\n' > /tmp/msg.eml`,
    `  curl --ssl-reqd --cacert ${cert} --user '${user}:${password}' \\`,
    `    --mail-from ${address} --mail-rcpt ${address} -T /tmp/msg.eml smtp://localhost:${submission}`,
    "Read it (POP3 over TLS):",
    `  curl --cacert ${cert} --user '${user}:${password}' pop3s://localhost:${pop3s}/1`,
    "Stop with Ctrl-C.",
    "",
  )
  return `${lines.join("\n")}\n`
}
