/**
 * Reading message identifiers (RFC 5322 §3.6.4, §4.5.4) from `Message-ID`,
 * `In-Reply-To`, `References` and their `Resent-` forms.
 *
 * Tolerant: ids without angle brackets are taken when they hold an `@` (some
 * mailing-list software and scripts write them so), white space and comments inside
 * brackets are dropped, and anything between ids — the phrases of obs-in-reply-to
 * such as `"Your message of Monday"`, or stray text — is skipped. One linear pass.
 *
 * It does not check that an id is globally unique or well formed beyond that.
 */
import { type Defect, defect } from "./defect.js"
import { unfold } from "./fold.js"
import { tokenize } from "./lexer.js"

/** The result of {@link parseMessageIds}: msg-ids (RFC 5322 §3.6.4) without their angle brackets. */
export interface MessageIdsData {
  ids: string[]
  defects: Defect[]
}

/**
 * Reads the message ids in a field value (§3.6.4), in order, without `<` and `>`.
 *
 * @example
 * ```ts
 * parseMessageIds("<1234@local.machine.example> <3456@example.net>")
 * // { ids: ["1234@local.machine.example", "3456@example.net"], defects: [] }
 * ```
 */
export function parseMessageIds(text: string): MessageIdsData {
  const defects: Defect[] = []
  const tokens = tokenize(unfold(text), defects)
  const ids: string[] = []
  let i = 0
  while (i < tokens.length) {
    const token = tokens[i]!
    if (token.kind === "special" && token.text === "<") {
      let id = ""
      let j = i + 1
      for (; j < tokens.length; j++) {
        const inner = tokens[j]!
        if (inner.kind === "special" && inner.text === ">") break
        if (inner.kind === "comment") continue
        id += inner.kind === "quoted" ? `"${inner.text.replace(/[\\"]/g, "\\$&")}"` : inner.text
      }
      if (j >= tokens.length) {
        defects.push(defect("UNTERMINATED", "a message id is not closed with '>'", token.start))
      }
      if (id !== "") ids.push(id)
      i = j + 1
      continue
    }
    if (token.kind === "atom" || token.kind === "special") {
      let id = ""
      let j = i
      for (; j < tokens.length; j++) {
        const part = tokens[j]!
        const isPart =
          part.kind === "atom" || part.kind === "literal" || isIdSpecial(part.text, part.kind)
        if (!isPart || (j > i && part.hasSpaceBefore)) break
        id += part.text
      }
      if (/^[^@]+@[^@]+$/.test(id)) {
        defects.push(
          defect("MISSING_BRACKETS", `message id ${id} is not in angle brackets`, token.start),
        )
        ids.push(id)
      }
      i = Math.max(j, i + 1)
      continue
    }
    i++
  }
  return { ids, defects }
}

function isIdSpecial(text: string, kind: string): boolean {
  return kind === "special" && (text === "@" || text === ".")
}
