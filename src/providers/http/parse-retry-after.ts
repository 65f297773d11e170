/** Upper bound on an upstream-requested wait we will honour, in milliseconds. */
export const MAX_RETRY_AFTER_MS = 60_000;

type HeaderValue = string | string[] | undefined;

const NUMBER = /^\d+(\.\d+)?$/;
/** An IMF-fixdate (RFC 9110), the only date form Retry-After may carry, e.g. "Wed, 21 Oct 2015 07:28:00 GMT". */
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

function first(value: HeaderValue): string | undefined {
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
}

/**
 * Reads `retry-after-ms` (OpenAI), then `retry-after` (seconds or an HTTP date).
 * Returns undefined when neither is usable; caps absurd values.
 */
export function parseRetryAfter(
  headers: Record<string, HeaderValue>,
  now: () => number = Date.now,
): number | undefined {
  const ms = first(headers['retry-after-ms']);
  if (ms && NUMBER.test(ms)) return Math.min(Number(ms), MAX_RETRY_AFTER_MS);
  const raw = first(headers['retry-after']);
  if (!raw) return undefined;
  if (NUMBER.test(raw)) return Math.min(Number(raw) * 1000, MAX_RETRY_AFTER_MS);
  // Date.parse alone is too lenient: it reads "-5" or "1.2.3" as dates.
  if (!HTTP_DATE.test(raw)) return undefined;
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - now()), MAX_RETRY_AFTER_MS);
}
