/**
 * AUTH on the client (RFC 4954 §4): the mechanism is the strongest both sides support
 * (`chooseMechanism` from `@mailwire/sasl`) unless one is configured; PLAIN, LOGIN and the
 * bearer-token mechanisms (XOAUTH2, OAUTHBEARER) are never used without TLS unless
 * `allowPlaintextAuth` (DESIGN §4 invariant 3), even when configured. The initial
 * response goes on the AUTH line; each `334` challenge is answered by the SASL client;
 * a `235` is checked with `success()`, so SCRAM fails when the server was not verified.
 */
import {
  chooseMechanism,
  createSaslClient,
  decodeBase64,
  encodeBase64,
  isPlaintextMechanism,
  type SaslClient,
  type SaslClientOptions,
  type SaslMechanismName,
  sendsSecretInClear,
} from "@mailwire/sasl"
import { encodeUtf8 } from "@mailwire/wire"
import { announcedAuthMechanisms } from "../../capabilities.js"
import type { SmtpReply } from "../../types.js"
import type { ClientSession } from "../session.js"
import { becomeReady } from "./hello.js"

type Pick = { readonly mechanism: SaslMechanismName } | { readonly problem: string }

function pickMechanism(session: ClientSession): Pick {
  const { options, isSecure } = session
  const offered = announcedAuthMechanisms(session.capabilities)
  const allowPlaintext = options.allowPlaintextAuth ?? false
  if (options.mechanism !== undefined) {
    if (!offered.includes(options.mechanism)) {
      return { problem: `the server does not offer ${options.mechanism}` }
    }
    if (sendsSecretInClear(options.mechanism) && !isSecure && !allowPlaintext) {
      const secret = isPlaintextMechanism(options.mechanism) ? "password" : "token"
      return { problem: `refusing to send a ${options.mechanism} ${secret} without TLS` }
    }
    return { mechanism: options.mechanism }
  }
  const chosen = chooseMechanism(offered, options.credentials ?? {}, { isSecure, allowPlaintext })
  if (chosen !== null) return { mechanism: chosen }
  if (offered.length === 0) return { problem: "the server does not offer AUTH" }
  if (!isSecure && offered.some(isPlaintextMechanism)) {
    return {
      problem:
        "refusing to send a password without TLS (the server offers only plaintext mechanisms)",
    }
  }
  return { problem: `no usable SASL mechanism among ${offered.join(", ")}` }
}

export function startAuth(session: ClientSession): void {
  const pick = pickMechanism(session)
  if ("problem" in pick) {
    session.fail("auth", null, pick.problem)
    return
  }
  const chosen = pick.mechanism
  const { random, minScramIterations } = session.options
  const saslOptions: { -readonly [K in keyof SaslClientOptions]: SaslClientOptions[K] } = {}
  if (random !== undefined) saslOptions.random = random
  if (minScramIterations !== undefined) saslOptions.minScramIterations = minScramIterations
  const sasl = createSaslClient(chosen, session.options.credentials ?? {}, saslOptions)
  const initial = sasl.initialResponse()
  session.state = "auth"
  const initialResponse = initial === null ? null : encodeBase64(initial)
  session.send({ verb: "AUTH", mechanism: chosen, initialResponse }, (reply) =>
    onReply(session, sasl, reply),
  )
}

function onReply(session: ClientSession, sasl: SaslClient, reply: SmtpReply): boolean {
  if (reply.code === 334) {
    const challenge = decodeBase64(reply.lines[0]?.trim() ?? "")
    const step = challenge === null ? null : sasl.step(challenge)
    if (step === null || "error" in step) {
      // RFC 4954 §4: "*" cancels; the server answers 501.
      session.write(encodeUtf8("*\r\n"))
      session.expect((final) => {
        const why = step === null ? "the server sent invalid base64" : step.error.message
        session.fail("auth", final, `authentication cancelled: ${why}`)
        return false
      })
      return false
    }
    const response = "response" in step ? encodeBase64(step.response) : ""
    session.write(encodeUtf8(`${response}\r\n`))
    session.expect((next) => onReply(session, sasl, next))
    return false
  }
  if (reply.code === 235) {
    const done = sasl.success()
    if ("error" in done) {
      session.fail("auth", reply, `the server could not be verified: ${done.error.message}`)
    } else {
      session.authenticated = sasl.mechanism
      becomeReady(session)
    }
    return false
  }
  session.fail("auth", reply, `authentication failed: ${reply.code} ${reply.lines.join(" ")}`)
  return false
}
