import type { RetryPolicy } from './route-policy.js';

/**
 * How long to wait before retry number `retry` (0-based): exponential backoff
 * with full jitter, but never less than the upstream's Retry-After. Returns
 * undefined when the upstream asks for a longer wait than `maxRetryAfterMs`:
 * better to move on to another target than to hold the caller.
 */
export function retryDelay(
  policy: RetryPolicy,
  retry: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs) return undefined;
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** retry);
  const backoff = Math.round(ceiling * random());
  return Math.max(backoff, retryAfterMs ?? 0);
}
