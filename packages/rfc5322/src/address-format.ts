/**
 * Writing mailboxes, groups and address lists (RFC 5322 §3.4, §3.2.5; RFC 6532 §3.2).
 *
 * Strict: a display name is quoted (and `"`/`\` escaped) only when it is not already a
 * run of atoms separated by single spaces; an address must read back as exactly one
 * addr-spec and is written in canonical form; CR, LF and NUL anywhere are a
 * `LocalProtocolError`, so a name or address can never add a header line.
 *
 * It does not fold (use `foldHeader`) and does not encode non-ASCII names as
 * encoded-words (RFC 2047 is `@mailwire/mime`'s job); UTF-8 names are written as they
 * are, as RFC 6532 allows.
 */
import { LocalProtocolError } from "@mailwire/wire"
import { canonicalAddrSpec, type Group, type Mailbox } from "./address.js"
import { checkFieldValue } from "./fold.js"
import { isAtext } from "./lexer.js"

/**
 * Writes one mailbox or group (§3.4): `Name <local@domain>`, `local@domain` when there
 * is no name, `Name: a@x, b@y;` for a group.
 *
 * @example
 * ```ts
 * formatAddress({ type: "mailbox", name: "Doe, Jane", address: "jane@example.test" })
 * // '"Doe, Jane" <jane@example.test>'
 * ```
 */
export function formatAddress(address: Mailbox | Group): string {
  if (address.type === "group") {
    const members = address.members.map(formatMailbox).join(", ")
    return `${formatPhrase(address.name, true)}:${members === "" ? "" : ` ${members}`};`
  }
  return formatMailbox(address)
}

/**
 * Writes an address list (§3.4): the addresses joined by `", "`.
 *
 * @example
 * ```ts
 * formatAddressList([
 *   { type: "mailbox", name: "", address: "a@example.test" },
 *   { type: "group", name: "undisclosed-recipients", members: [] },
 * ])
 * // "a@example.test, undisclosed-recipients:;"
 * ```
 */
export function formatAddressList(list: ReadonlyArray<Mailbox | Group>): string {
  return list.map(formatAddress).join(", ")
}

function formatMailbox(mailbox: Mailbox): string {
  if (mailbox.type !== "mailbox") {
    throw new LocalProtocolError("INVALID_ADDRESS", "a group cannot be a member of a group")
  }
  const address = canonicalAddress(mailbox.address)
  if (mailbox.name === "") return address === "" ? "<>" : address
  return `${formatPhrase(mailbox.name, false)} <${address}>`
}

/** `address` in canonical form, or a `LocalProtocolError` if it is not one addr-spec. */
function canonicalAddress(address: string): string {
  checkFieldValue(address, "an address")
  if (address === "") return ""
  const canonical = canonicalAddrSpec(address)
  if (canonical === null) {
    throw new LocalProtocolError(
      "INVALID_ADDRESS",
      `${JSON.stringify(address)} is not a single addr-spec (local@domain)`,
    )
  }
  return canonical
}

/**
 * A display name as a phrase (§3.2.5): as it is when it is atoms separated by single
 * spaces, otherwise a quoted-string. `mustWrite` forces `""` for an empty group name.
 */
function formatPhrase(name: string, mustWrite: boolean): string {
  checkFieldValue(name, "a display name")
  if (name === "") return mustWrite ? '""' : ""
  return isAtomPhrase(name) ? name : `"${name.replace(/[\\"]/g, "\\$&")}"`
}

function isAtomPhrase(name: string): boolean {
  if (name.startsWith(" ") || name.endsWith(" ") || name.includes("  ")) return false
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i)
    if (code !== 0x20 && !isAtext(code)) return false
  }
  return true
}
