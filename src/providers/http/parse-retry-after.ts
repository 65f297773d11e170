/** Upper bound on an upstream-requested wait we will honour, in milliseconds. */
export const MAX_RETRY_AFTER_MS = 60_000;

type HeaderValue = string | string[] | undefined;

function first(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Reads `retry-after-ms` (OpenAI), then `retry-after` (seconds or an HTTP date).
 * Returns undefined when neither is usable; caps absurd values.
 */
export function parseRetryAfter(
  headers: Record<string, HeaderValue>,
  now: () => number = Date.now,
): number | undefined {
  const ms = Number(first(headers['retry-after-ms']));
  if (Number.isFinite(ms) && ms >= 0 && first(headers['retry-after-ms']) !== undefined) {
    return Math.min(ms, MAX_RETRY_AFTER_MS);
  }
  const raw = first(headers['retry-after'])?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.min(Number(raw) * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - now()), MAX_RETRY_AFTER_MS);
}
