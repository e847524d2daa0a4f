/**
 * Server data responses: CAPABILITY (RFC 9051 §7.2.2), ENABLED (RFC 9051 §7.2.1, RFC
 * 5161 §3.2), NAMESPACE (RFC 9051 §7.3.2, RFC 2342 §5), ID (RFC 2971 §3.2), QUOTA and
 * QUOTAROOT (RFC 9208 §5.1, §5.2).
 */
import type { Decoder } from "../decoder.js"
import type { Encoder } from "../encoder.js"

/** `* CAPABILITY …` or `* ENABLED …`: atoms as sent. */
export interface CapabilityResponse {
  readonly type: "capability" | "enabled"
  readonly capabilities: readonly string[]
}

/** One `Namespace-Descr` (RFC 2342 §5, RFC 9051 §9 `namespace-descr`). */
export interface Namespace {
  readonly prefix: string
  readonly delimiter: string | null
  /** `namespace-response-extension`s: a name and its string values. */
  readonly extensions: readonly { readonly name: string; readonly values: readonly string[] }[]
}

/** `* NAMESPACE personal other shared`, each `null` when the server sent `NIL`. */
export interface NamespaceResponse {
  readonly type: "namespace"
  readonly personal: readonly Namespace[] | null
  readonly other: readonly Namespace[] | null
  readonly shared: readonly Namespace[] | null
}

/** `* ID (…)` or `* ID NIL` (RFC 2971 §3.2): field/value pairs in order. */
export interface IdResponse {
  readonly type: "id"
  readonly params: readonly { readonly name: string; readonly value: string | null }[] | null
}

/** One resource of a QUOTA response (RFC 9208 §5.1): usage and limit, in the resource's units. */
export interface QuotaResource {
  readonly name: string
  readonly usage: number
  readonly limit: number
}

/** `* QUOTA root (resource usage limit …)` (RFC 9208 §5.1). */
export interface QuotaResponse {
  readonly type: "quota"
  readonly root: string
  readonly resources: readonly QuotaResource[]
}

/** `* QUOTAROOT mailbox root…` (RFC 9208 §5.2). */
export interface QuotaRootResponse {
  readonly type: "quotaroot"
  readonly mailbox: string
  readonly roots: readonly string[]
}

/**
 * After `CAPABILITY` / `ENABLED`: `*(SP atom)`. Leniency: a trailing space (go-imap#571) and
 * doubled spaces (imap-n.global-mail.cn, go-imap#653) are skipped.
 */
export function capabilityData(d: Decoder, type: "capability" | "enabled"): CapabilityResponse {
  const capabilities: string[] = []
  while (d.accept(0x20)) {
    if (d.peek() === -1 || d.peek() === 0x20) continue
    d.count()
    capabilities.push(d.atom())
  }
  return { type, capabilities }
}

/** After `NAMESPACE SP`. */
export function namespaceResponse(d: Decoder): NamespaceResponse {
  const personal = d.nilOrList(() => namespaceDescr(d))
  d.sp()
  const other = d.nilOrList(() => namespaceDescr(d))
  d.sp()
  const shared = d.nilOrList(() => namespaceDescr(d))
  return { type: "namespace", personal, other, shared }
}

function namespaceDescr(d: Decoder): Namespace {
  d.expect(0x28, "(")
  d.enter()
  const prefix = d.string()
  d.sp()
  const delimiter = d.acceptWord("NIL") ? null : d.quoted()
  const extensions: { name: string; values: string[] }[] = []
  while (d.accept(0x20)) {
    const name = d.string()
    d.sp()
    extensions.push({ name, values: d.listOf(() => d.string()) })
  }
  d.expect(0x29, ")")
  d.leave()
  return { prefix, delimiter, extensions }
}

/** After `ID SP`: `"(" string SP nstring *(SP string SP nstring) ")" / nil`. */
export function idResponse(d: Decoder): IdResponse {
  const params: { name: string; value: string | null }[] = []
  if (d.acceptWord("NIL")) return { type: "id", params: null }
  d.list(() => {
    const name = d.string()
    d.sp()
    params.push({ name, value: d.nstring() })
  })
  return { type: "id", params }
}

/** After `QUOTA SP`: `quota-root-name SP "(" quota-resource *(SP quota-resource) ")"`. */
export function quotaResponse(d: Decoder): QuotaResponse {
  const root = d.astring()
  d.sp()
  const resources: QuotaResource[] = []
  d.list(() => {
    const name = d.atom()
    d.sp()
    const usage = d.number()
    d.sp()
    resources.push({ name, usage, limit: d.number() })
  })
  return { type: "quota", root, resources }
}

/** After `QUOTAROOT SP`: `mailbox *(SP quota-root-name)`. */
export function quotaRootResponse(d: Decoder): QuotaRootResponse {
  const mailbox = d.mailbox()
  const roots: string[] = []
  while (d.accept(0x20)) {
    if (d.peek() === -1) break
    d.count()
    roots.push(d.astring())
  }
  return { type: "quotaroot", mailbox, roots }
}

/** Writes `*(SP atom)`. */
export function encodeCapabilityData(e: Encoder, r: CapabilityResponse): void {
  for (const capability of r.capabilities) e.sp().atom(capability)
}

/** Writes NAMESPACE data. */
export function encodeNamespace(e: Encoder, r: NamespaceResponse): void {
  const group = (list: readonly Namespace[] | null) => {
    if (list === null || list.length === 0) {
      e.raw("NIL")
      return
    }
    e.raw("(")
    for (const ns of list) {
      e.raw("(").string(ns.prefix).sp()
      if (ns.delimiter === null) e.raw("NIL")
      else e.quoted(ns.delimiter)
      for (const x of ns.extensions)
        e.sp()
          .string(x.name)
          .sp()
          .list(x.values, (v) => e.string(v))
      e.raw(")")
    }
    e.raw(")")
  }
  group(r.personal)
  e.sp()
  group(r.other)
  e.sp()
  group(r.shared)
}

/** Writes ID data. */
export function encodeId(e: Encoder, params: IdResponse["params"]): void {
  if (params === null) e.raw("NIL")
  else e.list(params, (p) => e.string(p.name).sp().nstring(p.value))
}

/** Writes QUOTA data. */
export function encodeQuota(e: Encoder, r: QuotaResponse): void {
  e.astring(r.root).sp()
  e.list(r.resources, (x) => e.atom(x.name).sp().number(x.usage).sp().number(x.limit))
}

/** Writes QUOTAROOT data. */
export function encodeQuotaRoot(e: Encoder, r: QuotaRootResponse): void {
  e.astring(r.mailbox)
  for (const root of r.roots) e.sp().astring(root)
}
