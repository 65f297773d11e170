import type { FinishReason } from '../../providers/contract.js';
import { isGatewayError, type ErrorCode } from '../../errors/gateway-error.js';
import type { ChatCall } from './chat-call.js';
import type { Attempt } from '../../routing/attempt.js';
import type { CompletionUsage } from '../chat-types.js';
import type { RequestObservation } from '../chat-observer.js';
import type { Admission } from '../limits-service.js';
import type { UsageMeter, UsageOutcome } from '../usage-meter.js';

const NO_USAGE = { promptTokens: 0, completionTokens: 0, costUsd: 0 };

function errorCodeOf(error: unknown): ErrorCode {
  return isGatewayError(error) ? error.code : 'INTERNAL_SERVER_ERROR';
}

/** One admitted call, as settlement needs it. */
export interface SettlementContext {
  call: ChatCall;
  /** The model the caller asked for (only that: an open stream does not hold its prompt). */
  requested: string;
  streaming: boolean;
  admission: Admission;
  meter: UsageMeter;
  observation: RequestObservation | undefined;
  attempts: Attempt[];
  startedAt: number;
  now: () => number;
}

/** How a call that reached a target ended. */
export interface AnsweredEnd {
  /** The gateway model and provider that answered. */
  model: string;
  provider: string;
  outcome: UsageOutcome;
  usage: CompletionUsage;
  /** Success only. */
  finishReason: FinishReason | null;
  /** Failed only: what failed it. */
  failure?: unknown;
  /** Streams: when the first token arrived (same clock as `now`). */
  firstTokenAt?: number;
}

/**
 * Settles the tokens a call used, once: on the caller's limits (the admission)
 * and on the usage meter. A cut-off stream settles too: it still spent what it saw.
 */
export function settleUsage(context: SettlementContext, end: AnsweredEnd): void {
  const { keyId, subject } = context.call.principal;
  context.admission.settle(end.usage);
  context.meter.record({ keyId, subject, model: end.model, provider: end.provider, ...end.usage, outcome: end.outcome });
}

/** Builds the completion record of a call that reached a target, and hands it to the observers. */
export function observeAnswered(context: SettlementContext, end: AnsweredEnd): void {
  const { call, requested } = context;
  context.observation?.finished({
    requestId: call.requestId,
    keyId: call.principal.keyId,
    requested,
    model: end.model,
    provider: end.provider,
    streaming: context.streaming,
    outcome: end.outcome,
    errorCode: end.outcome === 'failed' ? errorCodeOf(end.failure) : null,
    finishReason: end.outcome === 'success' ? end.finishReason : null,
    attempts: context.attempts,
    usage: end.usage,
    cached: false,
    latencyMs: context.now() - context.startedAt,
    timeToFirstTokenMs: end.firstTokenAt === undefined ? null : end.firstTokenAt - context.startedAt,
  });
}

/** A call that no target answered: nothing used, and a record without model or usage. */
export function settleUnanswered(context: SettlementContext, error: unknown): void {
  const { call, requested } = context;
  context.admission.settle(NO_USAGE);
  context.observation?.finished({
    requestId: call.requestId,
    keyId: call.principal.keyId,
    requested,
    model: null,
    provider: null,
    streaming: context.streaming,
    outcome: call.signal.aborted ? 'cancelled' : 'failed',
    errorCode: call.signal.aborted ? null : errorCodeOf(error),
    finishReason: null,
    attempts: context.attempts,
    usage: null,
    cached: false,
    latencyMs: context.now() - context.startedAt,
    timeToFirstTokenMs: null,
  });
}
