import { textOf } from '../../providers/content-parts.js';
import type { ErrorCode } from '../../errors.js';
import type { ChatRole, FinishReason } from '../../providers/contract.js';
import type { CompletionRecord } from '../../services/chat-observer.js';
import type { AttemptOutcome, GatewayChatRequest } from '../../services/chat-types.js';

/** One try against one target, as the audit record lists it. */
export interface AuditAttempt {
  /** Gateway model id, e.g. `openai/gpt-4o-mini`. */
  model: string;
  /** Provider id from the config. */
  provider: string;
  outcome: AttemptOutcome;
  /** Milliseconds, rounded. */
  latencyMs: number;
  /** Null when the attempt succeeded (or was skipped without an error). */
  errorCode: ErrorCode | null;
}

/**
 * One audit record per completion (a request that got past admission and
 * routing, whatever its outcome). Written as one JSON object; the field names
 * are stable, so consumers (SIEM, billing reconciliation) may rely on them.
 * It never holds an API key, a token or any other secret, and holds the
 * request's messages only with `audit.includeContent: true`.
 *
 * - `type`: always `"completion"`.
 * - `time`: when the completion ended, ISO 8601 (UTC).
 * - `requestId`: the request's id, as in the `x-request-id` response header and the logs.
 * - `keyId`: who called: API key id, JWT key claim, or `"anonymous"` (never the secret).
 * - `requested`: the model or route id the caller asked for.
 * - `model`, `provider`: the gateway model id and provider id that answered; null when nothing did.
 * - `streaming`: `chatStream` (true) or `chat` (false).
 * - `outcome`: `success`, `failed` or `cancelled` (the client went away, or shutdown ended it).
 * - `errorCode`: the gateway error code when `outcome` is `failed`, else null.
 * - `finishReason`: `stop`, `length`, `tool_calls`, `content_filter` or `other` on success, else null.
 * - `cached`: answered from the completion cache.
 * - `attempts`: every try, in order: `{ model, provider, outcome, latencyMs, errorCode }`.
 * - `promptTokens`, `completionTokens`: tokens counted against the caller (0 when nothing answered);
 *   for cut-off streams, what was used up to the cut.
 * - `reasoningTokens`: the part of `completionTokens` spent reasoning (0 when the provider does not say).
 * - `cachedPromptTokens`: the part of `promptTokens` read from the provider's prompt cache (0 when it does not say).
 * - `costUsd`: US dollars; null when the model has no pricing or nothing answered.
 * - `latencyMs`: from admission to the end of the completion, milliseconds (rounded).
 * - `timeToFirstTokenMs`: streams only: to the first token, milliseconds (rounded); else null.
 * - `messages`: only with `includeContent: true`: the request's messages, `{ role, content }`.
 */
export interface AuditRecord {
  type: 'completion';
  time: string;
  requestId: string;
  keyId: string;
  requested: string;
  model: string | null;
  provider: string | null;
  streaming: boolean;
  outcome: CompletionRecord['outcome'];
  errorCode: ErrorCode | null;
  finishReason: FinishReason | null;
  cached: boolean;
  attempts: AuditAttempt[];
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedPromptTokens: number;
  costUsd: number | null;
  latencyMs: number;
  timeToFirstTokenMs: number | null;
  messages?: { role: ChatRole; content: string | null }[];
}

const roundMs = (ms: number) => Math.max(0, Math.round(ms));

/**
 * Builds the audit record. Fields are copied one by one (never spread), so
 * nothing new on the completion record can leak into the audit by accident.
 */
export function toAuditRecord(record: CompletionRecord, options: { time: Date; body?: GatewayChatRequest }): AuditRecord {
  const audit: AuditRecord = {
    type: 'completion',
    time: options.time.toISOString(),
    requestId: record.requestId,
    keyId: record.keyId,
    requested: record.requested,
    model: record.model,
    provider: record.provider,
    streaming: record.streaming,
    outcome: record.outcome,
    errorCode: record.errorCode,
    finishReason: record.finishReason,
    cached: record.cached,
    attempts: record.attempts.map((attempt) => ({
      model: attempt.model,
      provider: attempt.provider,
      outcome: attempt.outcome,
      latencyMs: roundMs(attempt.latencyMs),
      errorCode: attempt.errorCode ?? null,
    })),
    promptTokens: record.usage?.promptTokens ?? 0,
    completionTokens: record.usage?.completionTokens ?? 0,
    reasoningTokens: record.usage?.reasoningTokens ?? 0,
    cachedPromptTokens: record.usage?.cachedPromptTokens ?? 0,
    costUsd: record.usage?.costUsd ?? null,
    latencyMs: roundMs(record.latencyMs),
    timeToFirstTokenMs: record.timeToFirstTokenMs === null ? null : roundMs(record.timeToFirstTokenMs),
  };
  if (options.body) audit.messages = options.body.messages.map((message) => ({ role: message.role, content: message.parts ? textOf(message) : message.content }));
  return audit;
}
