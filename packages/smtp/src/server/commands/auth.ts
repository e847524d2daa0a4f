/**
 * AUTH (RFC 4954 §4): the SASL exchange, run by a `@mailwire/sasl` server mechanism.
 * Challenges go out as `334 base64`; the client's lines are decoded with
 * `decodeSaslResponse` (`*` cancels); a verification the mechanism needs becomes an
 * `auth` decision event. Failures are counted, and too many close the connection
 * (DESIGN §4 invariant 7). AUTH is offered only under TLS unless allowed (invariant 3).
 */
import {
  createSaslServer,
  decodeSaslResponse,
  encodeBase64,
  SaslError,
  type SaslMechanismName,
  type SaslServerOptions,
  type SaslServerStep,
  type VerificationAnswer,
} from "@mailwire/sasl"
import { encodeUtf8, LocalProtocolError } from "@mailwire/wire"
import type { SmtpReplyInput } from "../../types.js"
import type { AuthCommand } from "../../wire/command.js"
import type { AuthEvent } from "../events.js"
import type { ServerSession } from "../session.js"
import { isAuthOffered } from "./hello.js"

const FAILURE_REPLIES: Record<
  Extract<SaslServerStep, { type: "failure" }>["reason"],
  SmtpReplyInput
> = {
  cancelled: { code: 501, enhancedCode: "5.0.0", text: "Authentication cancelled" },
  malformed: { code: 501, enhancedCode: "5.5.2", text: "Malformed authentication data" },
  "invalid-credentials": {
    code: 535,
    enhancedCode: "5.7.8",
    text: "Authentication credentials invalid",
  },
  unsupported: { code: 504, enhancedCode: "5.5.4", text: "Unrecognized authentication type" },
}

function refusal(session: ServerSession, command: AuthCommand): SmtpReplyInput | null {
  const { authMechanisms } = session.options
  if (authMechanisms.length === 0) {
    return { code: 502, enhancedCode: "5.5.1", text: "AUTH not available" }
  }
  if (!isAuthOffered(session)) {
    return {
      code: 538,
      enhancedCode: "5.7.11",
      text: "Encryption required for requested authentication mechanism",
    }
  }
  if (session.greeted === "HELO")
    return { code: 503, enhancedCode: "5.5.1", text: "Send EHLO first" }
  if (session.auth !== null)
    return { code: 503, enhancedCode: "5.5.1", text: "Already authenticated" }
  if (!authMechanisms.includes(command.mechanism as SaslMechanismName)) {
    return FAILURE_REPLIES.unsupported
  }
  return null
}

export function handleAuth(session: ServerSession, command: AuthCommand): void {
  const refused = refusal(session, command)
  if (refused !== null) {
    session.reply(refused)
    return
  }
  const mechanism = command.mechanism as SaslMechanismName
  const { random, now, hostname, scramUnknownUserSecret } = session.options
  const saslOptions: { -readonly [K in keyof SaslServerOptions]: SaslServerOptions[K] } = {
    hostname,
  }
  if (random !== undefined) saslOptions.random = random
  if (now !== undefined) saslOptions.now = now
  if (scramUnknownUserSecret !== undefined) {
    saslOptions.scramUnknownUserSecret = scramUnknownUserSecret
  }
  const sasl = createSaslServer(mechanism, saslOptions)
  session.exchange = { mechanism, sasl }
  session.state = "auth"
  if (command.initialResponse === null) {
    handleStep(session, sasl.start(null))
    return
  }
  const initial = decodeSaslResponse(command.initialResponse)
  if (initial.type === "response") handleStep(session, sasl.start(initial.bytes))
  else if (initial.type === "cancel") handleStep(session, sasl.cancel())
  else fail(session, mechanism, "malformed")
}

/** A client line during the exchange (RFC 4954 §4): base64, or `*` to cancel. */
export function handleAuthLine(session: ServerSession, line: string): void {
  const { sasl, mechanism } = session.exchange!
  const decoded = decodeSaslResponse(line)
  if (decoded.type === "response") handleStep(session, sasl.step(decoded.bytes))
  else if (decoded.type === "cancel") handleStep(session, sasl.cancel())
  else fail(session, mechanism, "malformed")
}

/**
 * The application's answer to the pending `auth` event. An answer of the wrong kind
 * throws a `LocalProtocolError` (the SASL mechanism's `SaslError` is its cause) before
 * anything changes, so the decision stays pending and can be answered again.
 */
export function answerAuth(session: ServerSession, answer: VerificationAnswer): void {
  let step: SaslServerStep
  try {
    step = session.exchange!.sasl.answer(answer)
  } catch (error) {
    if (!(error instanceof SaslError)) throw error
    throw new LocalProtocolError("INVALID_ARGUMENT", error.message, { cause: error })
  }
  session.pending = null
  handleStep(session, step)
}

/**
 * The application could not check the credentials now (its backend is down): `reply` is
 * its 4xx, such as RFC 4954 §6's `454 4.7.0`. The exchange ends; it is not counted as a
 * failed attempt, since the client guessed nothing.
 */
export function failTemporarily(session: ServerSession, reply: SmtpReplyInput): void {
  const { mechanism } = session.exchange!
  session.pending = null
  session.exchange = null
  session.state = session.idleState()
  session.reply(reply)
  session.emit({
    type: "authFailure",
    mechanism,
    reason: "temporary",
    failures: session.authFailures,
  })
}

/** The exchange broke off (a line too long): it fails as malformed. */
export function abortAuth(session: ServerSession): void {
  fail(session, session.exchange!.mechanism, "malformed")
}

function handleStep(session: ServerSession, step: SaslServerStep): void {
  const { mechanism } = session.exchange!
  switch (step.type) {
    case "challenge":
      session.replyRaw(encodeUtf8(`334 ${encodeBase64(step.challenge)}\r\n`))
      return
    case "verify": {
      const event: AuthEvent = { type: "auth", mechanism, request: step.request }
      session.pending = event
      session.emit(event)
      return
    }
    case "success":
      session.exchange = null
      session.auth = { mechanism, username: step.username }
      session.state = session.idleState()
      session.reply({ code: 235, enhancedCode: "2.7.0", text: "Authentication successful" })
      session.emit({
        type: "authenticated",
        mechanism,
        username: step.username,
        authzid: step.authzid,
      })
      return
    case "failure":
      fail(session, mechanism, step.reason)
  }
}

function fail(
  session: ServerSession,
  mechanism: string,
  reason: Extract<SaslServerStep, { type: "failure" }>["reason"],
): void {
  session.exchange = null
  session.state = session.idleState()
  session.authFailures++
  session.reply(FAILURE_REPLIES[reason])
  session.emit({ type: "authFailure", mechanism, reason, failures: session.authFailures })
  if (session.authFailures >= session.options.maxAuthFailures) {
    session.close("too-many-auth-failures", {
      code: 421,
      enhancedCode: "4.7.0",
      text: "Too many failed authentication attempts",
    })
  }
}
