/**
 * BODY and BODYSTRUCTURE (RFC 9051 §7.5.2, §9 `body`, `body-type-1part`,
 * `body-type-mpart`, `body-ext-1part`, `body-ext-mpart`), with extension data.
 *
 * The types are declared in `types.ts` rather than shared with `@mailwire/mime`, so the
 * wire layer depends on `@mailwire/wire` only.
 */
import type {
  BodyDisposition,
  BodyExtension,
  BodyParam,
  BodyStructure,
  ImapValue,
  MultiPartBody,
  SinglePartBody,
} from "../../types.js"
import type { Decoder } from "../decoder.js"
import type { Encoder } from "../encoder.js"
import { encodeEnvelope, envelope } from "./envelope.js"

/** `body = "(" (body-type-1part / body-type-mpart) ")"`. */
export function body(d: Decoder): BodyStructure {
  d.expect(0x28, "(")
  d.enter()
  const result = d.peek() === 0x28 ? multipart(d) : singlePart(d)
  d.skipSpaces()
  d.expect(0x29, ")")
  d.leave()
  return result
}

function multipart(d: Decoder): MultiPartBody {
  const parts: BodyStructure[] = []
  while (d.peek() === 0x28) {
    d.count()
    parts.push(body(d))
    d.skipSpaces()
  }
  const subtype = d.stringOrNil()
  if (!d.accept(0x20) || d.peek() === 0x29) return { kind: "multipart", parts, subtype }
  const params = bodyFldParam(d)
  const extension = extensionAfterParams(d)
  return extension === undefined
    ? { kind: "multipart", parts, subtype, params }
    : { kind: "multipart", parts, subtype, params, extension }
}

function singlePart(d: Decoder): SinglePartBody {
  const type = d.stringOrNil()
  d.sp()
  const subtype = d.stringOrNil()
  d.sp()
  const params = bodyFldParam(d)
  d.sp()
  const id = d.nstring()
  d.sp()
  const description = d.nstring()
  d.sp()
  const encoding = d.stringOrNil()
  d.sp()
  const size = d.number()
  const upper = type.toUpperCase()
  const sub = subtype.toUpperCase()
  let envelopeValue: SinglePartBody["envelope"]
  let inner: SinglePartBody["body"]
  let lines: number | undefined
  if (upper === "MESSAGE" && (sub === "RFC822" || sub === "GLOBAL") && d.peek() === 0x20) {
    d.sp()
    envelopeValue = envelope(d)
    d.sp()
    inner = body(d)
    d.sp()
    lines = d.number()
  } else if (upper === "TEXT") {
    d.sp()
    lines = d.number()
  }
  let extension: BodyExtension | undefined
  if (d.accept(0x20) && d.peek() !== 0x29) {
    const md5 = d.nstring()
    extension = { md5, ...extensionAfterParams(d) }
  }
  const part: Mutable<SinglePartBody> = {
    kind: "single",
    type,
    subtype,
    params,
    id,
    description,
    encoding,
    size,
  }
  if (lines !== undefined) part.lines = lines
  if (envelopeValue !== undefined) part.envelope = envelopeValue
  if (inner !== undefined) part.body = inner
  if (extension !== undefined) part.extension = extension
  return part
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`. */
function extensionAfterParams(d: Decoder): Omit<BodyExtension, "md5"> | undefined {
  if (!d.accept(0x20) || d.peek() === 0x29) return undefined
  const disposition = bodyFldDsp(d)
  if (!d.accept(0x20) || d.peek() === 0x29) return { disposition }
  const language = bodyFldLang(d)
  if (!d.accept(0x20) || d.peek() === 0x29) return { disposition, language }
  const location = d.nstring()
  const extra: ImapValue[] = []
  while (d.accept(0x20) && d.peek() !== 0x29) {
    d.count()
    extra.push(d.value())
  }
  return extra.length > 0
    ? { disposition, language, location, extra }
    : { disposition, language, location }
}

/**
 * `body-fld-param = "(" string SP string *(SP string SP string) ")" / nil`. Leniency: `NIL`
 * values (Exchange 2010, jakartaee/mail-api#203; Mail.ru, vmime#159) read as `""`, and
 * `()` as `NIL`.
 */
function bodyFldParam(d: Decoder): BodyParam[] | null {
  if (d.acceptWord("NIL")) return null
  const params: BodyParam[] = []
  d.list(() => {
    const name = d.stringOrNil()
    d.sp()
    params.push({ name, value: d.stringOrNil() })
  })
  return params.length === 0 ? null : params
}

/**
 * `body-fld-dsp = "(" string SP body-fld-param ")" / nil`. Leniency: a bare string is
 * read as a disposition without parameters; Exchange sends `"inline"` (MailKit#919) and
 * even a description there (javaee/javamail#278).
 */
function bodyFldDsp(d: Decoder): BodyDisposition | null {
  if (d.acceptWord("NIL")) return null
  if (d.peek() !== 0x28) return { type: d.string(), params: null }
  d.expect(0x28, "(")
  d.enter()
  const type = d.string()
  d.sp()
  const params = bodyFldParam(d)
  d.expect(0x29, ")")
  d.leave()
  return { type, params }
}

/** `body-fld-lang = nstring / "(" string *(SP string) ")"`; one string reads as a list of one. */
function bodyFldLang(d: Decoder): string[] | null {
  if (d.peek() === 0x28) return d.listOf(() => d.string())
  const single = d.nstring()
  return single === null ? null : [single]
}

/** Writes a `body`; `extended` writes BODYSTRUCTURE's extension data when present. */
export function encodeBody(e: Encoder, part: BodyStructure, extended: boolean): void {
  e.raw("(")
  if (part.kind === "multipart") {
    for (const child of part.parts) encodeBody(e, child, extended)
    e.sp().string(part.subtype)
    if (extended && part.params !== undefined) {
      e.sp()
      encodeParams(e, part.params)
      encodeExtension(e, part.extension ?? {})
    }
  } else {
    e.string(part.type).sp().string(part.subtype).sp()
    encodeParams(e, part.params)
    e.sp().nstring(part.id).sp().nstring(part.description).sp().string(part.encoding)
    e.sp().number(part.size)
    if (part.envelope !== undefined && part.body !== undefined) {
      e.sp()
      encodeEnvelope(e, part.envelope)
      e.sp()
      encodeBody(e, part.body, extended)
    }
    if (part.lines !== undefined) e.sp().number(part.lines)
    if (extended && part.extension !== undefined && part.extension.md5 !== undefined) {
      e.sp().nstring(part.extension.md5)
      encodeExtension(e, part.extension)
    }
  }
  e.raw(")")
}

function encodeExtension(e: Encoder, ext: Omit<BodyExtension, "md5">): void {
  if (ext.disposition === undefined) return
  e.sp()
  if (ext.disposition === null) e.raw("NIL")
  else {
    e.raw("(").string(ext.disposition.type).sp()
    encodeParams(e, ext.disposition.params)
    e.raw(")")
  }
  if (ext.language === undefined) return
  e.sp()
  if (ext.language === null) e.raw("NIL")
  else if (ext.language.length === 1) e.string(ext.language[0]!)
  else e.list(ext.language, (l) => e.string(l))
  if (ext.location === undefined) return
  e.sp().nstring(ext.location)
  for (const value of ext.extra ?? []) e.sp().value(value)
}

function encodeParams(e: Encoder, params: readonly BodyParam[] | null): void {
  if (params === null || params.length === 0) {
    e.raw("NIL")
    return
  }
  e.list(params, (p) => e.string(p.name).sp().string(p.value))
}
