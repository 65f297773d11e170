import type { ErrorCode } from '../errors/gateway-error.js';

export const ATTEMPT_OUTCOMES = ['success', 'failed', 'timed_out', 'skipped'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** One try against one target, successful or not. */
export interface Attempt {
  model: string;
  provider: string;
  outcome: AttemptOutcome;
  latencyMs: number;
  errorCode?: ErrorCode;
  /** Why a skipped target was not tried (e.g. it lacks a capability the request needs). */
  reason?: string;
}
