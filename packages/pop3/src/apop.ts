/**
 * The APOP digest (RFC 1939 §7): MD5 over the greeting's timestamp followed by the
 * shared secret, written as 32 lowercase hex digits. Both machines use it: the client
 * to log in, the server to check a login against the secret the application supplies.
 *
 * What it does not do: find the timestamp in a greeting (see `parseGreeting`) or compare
 * digests in constant time (the server does that with `timingSafeEqual`).
 */
import { encodeUtf8 } from "@mailwire/wire"
import { md5, toHex } from "./md5.js"

/**
 * The APOP digest of `secret` for the greeting `timestamp` (RFC 1939 §7), e.g.
 * `apopDigest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf")` is
 * `"c4c9334bac560ecc979e58001b3e22fb"`. The secret is encoded as UTF-8.
 */
export function apopDigest(timestamp: string, secret: string): string {
  return toHex(md5(encodeUtf8(timestamp + secret)))
}
