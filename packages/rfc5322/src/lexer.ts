/**
 * The lexical layer of structured header fields (RFC 5322 §3.2, §4.1; RFC 6532 §3.2):
 * atoms, quoted-strings, comments, domain literals and the specials between them.
 *
 * One pass, no backtracking: nested comments are tracked with a depth counter, so any
 * input — however deeply nested or however many commas — is read in linear time. An
 * unclosed quoted-string, comment or domain literal runs to the end of the text and is
 * recorded as an `UNTERMINATED` defect.
 *
 * It does not know what the tokens mean; `address.ts` and `message-id.ts` do.
 */
import { type Defect, defect } from "./defect.js"

/** A lexical token of a structured field value (RFC 5322 §3.2, §4.1). */
export interface Token {
  /**
   * `atom`: a run of atext (RFC 6532 adds every non-ASCII character);
   * `quoted`: a quoted-string, `text` without quotes and with quoted-pairs resolved;
   * `literal`: a domain literal, `text` with its brackets and without white space;
   * `comment`: a comment, `text` without its outer parentheses;
   * `special`: one character that is none of the above (`<`, `@`, `,`, stray `)` …).
   */
  kind: "atom" | "quoted" | "literal" | "comment" | "special"
  text: string
  /** Whether white space or a comment came right before this token. */
  hasSpaceBefore: boolean
  /** Index in the text where the token starts. */
  start: number
}

/**
 * atext (§3.2.3): ALPHA, DIGIT and ``!#$%&'*+-/=?^_`{|}~``; RFC 6532 §3.2 adds every
 * character above U+007F.
 */
export function isAtext(code: number): boolean {
  return code >= 0x80 || ATEXT[code] === 1
}

const ATEXT = new Uint8Array(128)
for (let code = 0; code < 128; code++) {
  const char = String.fromCharCode(code)
  if (/[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]/.test(char)) ATEXT[code] = 1
}

function isWhiteSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a
}

/** Splits a field value into tokens; problems go to `defects`. */
export function tokenize(text: string, defects: Defect[]): Token[] {
  const tokens: Token[] = []
  let hasSpaceBefore = false
  let i = 0
  while (i < text.length) {
    const code = text.charCodeAt(i)
    if (isWhiteSpace(code)) {
      hasSpaceBefore = true
      i++
      continue
    }
    const start = i
    let token: Token
    if (code === 0x28) {
      const end = readDelimited(text, i + 1, 0x29, true)
      token = {
        kind: "comment",
        text: withoutControls(end.text, start, defects),
        hasSpaceBefore,
        start,
      }
      if (!end.isClosed) defects.push(defect("UNTERMINATED", "a comment is not closed", start))
      i = end.next
    } else if (code === 0x22) {
      const end = readDelimited(text, i + 1, 0x22, false)
      token = {
        kind: "quoted",
        text: withoutControls(end.text, start, defects),
        hasSpaceBefore,
        start,
      }
      if (!end.isClosed)
        defects.push(defect("UNTERMINATED", "a quoted-string is not closed", start))
      i = end.next
    } else if (code === 0x5b) {
      const end = readDelimited(text, i + 1, 0x5d, false)
      token = { kind: "literal", text: literalText(text, i, end, defects), hasSpaceBefore, start }
      if (!end.isClosed)
        defects.push(defect("UNTERMINATED", "a domain literal is not closed", start))
      i = end.next
    } else if (code === 0) {
      defects.push(defect("UNEXPECTED_TOKEN", "a NUL character was dropped", start))
      i++
      continue
    } else if (isAtext(code)) {
      let end = i + 1
      while (end < text.length && isAtext(text.charCodeAt(end))) end++
      token = { kind: "atom", text: text.slice(i, end), hasSpaceBefore, start }
      i = end
    } else {
      token = { kind: "special", text: text[i]!, hasSpaceBefore, start }
      i++
    }
    tokens.push(token)
    hasSpaceBefore = token.kind === "comment"
  }
  return tokens
}

/**
 * `text` without CR, LF and NUL. Folding is undone before tokenizing, so any line break
 * left inside a quoted-string or comment is a bare one (or an obs-qp `\<CR>`, §4.1); no
 * name or address handed out may carry one into a header or an SMTP command.
 */
function withoutControls(text: string, start: number, defects: Defect[]): string {
  if (!/[\r\n\0]/.test(text)) return text
  defects.push(defect("UNEXPECTED_TOKEN", "CR, LF or NUL inside a quoted text was dropped", start))
  return text.replace(/[\r\n\0]+/g, "")
}

/**
 * A domain literal (§3.4.1) in canonical form: brackets kept, white space removed. dtext
 * has no `[`, `]` or `\`; the obs-dtext quoted-pair (§4.4) can put them in, so they are
 * written back escaped — `a@[x\]>,<b@evil]` stays one literal when it is read again —
 * and recorded as `INVALID_DOMAIN`, which makes every writer refuse the address.
 */
function literalText(
  text: string,
  open: number,
  end: { text: string; next: number; isClosed: boolean },
  defects: Defect[],
): string {
  const content = end.text.replace(/[ \t\r\n\0]+/g, "")
  const raw = text.slice(open + 1, end.next)
  if (!raw.includes("\\") && !content.includes("[")) return `[${content}]`
  defects.push(defect("INVALID_DOMAIN", "a domain literal holds '[', ']' or '\\'", open))
  return `[${content.replace(/[[\]\\]/g, "\\$&")}]`
}

/**
 * Reads up to the closing `close` character, resolving quoted-pairs (§3.2.1, and the
 * obs-qp of §4.1, which allows any character after the backslash). With `isNesting`,
 * parentheses nest (comments, §3.2.2) and inner ones are kept in the text.
 */
function readDelimited(
  text: string,
  from: number,
  close: number,
  isNesting: boolean,
): { text: string; next: number; isClosed: boolean } {
  let out = ""
  let runStart = from
  let depth = 0
  let i = from
  while (i < text.length) {
    const code = text.charCodeAt(i)
    if (code === 0x5c && i + 1 < text.length) {
      out += text.slice(runStart, i)
      runStart = i + 1
      i += 2
      continue
    }
    if (isNesting && code === 0x28) depth++
    else if (code === close) {
      if (depth === 0) return { text: out + text.slice(runStart, i), next: i + 1, isClosed: true }
      depth--
    }
    i++
  }
  return { text: out + text.slice(runStart), next: text.length, isClosed: false }
}
