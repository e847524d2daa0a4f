/**
 * Turning a plain-text body into HTML and an HTML body into plain text, for a message
 * that offers only one of them (what mail clients show; postal-mime and mailparser do
 * the same). Deliberately simple: escape and keep line breaks one way; drop tags,
 * turn block ends into line breaks and decode the common entities the other way. It
 * is not an HTML sanitiser: the HTML it returns for a text body is safe only because
 * every character of the text is escaped.
 */

const ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
}

/** Plain text as HTML: every special character escaped, line breaks as `<br>`. */
export function textToHtml(text: string): string {
  const escaped = text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
  return `<p>${escaped.replace(/\r?\n/g, "<br>\n")}</p>`
}

/**
 * HTML as plain text: scripts, styles and tags dropped, block ends as line breaks.
 *
 * Linear in the length of the HTML: the tag and element scans below never search the
 * same text twice, so a body of unclosed `<script` or `<` or of endless spaces (each
 * made regular expressions rescan the rest of the text, quadratic time) costs no more
 * than any other body of that size.
 */
export function htmlToText(html: string): string {
  const text = withoutTags(withoutHiddenElements(html)).replace(
    /&(#x[0-9a-f]+|#\d+|[a-z]+);/gi,
    (all, name: string) => {
      if (name[0] === "#") {
        const code =
          name[1] === "x" || name[1] === "X"
            ? Number.parseInt(name.slice(2), 16)
            : Number.parseInt(name.slice(1), 10)
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all
      }
      return ENTITIES[name.toLowerCase()] ?? all
    },
  )
  return withoutTrailingBlanks(text)
    .replace(/\n{3,}/g, "\n\n")
    .trim()
}

const HIDDEN_OPEN = /<(script|style|head)\b/gi
const BLOCK_END = /^(?:br\s*\/?|\/(?:p|div|h[1-6]|li|tr|table|blockquote)\s*)$/i

/**
 * Drops `<script>`, `<style>` and `<head>` elements with their content. An element
 * whose end tag never comes is kept (its tags are dropped later); once one name has no
 * end tag after some point, no later element of that name is searched again.
 */
function withoutHiddenElements(html: string): string {
  let out = ""
  let at = 0
  const unclosedAfter = new Map<string, number>()
  HIDDEN_OPEN.lastIndex = 0
  for (let open = HIDDEN_OPEN.exec(html); open !== null; open = HIDDEN_OPEN.exec(html)) {
    const name = open[1]!.toLowerCase()
    const from = open.index + open[0].length
    if ((unclosedAfter.get(name) ?? Number.POSITIVE_INFINITY) <= from) continue
    const close = new RegExp(`</${name}\\s*>`, "gi")
    close.lastIndex = from
    const found = close.exec(html)
    if (found === null) {
      unclosedAfter.set(name, from)
      continue
    }
    out += html.slice(at, open.index)
    at = found.index + found[0].length
    HIDDEN_OPEN.lastIndex = at
  }
  return out + html.slice(at)
}

/** Drops every `<…>` tag, turning `<br>` and block ends into line breaks. */
function withoutTags(html: string): string {
  let out = ""
  let at = 0
  for (;;) {
    const lt = html.indexOf("<", at)
    if (lt === -1) break
    const gt = html.indexOf(">", lt + 1)
    // No `>` after this `<` means none after any later one either.
    if (gt === -1) break
    out += html.slice(at, lt)
    if (BLOCK_END.test(html.slice(lt + 1, gt))) out += "\n"
    at = gt + 1
  }
  return out + html.slice(at)
}

/** Removes spaces and tabs at the end of every line, scanning each character once. */
function withoutTrailingBlanks(text: string): string {
  const lines = text.split("\n")
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    let end = line.length
    while (end > 0 && (line[end - 1] === " " || line[end - 1] === "\t")) end--
    if (end < line.length) lines[i] = line.slice(0, end)
  }
  return lines.join("\n")
}
