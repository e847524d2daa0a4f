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

/** HTML as plain text: scripts, styles and tags dropped, block ends as line breaks. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|div|h[1-6]|li|tr|table|blockquote)\s*>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, name: string) => {
      if (name[0] === "#") {
        const code =
          name[1] === "x" || name[1] === "X"
            ? Number.parseInt(name.slice(2), 16)
            : Number.parseInt(name.slice(1), 10)
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all
      }
      return ENTITIES[name.toLowerCase()] ?? all
    })
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim()
}
