/**
 * Values shared by the POP3 client and server machines: the extended response codes of
 * RFC 2449 §8 and RFC 3206, RFC 6856's `[UTF8]`, and the per-message listing of
 * RFC 1939 §5 (message number, size in octets, unique-id).
 *
 * Nothing here reads or writes bytes.
 */

/**
 * An extended response code (RFC 2449 §8): `IN-USE` and `LOGIN-DELAY` (RFC 2449 §8.1,
 * §8.2), `SYS/TEMP`, `SYS/PERM` and `AUTH` (RFC 3206 §4, §5), `UTF8` (RFC 6856 §2).
 * Other codes a server invents are kept as they were sent.
 */
export type Pop3ResponseCode =
  | "IN-USE"
  | "LOGIN-DELAY"
  | "SYS/TEMP"
  | "SYS/PERM"
  | "AUTH"
  | "UTF8"
  | (string & {})

/** A scan listing line: `LIST` (RFC 1939 §5). */
export interface ScanListing {
  /** The message number, from 1, fixed for the session. */
  readonly number: number
  /** The exact size in octets, as the message would be sent by `RETR` before stuffing. */
  readonly size: number
}

/** A unique-id listing line: `UIDL` (RFC 1939 §7). */
export interface UniqueIdListing {
  readonly number: number
  /** 1 to 70 characters in 0x21–0x7E, stable across sessions. */
  readonly uid: string
}

/** The answer to `STAT` (RFC 1939 §5): messages not marked as deleted, and their octets. */
export interface StatData {
  readonly count: number
  readonly size: number
}
