/**
 * When the outbound queue tries again (RFC 5321 §4.5.4.1): the default retry delays, and
 * the time of the next attempt after a given number of failures.
 *
 * What it does not do: keep timers; the queue does.
 */

/**
 * The default delays between attempts, in seconds: 5 minutes, 30 minutes, then doubling
 * to 12 hours, then every 12 hours — about 4.7 days in all. RFC 5321 §4.5.4.1 asks for
 * retries at least 30 minutes apart after the first and for giving up only after 4–5
 * days; the short first retry catches the common case of a relay that was restarting.
 */
export const DEFAULT_RETRY_DELAYS_SECONDS: readonly number[] = [
  300, 1800, 3600, 7200, 14400, 28800, 43200, 43200, 43200, 43200, 43200, 43200, 43200, 43200,
]

/**
 * When to try again after `failures` failed attempts, or `null` when the schedule is
 * used up and the message should bounce.
 */
export function nextAttemptAt(
  failures: number,
  delaysMs: readonly number[],
  now: number,
): number | null {
  const delay = delaysMs[failures - 1]
  return delay === undefined ? null : now + delay
}
