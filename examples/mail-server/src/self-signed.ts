/**
 * A self-signed X.509 v3 certificate (RFC 5280) made with `node:crypto` alone, for
 * machines without the `openssl` program: an ECDSA P-256 key (RFC 5480), the subject and
 * issuer `CN=<host name>`, a subjectAltName with the DNS names and IP addresses clients
 * will connect to (RFC 5280 §4.2.1.6; RFC 6125 checks names only there), and
 * basicConstraints `CA:TRUE` so it can be its own trust anchor, as `openssl req -x509`
 * makes it. Signed with ECDSA-with-SHA256 (RFC 5758 §3.2).
 *
 * Just enough DER (X.690) to write that one structure; it parses nothing.
 */
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto"
import { isIP } from "node:net"

/** A DER TLV: tag, definite length, contents (X.690 §8.1). */
function tlv(tag: number, contents: Uint8Array): Uint8Array {
  const n = contents.length
  const length =
    n < 0x80
      ? [n]
      : n < 0x100
        ? [0x81, n]
        : n < 0x10000
          ? [0x82, n >> 8, n & 0xff]
          : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]
  return Buffer.concat([Buffer.from([tag, ...length]), contents])
}

const sequence = (...items: Uint8Array[]) => tlv(0x30, Buffer.concat(items))
const set = (...items: Uint8Array[]) => tlv(0x31, Buffer.concat(items))
const explicit = (n: number, inner: Uint8Array) => tlv(0xa0 + n, inner)

function oid(dotted: string): Uint8Array {
  const [first, second, ...rest] = dotted.split(".").map(Number)
  const bytes = [first! * 40 + second!]
  for (const arc of rest) {
    const chunk = [arc & 0x7f]
    for (let v = arc >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80)
    bytes.push(...chunk)
  }
  return tlv(0x06, Buffer.from(bytes))
}

function integer(bytes: Uint8Array): Uint8Array {
  const positive = bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes
  return tlv(0x02, positive)
}

/** UTCTime before 2050, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function time(date: Date): Uint8Array {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14)
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`, "latin1"))
    : tlv(0x18, Buffer.from(`${iso}Z`, "latin1"))
}

function ipBytes(address: string): Uint8Array {
  if (isIP(address) === 4) return Buffer.from(address.split(".").map(Number))
  const [head = "", tail = ""] = address.split("::")
  const groups = (text: string) => (text === "" ? [] : text.split(":"))
  const left = groups(head)
  const right = groups(tail)
  const all = address.includes("::")
    ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right]
    : left
  return Buffer.from(all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]))
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  const flag = critical ? [tlv(0x01, Buffer.from([0xff]))] : []
  return sequence(oid(id), ...flag, tlv(0x04, value))
}

const ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2"

function pem(label: string, der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? []
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`
}

/** A fresh key and self-signed certificate for `names` (DNS names or IP addresses), as PEM. */
export function makeSelfSignedCertificate(
  commonName: string,
  names: readonly string[],
  days: number,
  now = new Date(),
): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
  const spki = publicKey.export({ type: "spki", format: "der" })
  const name = sequence(set(sequence(oid("2.5.4.3"), tlv(0x0c, Buffer.from(commonName)))))
  const altNames = sequence(
    ...names.map((n) => (isIP(n) ? tlv(0x87, ipBytes(n)) : tlv(0x82, Buffer.from(n, "latin1")))),
  )
  // subjectKeyIdentifier: SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2, method 1).
  const keyBits = spki.subarray(spki.length - 65)
  const keyId = tlv(0x04, createHash("sha1").update(keyBits).digest())
  const algorithm = sequence(oid(ECDSA_WITH_SHA256))
  const serial = randomBytes(16)
  serial[0]! &= 0x7f
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    algorithm,
    name,
    sequence(
      time(new Date(now.getTime() - 60_000)),
      time(new Date(now.getTime() + days * 86_400_000)),
    ),
    name,
    spki,
    explicit(
      3,
      sequence(
        extension("2.5.29.19", true, sequence(tlv(0x01, Buffer.from([0xff])))),
        extension("2.5.29.14", false, keyId),
        extension("2.5.29.17", false, altNames),
      ),
    ),
  )
  const signature = sign("sha256", tbs, { key: privateKey, dsaEncoding: "der" })
  const certificate = sequence(
    tbs,
    algorithm,
    tlv(0x03, Buffer.concat([Buffer.from([0]), signature])),
  )
  return {
    key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    cert: pem("CERTIFICATE", certificate),
  }
}
