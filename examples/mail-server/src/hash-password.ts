/**
 * `pnpm hash-password`: prints the SCRAM-SHA-256 credentials (RFC 5802 §3, in RFC 5803's
 * text form) for a password, to put in the config as a user's `passwordHash` instead of
 * the password. The password comes from the first argument or, safer (it stays out of
 * the shell history), from standard input.
 */
import { readFileSync } from "node:fs"
import { deriveScramCredentials, formatScramCredentials } from "@mailwire/sasl"

const fromArgument = process.argv[2]
if (fromArgument === undefined && process.stdin.isTTY) {
  process.stderr.write("Password, then Enter and Ctrl-D (it is echoed): ")
}
const password = fromArgument ?? readFileSync(0, "utf8").replace(/\r?\n$/, "")
if (password === "") {
  process.stderr.write("usage: pnpm hash-password <password>   (or the password on stdin)\n")
  process.exit(2)
}
const credentials = deriveScramCredentials(password, { algorithm: "SHA-256" })
process.stdout.write(`${formatScramCredentials(credentials)}\n`)
