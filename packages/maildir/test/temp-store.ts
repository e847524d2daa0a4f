/** Test support: a store in a fresh temporary directory, removed after each test. */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { MaildirStore, type MaildirStoreOptions } from "@mailwire/maildir"
import { afterEach } from "vitest"

const made: string[] = []

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A fresh, empty directory that is removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mailwire-maildir-"))
  made.push(dir)
  return dir
}

/** A store over a fresh directory. */
export function tempStore(options: Partial<MaildirStoreOptions> = {}): MaildirStore {
  return new MaildirStore({ root: tempDir(), ...options })
}

export const text = (value: string): Uint8Array => new TextEncoder().encode(value)
export const show = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

/** Collects an async stream of chunks into one array. */
export async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk.slice())
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
