/**
 * The GS2 header (RFC 5801 §4) that SCRAM (RFC 5802 §7) and OAUTHBEARER (RFC 7628 §3.1)
 * put in front of their first client message, and the `saslname` escaping both use.
 *
 *     gs2-header    = gs2-cbind-flag "," [ authzid ] ","
 *     gs2-cbind-flag = ("p=" cb-name) / "n" / "y"
 *     authzid       = "a=" saslname
 *     saslname      = 1*(value-safe-char / "=2C" / "=3D")
 *
 * Channel binding is not supported, so clients always send `n`; a server reads `y` as
 * fine (the client could bind but believes we cannot, which is true) and `p=` as
 * unsupported.
 */

/** A parsed GS2 header, with the remaining text after it. */
export interface Gs2Header {
  /** `n`, `y`, or `p` when the client asks for channel binding. */
  readonly cbindFlag: "n" | "y" | "p"
  /** The unescaped authorization identity, or null when absent. */
  readonly authzid: string | null
  /** The header exactly as sent, both commas included (SCRAM echoes it in `c=`). */
  readonly raw: string
  /** What follows the header. */
  readonly rest: string
}

/** Escapes `,` and `=` for a saslname (RFC 5802 §5.1). */
export function escapeSaslname(name: string): string {
  return name.replace(/=/g, "=3D").replace(/,/g, "=2C")
}

/** Unescapes a saslname, or returns null when it has a bare `=` or an unknown escape. */
export function unescapeSaslname(text: string): string | null {
  if (/=(?!2C|3D)/.test(text)) return null
  return text.replace(/=2C/g, ",").replace(/=3D/g, "=")
}

/** The header a client without channel binding sends: `n,,` or `n,a=<authzid>,`. */
export function formatGs2Header(authzid: string | undefined): string {
  return authzid === undefined || authzid === "" ? "n,," : `n,a=${escapeSaslname(authzid)},`
}

/** Parses the GS2 header at the start of `text`, or returns null when it is malformed. */
export function parseGs2Header(text: string): Gs2Header | null {
  const first = text.indexOf(",")
  if (first < 0) return null
  const second = text.indexOf(",", first + 1)
  if (second < 0) return null
  const flag = text.slice(0, first)
  const authzField = text.slice(first + 1, second)
  let cbindFlag: Gs2Header["cbindFlag"]
  if (flag === "n" || flag === "y") cbindFlag = flag
  else if (flag.startsWith("p=") && flag.length > 2) cbindFlag = "p"
  else return null
  let authzid: string | null = null
  if (authzField !== "") {
    if (!authzField.startsWith("a=") || authzField.length === 2) return null
    authzid = unescapeSaslname(authzField.slice(2))
    if (authzid === null) return null
  }
  return { cbindFlag, authzid, raw: text.slice(0, second + 1), rest: text.slice(second + 1) }
}
