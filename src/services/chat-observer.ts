import type { PrincipalKind } from '../auth/principal.js';
import type { ErrorCode } from '../errors/gateway-error.js';
import type { FinishReason } from '../providers/contract.js';
import type { Attempt } from '../routing/attempt.js';
import type { CompletionUsage, GatewayChatRequest } from './chat-types.js';

/** Everything known about one completion once it is over: the audit record, the metrics and the span's end. */
export interface CompletionRecord {
  requestId: string;
  keyId: string;
  /** The model or route id the caller asked for. */
  requested: string;
  /** The model and provider that answered; null when nothing did. */
  model: string | null;
  provider: string | null;
  streaming: boolean;
  outcome: 'success' | 'failed' | 'cancelled';
  errorCode: ErrorCode | null;
  finishReason: FinishReason | null;
  attempts: readonly Attempt[];
  usage: CompletionUsage | null;
  cached: boolean;
  latencyMs: number;
  /** Streams: from the request to the first token, in milliseconds. */
  timeToFirstTokenMs: number | null;
}

export interface AttemptTarget {
  model: string;
  provider: string;
  /** The provider's own model name. */
  upstream: string;
  providerType: string;
}

/** Hooks for one request, returned by `ChatObserver.requestStarted`. */
export interface RequestObservation {
  /** An attempt starts; the returned function is called with its outcome. */
  attemptStarted(target: AttemptTarget): (attempt: Attempt) => void;
  finished(record: CompletionRecord): void;
}

/**
 * Watches completions without changing them: tracing, metrics and audit each
 * implement it. Called on the hot path, so implementations do no I/O inline.
 */
export interface ChatObserver {
  requestStarted(request: {
    requestId: string;
    keyId: string;
    /** What kind of credential `keyId` belongs to (the usage ledger keeps both). */
    callerKind: PrincipalKind;
    requested: string;
    streaming: boolean;
    body: GatewayChatRequest;
  }): RequestObservation;
}

/** The end of an attempt, for observers that do not watch attempts. */
export const NOOP_ATTEMPT = (): void => undefined;

/** Several observers' hooks for one request: a class, so an open stream holds its array and no closures. */
class FanOut implements RequestObservation {
  constructor(private readonly observations: readonly RequestObservation[]) {}

  attemptStarted(target: AttemptTarget): (attempt: Attempt) => void {
    const ends = this.observations.map((observation) => observation.attemptStarted(target));
    return (attempt) => {
      for (const end of ends) end(attempt);
    };
  }

  finished(record: CompletionRecord): void {
    for (const observation of this.observations) observation.finished(record);
  }
}

/** Fans one request's events out to every observer; with none, costs nothing. */
export function observeRequest(
  observers: readonly ChatObserver[],
  request: Parameters<ChatObserver['requestStarted']>[0],
): RequestObservation | undefined {
  if (observers.length === 0) return undefined;
  // A loop, not a closure over `request`: a closure would hold the prompt for the stream's life.
  // Sized up front: a `push` onto `[]` reserves room for 17, and the list lives as long as the stream.
  const observations = new Array<RequestObservation>(observers.length);
  for (let i = 0; i < observers.length; i++) observations[i] = (observers[i] as ChatObserver).requestStarted(request);
  return observations.length === 1 ? observations[0] : new FanOut(observations);
}
