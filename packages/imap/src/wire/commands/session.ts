/**
 * Commands without a mailbox: CAPABILITY, NOOP, LOGOUT (RFC 9051 §6.1), STARTTLS,
 * AUTHENTICATE with SASL-IR (§6.2.1–6.2.2, RFC 4959), LOGIN (§6.2.3), ENABLE (§6.3.1,
 * RFC 5161), NAMESPACE (§6.3.10), IDLE (§6.3.13, RFC 2177), CHECK (RFC 3501 §6.4.1),
 * CLOSE, UNSELECT, EXPUNGE (§6.4.1–6.4.3), ID (RFC 2971 §3.1), COMPRESS (RFC 4978 §3).
 */
import type { Decoder } from "../decoder.js"
import type { Encoder } from "../encoder.js"
import { encodeId, idResponse } from "../responses/server-data.js"

/** A command that takes no arguments. */
export interface BareCommand {
  readonly name:
    | "CAPABILITY"
    | "NOOP"
    | "LOGOUT"
    | "STARTTLS"
    | "CHECK"
    | "CLOSE"
    | "UNSELECT"
    | "EXPUNGE"
    | "IDLE"
    | "NAMESPACE"
}

/** `AUTHENTICATE mechanism [SP initial-response]` (RFC 9051 §6.2.2, RFC 4959 §3). */
export interface AuthenticateCommand {
  readonly name: "AUTHENTICATE"
  readonly mechanism: string
  /** Base64 text of the initial response, `"="` for an empty one, or `null` for none. */
  readonly initialResponse: string | null
}

/** `LOGIN userid password` (RFC 9051 §6.2.3). */
export interface LoginCommand {
  readonly name: "LOGIN"
  readonly username: string
  readonly password: string
}

/** `ENABLE capability…` (RFC 5161 §3.1). */
export interface EnableCommand {
  readonly name: "ENABLE"
  readonly capabilities: readonly string[]
}

/** `ID (field value …)` or `ID NIL` (RFC 2971 §3.1). */
export interface IdCommand {
  readonly name: "ID"
  readonly params: readonly { readonly name: string; readonly value: string | null }[] | null
}

/** `COMPRESS mechanism` (RFC 4978 §3), e.g. `DEFLATE`. */
export interface CompressCommand {
  readonly name: "COMPRESS"
  readonly mechanism: string
}

/** Commands of this module. */
export type SessionCommand =
  | BareCommand
  | AuthenticateCommand
  | LoginCommand
  | EnableCommand
  | IdCommand
  | CompressCommand

const BARE = new Set([
  "CAPABILITY",
  "NOOP",
  "LOGOUT",
  "STARTTLS",
  "CHECK",
  "CLOSE",
  "UNSELECT",
  "EXPUNGE",
  "IDLE",
  "NAMESPACE",
])

/** Reads the arguments of a command of this module, after its name; `null` if not one. */
export function parseSessionCommand(d: Decoder, name: string): SessionCommand | null {
  if (BARE.has(name)) return { name: name as BareCommand["name"] }
  switch (name) {
    case "AUTHENTICATE": {
      d.sp()
      const mechanism = d.atom()
      const initialResponse = d.spBeforeMore() ? d.atom() : null
      return { name, mechanism, initialResponse }
    }
    case "LOGIN": {
      d.sp()
      const username = d.astring()
      d.sp()
      return { name, username, password: d.astring() }
    }
    case "ENABLE": {
      const capabilities: string[] = []
      while (d.spBeforeMore()) {
        d.count()
        capabilities.push(d.atom())
      }
      if (capabilities.length === 0) throw d.error("capability")
      return { name, capabilities }
    }
    case "ID":
      d.sp()
      return { name, params: idResponse(d).params }
    case "COMPRESS":
      d.sp()
      return { name, mechanism: d.atom() }
    default:
      return null
  }
}

/** Writes the arguments of a command of this module. */
export function encodeSessionCommand(e: Encoder, c: SessionCommand): void {
  e.raw(c.name)
  switch (c.name) {
    case "AUTHENTICATE":
      e.sp().atom(c.mechanism)
      if (c.initialResponse !== null) e.sp().atom(c.initialResponse)
      return
    case "LOGIN":
      e.sp().astring(c.username).sp().astring(c.password)
      return
    case "ENABLE":
      for (const capability of c.capabilities) e.sp().atom(capability)
      return
    case "ID":
      e.sp()
      encodeId(e, c.params)
      return
    case "COMPRESS":
      e.sp().atom(c.mechanism)
      return
    default:
  }
}
