/**
 * Test support: runs a client against a server the way a protocol would, through the
 * base64 line helpers, and answers verification requests with a callback.
 */
import {
  decodeSaslResponse,
  encodeBase64,
  type SaslClient,
  type SaslError,
  type SaslServer,
  type SaslServerStep,
  type VerificationAnswer,
  type VerificationRequest,
} from "@mailwire/sasl"

export type Outcome =
  | { outcome: "success"; server: Extract<SaslServerStep, { type: "success" }>; client: boolean }
  | { outcome: "failure"; server: Extract<SaslServerStep, { type: "failure" }> }
  | { outcome: "client-error"; error: SaslError }

/** Whether each side sends its initial response as SASL-IR. */
export interface ExchangeOptions {
  initialResponse?: boolean
}

function overTheWire(bytes: Uint8Array): Uint8Array {
  const line = bytes.length === 0 ? "=" : encodeBase64(bytes)
  const decoded = decodeSaslResponse(line)
  if (decoded.type !== "response") throw new Error(`line ${line} did not decode`)
  return decoded.bytes
}

export function runExchange(
  client: SaslClient,
  server: SaslServer,
  verifier: (request: VerificationRequest) => VerificationAnswer,
  options: ExchangeOptions = {},
): Outcome {
  const ir = options.initialResponse === false ? null : client.initialResponse()
  let step = server.start(ir === null ? null : overTheWire(ir))
  for (let round = 0; round < 20; round++) {
    switch (step.type) {
      case "verify":
        step = server.answer(verifier(step.request))
        break
      case "challenge": {
        const reply = client.step(overTheWire(step.challenge))
        if ("error" in reply) return { outcome: "client-error", error: reply.error }
        if ("done" in reply) throw new Error("client gave up the exchange")
        step = server.step(overTheWire(reply.response))
        break
      }
      case "success":
        return { outcome: "success", server: step, client: "done" in client.success() }
      case "failure":
        return { outcome: "failure", server: step }
    }
  }
  throw new Error("the exchange did not end")
}

/** Printable nonce characters (RFC 5802 `printable`), in the order the random bytes pick them. */
const NONCE_ALPHABET = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) =>
  String.fromCharCode(0x21 + i),
).filter((c) => c !== ",")

/** The random bytes that make the package produce `nonce`. */
export function bytesForNonce(nonce: string): Uint8Array {
  return Uint8Array.from(nonce, (c) => NONCE_ALPHABET.indexOf(c))
}

/** A random source that hands out the given arrays in turn, whatever length is asked. */
export function scriptedRandom(...chunks: Uint8Array[]): (length: number) => Uint8Array {
  let next = 0
  return (length) => chunks[next++] ?? new Uint8Array(length).fill(7)
}

export const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
export const bytes = (value: string) => new TextEncoder().encode(value)
