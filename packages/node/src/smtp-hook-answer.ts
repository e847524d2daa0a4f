/**
 * A hook's result as the answer to a machine decision (RFC 5321 §4.2): nothing accepts,
 * a 2xx reply accepts with that reply, a 4xx/5xx reply or a thrown `SmtpReplyError`
 * refuses. What it does not do: call hooks or talk to the machine.
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
