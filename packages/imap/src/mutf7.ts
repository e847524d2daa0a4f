/**
 * Modified UTF-7 mailbox names (RFC 3501 §5.1.3, RFC 9051 §5.1.3 and Appendix A), the
 * form IMAP4rev1 uses for non-ASCII mailbox names; IMAP4rev2 and UTF8=ACCEPT (RFC 6855)
 * use UTF-8 instead.
 *
 * Printable ASCII stands for itself except `&`, written `&-`; every other run of UTF-16
 * code units is written `&` + modified base64 (`,` for `/`, no padding) + `-`.
 * What it does not do: check that a name is safe as a path (the store does; DESIGN §4.5).
 */
import { LocalProtocolError, RemoteProtocolError } from "@mailwire/wire"

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,"
const VALUES = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i

/** Encodes a mailbox name in modified UTF-7. Throws `LocalProtocolError` on NUL or a lone surrogate. */
export function encodeMutf7(name: string): string {
  let out = ""
  let i = 0
  while (i < name.length) {
    const c = name.charCodeAt(i)
    if (c >= 0x20 && c <= 0x7e) {
      out += c === 0x26 ? "&-" : name[i]
      i++
      continue
    }
    const start = i
    while (i < name.length) {
      const d = name.charCodeAt(i)
      if (d >= 0x20 && d <= 0x7e) break
      i++
    }
    out += `&${base64Units(name, start, i)}-`
  }
  return out
}

function base64Units(name: string, start: number, end: number): string {
  const bytes: number[] = []
  for (let i = start; i < end; i++) {
    const unit = name.charCodeAt(i)
    if (unit === 0) throw new LocalProtocolError("INVALID_ARGUMENT", "mailbox name holds NUL")
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = name.charCodeAt(i + 1)
      if (!(next >= 0xdc00 && next <= 0xdfff)) throw lone()
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      const prev = name.charCodeAt(i - 1)
      if (i === start || !(prev >= 0xd800 && prev <= 0xdbff)) throw lone()
    }
    bytes.push(unit >> 8, unit & 0xff)
  }
  let out = ""
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!
    const b1 = bytes[i + 1]
    const b2 = bytes[i + 2]
    out += ALPHABET[b0 >> 2]
    out += ALPHABET[((b0 & 3) << 4) | ((b1 ?? 0) >> 4)]
    if (b1 !== undefined) out += ALPHABET[((b1 & 15) << 2) | ((b2 ?? 0) >> 6)]
    if (b2 !== undefined) out += ALPHABET[b2 & 63]
  }
  return out
}

function lone(): LocalProtocolError {
  return new LocalProtocolError("INVALID_ARGUMENT", "mailbox name holds a lone surrogate")
}

/**
 * Decodes a modified UTF-7 mailbox name. Throws `RemoteProtocolError` (code `SYNTAX`) for
 * a name that is not valid modified UTF-7: an unterminated `&`, a bad base64 character,
 * non-zero padding bits, an odd byte count, a lone surrogate, NUL, or an encoded run that
 * should have been ASCII (RFC 3501 §5.1.3 forbids it, and it would let `/` or `..` hide).
 */
export function decodeMutf7(name: string): string {
  let out = ""
  let i = 0
  while (i < name.length) {
    const c = name.charCodeAt(i)
    if (c < 0x20 || c > 0x7e) throw invalid("non-ASCII character")
    if (c !== 0x26) {
      out += name[i]
      i++
      continue
    }
    const end = name.indexOf("-", i + 1)
    if (end === -1) throw invalid("unterminated &")
    if (end === i + 1) out += "&"
    else out += decodeRun(name.slice(i + 1, end))
    i = end + 1
  }
  return out
}

function decodeRun(run: string): string {
  let bits = 0
  let value = 0
  const bytes: number[] = []
  for (let i = 0; i < run.length; i++) {
    const code = run.charCodeAt(i)
    const v = code < 128 ? VALUES[code]! : -1
    if (v < 0) throw invalid("bad base64 character")
    value = (value << 6) | v
    bits += 6
    if (bits >= 8) {
      bits -= 8
      bytes.push((value >> bits) & 0xff)
    }
  }
  if (bits >= 6 || (value & ((1 << bits) - 1)) !== 0 || bytes.length % 2 !== 0) {
    throw invalid("bad base64 padding")
  }
  let out = ""
  for (let i = 0; i < bytes.length; i += 2) {
    const unit = (bytes[i]! << 8) | bytes[i + 1]!
    if (unit >= 0x20 && unit <= 0x7e) throw invalid("encoded ASCII")
    if (unit === 0) throw invalid("NUL")
    out += String.fromCharCode(unit)
  }
  for (let i = 0; i < out.length; i++) {
    const unit = out.charCodeAt(i)
    if (unit >= 0xdc00 && unit <= 0xdfff) throw invalid("lone surrogate")
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = out.charCodeAt(i + 1)
      if (!(next >= 0xdc00 && next <= 0xdfff)) throw invalid("lone surrogate")
      i++
    }
  }
  return out
}

function invalid(reason: string): RemoteProtocolError {
  return new RemoteProtocolError("SYNTAX", `invalid modified UTF-7 mailbox name: ${reason}`, {
    hint: { imap: "BAD [CLIENTBUG] Invalid mailbox name" },
  })
}
