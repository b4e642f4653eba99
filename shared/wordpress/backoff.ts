/**
 * How long to wait before asking a struggling site again.
 */

/**
 * Reads a `Retry-After` header: either delay seconds or an HTTP date.
 *
 * @returns whole seconds from `nowMs`, at least 0 and at most `capSeconds`,
 *   or undefined when the header is missing or unreadable.
 * @example
 * parseRetryAfter('120', Date.now(), 900); // 120
 * parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', Date.now(), 900);
 */
export function parseRetryAfter(
  value: string | undefined,
  nowMs: number,
  capSeconds: number,
): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  let seconds: number;
  if (/^\d+$/.test(text)) {
    seconds = Number(text);
  } else {
    // Every HTTP-date form starts with a day name; Date.parse alone would
    // also accept "-5" or "1.5".
    if (!/^[A-Za-z]{3,9},?\s/.test(text)) return undefined;
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    seconds = Math.ceil((at - nowMs) / 1000);
  }
  return Math.min(capSeconds, Math.max(0, seconds));
}

/**
 * Exponential backoff with full jitter: a uniform wait between 0 and
 * `min(capMs, baseMs * 2^(attempt - 1))`, so many clients that failed
 * together do not come back together.
 *
 * @param attempt the attempt that just failed, counted from 1.
 * @param random uniform in [0, 1).
 */
export function backoffDelayMs(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
