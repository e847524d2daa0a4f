/**
 * A hook's result as the answer to a machine decision (RFC 5321 §4.2): nothing accepts,
 * a 2xx reply accepts with that reply, a 4xx/5xx reply or a thrown `SmtpReplyError`
 * refuses; a hook that throws anything else is a local error (`451 4.3.0`). What it does
 * not do: talk to the machine.
 */
import type { SmtpReplyInput } from "@mailwire/smtp"
import { SmtpReplyError } from "./errors.js"

/**
 * A hook's resolved value or thrown error as an answer: a 4xx/5xx reply (a refusal), a
 * 2xx reply (an acceptance with that reply), or nothing (the default acceptance).
 */
export type HookAnswer =
  | { readonly accept: true; readonly reply: SmtpReplyInput | null }
  | { readonly accept: false; readonly reply: SmtpReplyInput }

export function answerOf(result: unknown): HookAnswer {
  if (result === undefined || result === null) return { accept: true, reply: null }
  if (result instanceof SmtpReplyError) {
    const reply: { code: number; enhancedCode?: string; text: readonly string[] } = {
      code: result.code,
      text: result.lines,
    }
    if (result.enhancedCode !== null) reply.enhancedCode = result.enhancedCode
    return { accept: false, reply }
  }
  const value = result as { code?: unknown }
  if (typeof value.code === "number" && value.code >= 400 && value.code <= 599) {
    return { accept: false, reply: result as SmtpReplyInput }
  }
  if (typeof value.code === "number" && value.code >= 200 && value.code <= 299) {
    return { accept: true, reply: result as SmtpReplyInput }
  }
  return { accept: true, reply: null }
}

/** A hook result or thrown value as the refusal to send; `null` accepts. */
export function refusalOf(result: unknown): SmtpReplyInput | null {
  const answer = answerOf(result)
  return answer.accept ? null : answer.reply
}

/**
 * LMTP (RFC 2033 §4.2): `onData`'s value as one reply per recipient, in order; an array
 * answers each recipient with its own item, anything else answers them all alike. A
 * `null` reply accepts with the machine's own.
 */
export function perRecipientReplies(value: unknown, recipients: number): (SmtpReplyInput | null)[] {
  const results = Array.isArray(value) ? (value as unknown[]) : null
  return Array.from(
    { length: recipients },
    (_, i) => answerOf(results === null ? value : results[i]).reply,
  )
}

/** The refusal when the application fails (RFC 3463 4.3.0: other or undefined mail system status). */
export const LOCAL_ERROR: SmtpReplyInput = {
  code: 451,
  enhancedCode: "4.3.0",
  text: "Local error in processing",
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === "function"
}

/**
 * Calls a hook; its result or thrown error as an answer, at once when the hook returns a
 * plain value and as a promise only when it returns one. A thrown `SmtpReplyError` (or
 * reply) refuses with it; anything else goes to `report` and refuses with `LOCAL_ERROR`.
 */
export function callHook(
  hook: () => unknown,
  report: (error: unknown) => void,
): HookAnswer | Promise<HookAnswer> {
  const thrownAnswer = (error: unknown): HookAnswer => {
    const answer = answerOf(error)
    if (!answer.accept) return answer
    report(error)
    return { accept: false, reply: LOCAL_ERROR }
  }
  let result: unknown
  try {
    result = hook()
  } catch (error) {
    return thrownAnswer(error)
  }
  if (!isPromiseLike(result)) return answerOf(result)
  return Promise.resolve(result).then(answerOf, thrownAnswer)
}
