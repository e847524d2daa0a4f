/**
 * Maildir file names (cr.yp.to/proto/maildir.html; Dovecot's `,S=` and `,W=` fields).
 *
 * A name is a unique base, then optionally `:2,` and the flags. The base we make is
 * `<seconds>.M<microseconds>P<pid>Q<counter>R<random>.<host>,S=<size>,W=<vsize>`: the
 * delivery identifiers the spec recommends (time, process, per-process counter, random
 * bits), the host with `/`, `:` and `,` written as `\057`, `\072` and `\054`, then the
 * size in octets and the size with CRLF line ends, which Dovecot reads instead of opening
 * the file. Bases from other software are taken as they are. Nothing here touches the
 * disk; the process id, host and random bits are passed in.
 */
import { normalizeFlags } from "./flags.js"

/** What a Maildir file name says (cr.yp.to/proto/maildir.html). */
export interface MaildirFileName {
  /** The unique part, before `:`; the message keeps it for life. */
  readonly base: string
  /** The flags after `:2,`, canonical; `""` when there are none or no info at all. */
  readonly flags: string
  /** The file's size in octets, from `,S=`, when the name records it. */
  readonly size?: number
  /** The size with CRLF line ends (RFC 822 size), from `,W=`, when the name records it. */
  readonly vsize?: number
}

/** Splits a Maildir file name into base, flags and recorded sizes. */
export function parseFileName(name: string): MaildirFileName {
  const colon = name.indexOf(":")
  const base = colon < 0 ? name : name.slice(0, colon)
  const info = colon < 0 ? "" : name.slice(colon + 1)
  let flags = ""
  if (info.startsWith("2,")) {
    // Leniency: Courier, Dovecot and mutt write only letters here; a file whose info has
    // anything else (made by hand or by an unknown tool) keeps its letters rather than
    // being skipped, so no message disappears over its name. `:1,` (the spec's
    // "experimental semantics") means no flags.
    const letters = info.slice(2).replace(/[^A-Za-z]/g, "")
    flags = normalizeFlags(letters)
  }
  const size = /,S=(\d+)/.exec(base)?.[1]
  const vsize = /,W=(\d+)/.exec(base)?.[1]
  return {
    base,
    flags,
    ...(size === undefined ? {} : { size: Number(size) }),
    ...(vsize === undefined ? {} : { vsize: Number(vsize) }),
  }
}

/** The file name for `base` with `flags` (canonical order) after `:2,`. */
export function formatFileName(base: string, flags: string): string {
  return `${base}:2,${normalizeFlags(flags)}`
}

/** Where a delivery identifier comes from (cr.yp.to/proto/maildir.html, "unique names"). */
export interface UniqueNameSource {
  /** Wall-clock time in milliseconds, with a fraction for microseconds. */
  readonly now: () => number
  readonly pid: number
  readonly hostname: string
  /** Fills an array with random bytes. */
  readonly random: (length: number) => Uint8Array
}

let counter = 0

function escapeHost(hostname: string): string {
  return hostname.replace(/\//g, "\\057").replace(/:/g, "\\072").replace(/,/g, "\\054")
}

/** A fresh unique base for a delivery, without the size fields. */
export function uniqueBase(source: UniqueNameSource): string {
  const now = source.now()
  const seconds = Math.floor(now / 1000)
  const micros = Math.min(999_999, Math.floor((now - seconds * 1000) * 1000))
  counter += 1
  const random = Array.from(source.random(8), (byte) => byte.toString(16).padStart(2, "0"))
  return `${seconds}.M${micros}P${source.pid}Q${counter}R${random.join("")}.${escapeHost(source.hostname)}`
}

/** The seconds and microseconds a base starts with, for ordering new messages as Dovecot does. */
export function deliveryTime(base: string): [number, number] {
  const match = /^(\d+)\.(?:[^.]*?M(\d+))?/.exec(base)
  return match === null ? [Number.MAX_SAFE_INTEGER, 0] : [Number(match[1]), Number(match[2] ?? 0)]
}
