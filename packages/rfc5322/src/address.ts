/**
 * Reading address lists (RFC 5322 §3.4, §3.4.1, §4.4; RFC 6532 §3.2): mailboxes with
 * or without display names, groups (empty ones and `undisclosed-recipients:;` too),
 * comments anywhere, obs-route, obs-local-part, domain literals and UTF-8.
 *
 * Tolerant to read: nothing throws; what the grammar does not allow is recorded as a
 * defect and read the way most mail software reads it. Strict where it matters for
 * safety: quoted-strings are single tokens, so a quoted local part holding `@`, `,` or
 * `<` is never split, and the returned `address` re-quotes it, so it cannot be routed
 * to the wrong domain (nodemailer GHSA-mm7p-fcc7-pg87, Python CVE-2023-27043).
 *
 * Encoded-words (RFC 2047) in names are left as written; `@mailwire/mime` decodes them.
 * Writing lives in `address-format.ts`.
 */
import { type Defect, defect } from "./defect.js"
import { unfold } from "./fold.js"
import { isAtext, type Token, tokenize } from "./lexer.js"

/**
 * A mailbox (RFC 5322 §3.4): a display name (empty when there is none) and an
 * addr-spec. `address` is in canonical form: the local part is a dot-atom when it can
 * be one and a quoted-string otherwise, CFWS and obs-route removed. It is `""` for the
 * null address `<>`.
 */
export interface Mailbox {
  type: "mailbox"
  name: string
  address: string
}

/** A group (RFC 5322 §3.4): a display name and its mailboxes, possibly none. */
export interface Group {
  type: "group"
  name: string
  members: Mailbox[]
}

/** The result of {@link parseAddressList}: an address-list (RFC 5322 §3.4) and its defects. */
export interface AddressListData {
  addresses: Array<Mailbox | Group>
  defects: Defect[]
}

/**
 * Reads an address list such as the value of `To`, `Cc`, `From` or `Reply-To`
 * (RFC 5322 §3.4, §4.4). Never throws.
 *
 * @example
 * ```ts
 * parseAddressList('"Doe, Jane" <jane@example.test>, team: bob@example.test;')
 * // addresses: [{ type: "mailbox", name: "Doe, Jane", address: "jane@example.test" },
 * //             { type: "group", name: "team", members: [{ type: "mailbox", name: "", address: "bob@example.test" }] }]
 * ```
 */
export function parseAddressList(text: string): AddressListData {
  const defects: Defect[] = []
  const tokens = tokenize(unfold(text), defects)
  const addresses: Array<Mailbox | Group> = []
  let i = 0
  while (i < tokens.length) {
    const token = tokens[i]!
    if (isSpecial(token, ",") || isSpecial(token, ";")) {
      if (token.text === ";") {
        defects.push(defect("UNEXPECTED_TOKEN", "';' used to separate addresses", token.start))
      }
      i++
      continue
    }
    const end = addressEnd(tokens, i)
    if (end.groupColon === -1) {
      const mailbox = readMailbox(tokens, i, end.end, defects)
      if (mailbox !== null) addresses.push(mailbox)
    } else {
      addresses.push(readGroup(tokens, i, end.groupColon, end.end, defects))
    }
    i = end.end
  }
  return { addresses, defects }
}

/**
 * Reads a single mailbox, such as the value of `Sender` (§3.6.2); `null` if none. More
 * than one address, or a group, is an `UNEXPECTED_TOKEN` defect and the first mailbox
 * is returned.
 *
 * @example
 * ```ts
 * parseMailbox("Michael Jones <mjones@machine.example>").mailbox
 * // { type: "mailbox", name: "Michael Jones", address: "mjones@machine.example" }
 * ```
 */
export function parseMailbox(text: string): { mailbox: Mailbox | null; defects: Defect[] } {
  const { addresses, defects } = parseAddressList(text)
  const mailboxes = addresses.flatMap((a) => (a.type === "group" ? a.members : [a]))
  if (addresses.length !== 1 || addresses[0]?.type !== "mailbox") {
    defects.push(defect("UNEXPECTED_TOKEN", "expected exactly one mailbox"))
  }
  return { mailbox: mailboxes[0] ?? null, defects }
}

function isSpecial(token: Token, char: string): boolean {
  return token.kind === "special" && token.text === char
}

/**
 * Finds where the address starting at `from` ends: at a comma outside angle brackets,
 * or — for a group, which starts with `phrase ":"` — after its closing `;`. A `;`
 * outside a group separates addresses like a comma: Outlook users type it, and it
 * leaks into headers written by scripts.
 */
function addressEnd(tokens: Token[], from: number): { end: number; groupColon: number } {
  let angle = -1
  let hasAddressPart = false
  let groupColon = -1
  for (let i = from; i < tokens.length; i++) {
    const token = tokens[i]!
    if (token.kind !== "special") continue
    const char = token.text
    if (angle !== -1) {
      const isMissingClose = char === "," && !isRoute(tokens, angle)
      if (char === ">" || isMissingClose) angle = -1
      if (!isMissingClose) continue
    }
    if (char === "<") {
      angle = i
      hasAddressPart = true
    } else if (char === "@") hasAddressPart = true
    else if (char === ":" && groupColon === -1 && !hasAddressPart) groupColon = i
    else if (char === ";") return { end: groupColon === -1 ? i : i + 1, groupColon }
    else if (char === "," && groupColon === -1) return { end: i, groupColon }
  }
  return { end: tokens.length, groupColon }
}

/** Where the group member starting at `from` ends: the next comma outside brackets. */
function memberEnd(tokens: Token[], from: number, end: number): number {
  let angle = -1
  for (let i = from; i < end; i++) {
    const token = tokens[i]!
    if (token.kind !== "special") continue
    if (angle !== -1) {
      const isMissingClose = token.text === "," && !isRoute(tokens, angle)
      if (token.text === ">" || isMissingClose) angle = -1
      if (!isMissingClose) continue
    }
    if (token.text === "<") angle = i
    else if (token.text === ",") return i
  }
  return end
}

/**
 * Whether the angle bracket at `lt` opens an obs-route (`<@a,@b:x@y>`, §4.4), the only
 * place a comma may appear inside brackets. Elsewhere a comma means the `>` is missing.
 */
function isRoute(tokens: Token[], lt: number): boolean {
  const next = tokens[lt + 1]
  return next !== undefined && isSpecial(next, "@")
}

function readGroup(
  tokens: Token[],
  from: number,
  colon: number,
  end: number,
  defects: Defect[],
): Group {
  const name = phrase(tokens, from, colon, defects)
  const closed = end > colon && isSpecial(tokens[end - 1]!, ";")
  const membersEnd = closed ? end - 1 : end
  if (!closed) defects.push(defect("UNTERMINATED", `group "${name}" is not closed with ";"`))
  const members: Mailbox[] = []
  let i = colon + 1
  while (i < membersEnd) {
    if (isSpecial(tokens[i]!, ",")) {
      i++
      continue
    }
    const stop = memberEnd(tokens, i, membersEnd)
    const mailbox = readMailbox(tokens, nestedGroupEnd(tokens, i, stop, defects), stop, defects)
    if (mailbox !== null) members.push(mailbox)
    i = stop
  }
  return { type: "group", name, members }
}

/**
 * Where a member starts once the name of a group nested inside a group (`a: b: c@x;`),
 * which §3.4 does not allow, is dropped; its mailboxes become members of the outer one.
 */
function nestedGroupEnd(tokens: Token[], from: number, end: number, defects: Defect[]): number {
  for (let i = from; i < end; i++) {
    const token = tokens[i]!
    if (token.kind !== "special") continue
    if (token.text === "<" || token.text === "@") return from
    if (token.text === ":") {
      defects.push(
        defect("NESTED_GROUP", "a group inside a group; its name was dropped", token.start),
      )
      return i + 1
    }
  }
  return from
}

/** Reads the mailbox in `tokens[from, end)`; `null` when it holds only comments. */
function readMailbox(
  tokens: Token[],
  from: number,
  end: number,
  defects: Defect[],
): Mailbox | null {
  let lt = -1
  for (let i = from; i < end; i++) {
    if (isSpecial(tokens[i]!, "<")) {
      lt = i
      break
    }
  }
  if (lt === -1) {
    let first = from
    while (first < end && tokens[first]!.kind === "comment") first++
    if (first === end) return null
    let last = end
    while (tokens[last - 1]!.kind === "comment") last--
    const words = tokens.slice(first, last).filter((t) => t.kind !== "comment")
    const address = addrSpec(words, defects)
    return { type: "mailbox", name: commentName(tokens, from, first, last, end), address }
  }
  let gt = end
  for (let i = lt + 1; i < end; i++) {
    if (isSpecial(tokens[i]!, ">")) {
      gt = i
      break
    }
  }
  if (gt === end)
    defects.push(defect("UNTERMINATED", "an angle address is not closed", tokens[lt]!.start))
  for (let i = gt + 1; i < end; i++) {
    const token = tokens[i]!
    if (token.kind !== "comment") {
      defects.push(
        defect("UNEXPECTED_TOKEN", `unexpected "${token.text}" after an address`, token.start),
      )
    }
  }
  const inner = tokens.slice(lt + 1, gt).filter((t) => t.kind !== "comment")
  let address = ""
  if (inner.length === 0) {
    defects.push(defect("EMPTY_ADDRESS", "<> is not a mailbox", tokens[lt]!.start))
  } else {
    address = addrSpec(withoutRoute(inner, defects), defects)
  }
  let name = phrase(tokens, from, lt, defects)
  if (name === "") name = commentName(tokens, from, lt, gt + 1, end)
  return { type: "mailbox", name, address }
}

/** Drops an obs-route (`@a,@b:`) in front of an addr-spec (§4.4). */
function withoutRoute(tokens: Token[], defects: Defect[]): Token[] {
  if (!isSpecial(tokens[0]!, "@")) return tokens
  const colon = tokens.findIndex((t) => isSpecial(t, ":"))
  if (colon === -1) {
    defects.push(defect("UNEXPECTED_TOKEN", "a route has no ':'", tokens[0]!.start))
    return tokens
  }
  return tokens.slice(colon + 1)
}

/**
 * The display name in `tokens[from, end)` (§3.2.5 phrase, §4.1 obs-phrase): words
 * joined by one space where white space or a comment separated them, quoted-string
 * contents kept exactly. Other specials are kept too, with a defect: unquoted names
 * such as `john@example.com <john@example.com>` are common in real mail.
 */
function phrase(tokens: Token[], from: number, end: number, defects: Defect[]): string {
  let out = ""
  let hasWord = false
  for (let i = from; i < end; i++) {
    const token = tokens[i]!
    if (token.kind === "comment") continue
    if (token.kind === "special" && token.text !== ".") {
      defects.push(defect("UNEXPECTED_TOKEN", `unquoted "${token.text}" in a name`, token.start))
    }
    if (hasWord && token.hasSpaceBefore) out += " "
    out += token.text
    hasWord = true
  }
  return out
}

/**
 * The display name of a mailbox without a phrase, taken from a comment as RFC 822-era
 * mailers (BSD mail, early Sendmail setups) wrote it: `jane@example.test (Jane Doe)`.
 * The first comment after the address wins, else the first one before it
 * (`tokens[from, before)` and `tokens[after, end)`); comments inside the address
 * annotate its parts and are never names.
 */
function commentName(
  tokens: Token[],
  from: number,
  before: number,
  after: number,
  end: number,
): string {
  return firstComment(tokens, after, end) || firstComment(tokens, from, before)
}

function firstComment(tokens: Token[], from: number, end: number): string {
  for (let i = from; i < end; i++) {
    const token = tokens[i]!
    if (token.kind === "comment") return token.text.trim()
  }
  return ""
}

/** Canonical `local@domain` from addr-spec tokens without comments (§3.4.1, §4.4). */
function addrSpec(tokens: Token[], defects: Defect[]): string {
  if (tokens.length === 0) {
    // `<@a:>`: an obs-route with no addr-spec after it.
    defects.push(defect("MISSING_DOMAIN", "an address is empty after its route"))
    return ""
  }
  let at = -1
  let ats = 0
  for (let i = 0; i < tokens.length; i++) {
    if (isSpecial(tokens[i]!, "@")) {
      at = i
      ats++
    }
  }
  if (ats > 1) {
    defects.push(
      defect("MULTIPLE_AT", "an address has more than one unquoted '@'", tokens[0]!.start),
    )
  }
  if (at === -1) {
    defects.push(defect("MISSING_DOMAIN", "an address has no '@domain'", tokens[0]!.start))
    return quoteLocalPart(localPart(tokens, defects))
  }
  const local = quoteLocalPart(localPart(tokens.slice(0, at), defects))
  return `${local}@${domain(tokens.slice(at + 1), defects, tokens[at]!.start)}`
}

/**
 * The local part's value: words and dots, quoted-string contents unquoted (§3.4.1).
 * An extra unquoted `@` (already a `MULTIPLE_AT` defect) joins words like a dot.
 */
function localPart(tokens: Token[], defects: Defect[]): string {
  let out = ""
  let previous: Token | undefined
  for (const token of tokens) {
    const isDot = isSpecial(token, ".") || isSpecial(token, "@")
    const wasDot = previous !== undefined && (isSpecial(previous, ".") || isSpecial(previous, "@"))
    if (previous !== undefined && !isDot && !wasDot) {
      defects.push(
        defect("INVALID_LOCAL_PART", "words of a local part are not joined by '.'", token.start),
      )
      if (token.hasSpaceBefore) out += " "
    }
    if (token.kind === "special" && !isDot) {
      defects.push(
        defect("UNEXPECTED_TOKEN", `unexpected "${token.text}" in a local part`, token.start),
      )
    }
    out += token.text
    previous = token
  }
  return out
}

function domain(tokens: Token[], defects: Defect[], at: number): string {
  if (tokens.length === 0) {
    defects.push(defect("MISSING_DOMAIN", "an address has nothing after '@'", at))
    return ""
  }
  let out = ""
  let isValid = true
  let previous: Token | undefined
  for (const token of tokens) {
    const isDot = isSpecial(token, ".")
    const wasDot = previous !== undefined && isSpecial(previous, ".")
    if (!isDot && token.kind !== "atom" && !(token.kind === "literal" && tokens.length === 1)) {
      isValid = false
    }
    if (previous !== undefined && !isDot && !wasDot) isValid = false
    // A quoted-string has no place in a domain: it keeps its quotes, so the value can
    // never read back as a different, valid address (`a" ` is not the domain `a`).
    out += token.kind === "quoted" ? `"${token.text.replace(/[\\"]/g, "\\$&")}"` : token.text
    previous = token
  }
  if (!isValid || out.startsWith(".") || out.endsWith(".") || out.includes("..")) {
    defects.push(defect("INVALID_DOMAIN", `"${out}" is not a valid domain`, tokens[0]!.start))
  }
  return out
}

/**
 * Reads `text` as exactly one addr-spec (§3.4.1) for a writer: no comments, no angle
 * brackets, no route. Returns its canonical form, or `null` if it is anything else.
 */
export function canonicalAddrSpec(text: string): string | null {
  const defects: Defect[] = []
  const tokens = tokenize(text, defects)
  const isPlain = tokens.every(
    (t) => t.kind !== "comment" && (t.kind !== "special" || t.text === "@" || t.text === "."),
  )
  if (!isPlain || tokens.length === 0) return null
  const address = addrSpec(tokens, defects)
  return defects.length === 0 ? address : null
}

/** Whether `text` is a dot-atom-text (§3.2.3): atext runs joined by single dots. */
export function isDotAtom(text: string): boolean {
  if (text === "" || text.startsWith(".") || text.endsWith(".") || text.includes("..")) {
    return false
  }
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code !== 0x2e && !isAtext(code)) return false
  }
  return true
}

/** `text` as a dot-atom if it is one, otherwise as a quoted-string (§3.2.4). */
export function quoteLocalPart(text: string): string {
  return isDotAtom(text) ? text : `"${text.replace(/[\\"]/g, "\\$&")}"`
}
