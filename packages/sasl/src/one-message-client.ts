/**
 * The client side of a mechanism that sends one message and nothing else (PLAIN,
 * ANONYMOUS, EXTERNAL): the message goes as the initial response (SASL-IR, RFC 4959) or as
 * the answer to the server's first, empty challenge (RFC 4422 §5), once. A second
 * challenge is an error, not a second copy. Each returned array is a fresh copy the
 * caller owns.
 */
import { SaslError } from "./errors.js"
import type { SaslMechanismName } from "./mechanism-names.js"
import type { SaslClient, SaslClientStep } from "./types.js"

export abstract class OneMessageClient implements SaslClient {
  abstract readonly mechanism: SaslMechanismName
  private sent = false

  protected constructor(private readonly message: Uint8Array) {}

  initialResponse(): Uint8Array {
    this.sent = true
    return this.message.slice()
  }

  step(): SaslClientStep {
    if (this.sent) {
      const text = `${this.mechanism} has nothing more to send`
      return { error: new SaslError("UNEXPECTED_CHALLENGE", text) }
    }
    this.sent = true
    return { response: this.message.slice() }
  }

  success(): { done: true } {
    return { done: true }
  }
}
