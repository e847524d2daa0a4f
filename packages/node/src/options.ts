/**
 * Options validation for every public constructor of this package (DESIGN §5): each
 * options object is a zod schema, and a bad option fails at construction with a
 * `TypeError` whose message names the field (`createSmtpServer: option "tls.key" …`).
 *
 * What it does not do: fill in protocol defaults. The schemas hold the adapter's own
 * defaults (timeouts, connection limits); the machines keep theirs.
 */
import { SCRAM_MIN_SECRET_LENGTH } from "@mailwire/sasl"
import { z } from "zod"

/**
 * Parses `input` with `schema`; on failure throws a `TypeError` that names every bad
 * field by its path, prefixed with `where` (the function that was called).
 */
export function parseOptions<T extends z.ZodType>(
  schema: T,
  input: unknown,
  where: string,
): z.output<T> {
  const result = schema.safeParse(input ?? {})
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.length === 0 ? "(options)" : issue.path.map(String).join(".")
    return `option "${path}": ${issue.message}`
  })
  throw new TypeError(`${where}: ${problems.join("; ")}`)
}

/** A function-valued option (zod 4 validates functions with a custom check). */
export function functionOption<T>() {
  return z.custom<T>((value) => typeof value === "function", { message: "must be a function" })
}

/** A timeout in milliseconds; `0` turns it off. */
export const timeoutOption = z.number().int().min(0)

/** A count that must be at least 1. */
export const countOption = z.number().int().min(1)

/**
 * The fewest SCRAM iterations a client accepts from a server (RFC 7677 §4); leave it out
 * for `@mailwire/sasl`'s `DEFAULT_MIN_SCRAM_ITERATIONS` (4,096).
 */
export const minScramIterationsOption = z.number().int().min(1)

/**
 * A server's key for the made-up SCRAM salt of unknown users (RFC 5802 §9): bytes, at
 * least `SCRAM_MIN_SECRET_LENGTH` (16) of them. Give the same one to every server behind
 * a name so an unknown user looks the same on each and after a restart.
 */
export const scramSecretOption = z
  .instanceof(Uint8Array)
  .refine((bytes) => bytes.length >= SCRAM_MIN_SECRET_LENGTH, {
    message: `must be at least ${SCRAM_MIN_SECRET_LENGTH} bytes`,
  })

/** PEM text or bytes (a `Buffer` is a `Uint8Array`). */
export const pemOption = z.union([z.string(), z.instanceof(Uint8Array)])

/**
 * The machines take options under `exactOptionalPropertyTypes`, where an unset field
 * must be absent rather than `undefined`: this leaves the unset fields out.
 */
export function withoutUndefined<T extends object>(
  value: T,
): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>
  }
}
