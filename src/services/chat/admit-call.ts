import { assertModelAllowed, type Principal } from '../../auth/principal.js';
import type { RoutePlan, RoutePlanner } from '../../routing/plan-routes.js';
import type { Target } from '../../routing/catalog.js';
import type { Attempt } from '../../routing/attempt.js';
import type { GatewayChatRequest } from '../chat-types.js';
import { observeRequest, type ChatObserver, type RequestObservation } from '../chat-observer.js';
import { estimatePromptTokens } from '../compute-usage.js';
import type { ConcurrencyLimit, Lease } from '../concurrency-limit.js';
import type { Admission, LimitsService } from '../limits-service.js';
import type { ChatCall, ChatTicket } from './chat-call.js';

/** Completion tokens assumed for cost-based selection when the caller sets no maxTokens. */
const EXPECTED_COMPLETION_TOKENS = 256;

const NO_LEASE: Lease = { release: () => undefined };

export interface AdmissionDeps {
  planner: RoutePlanner;
  limits: LimitsService;
  /** `maxConcurrentRequests`: a slot per model call in flight; none: no cap. */
  concurrency?: ConcurrencyLimit;
  observers: readonly ChatObserver[];
  now: () => number;
}

/** An admitted call: its route, its hold on the caller's limits, and what its attempts need. */
export interface AdmittedCall {
  plan: RoutePlan;
  admission: Admission;
  observation: RequestObservation | undefined;
  onAttempt?: (target: Target) => (attempt: Attempt) => void;
  signal: AbortSignal;
  attempts: Attempt[];
  startedAt: number;
  /** Estimates for cost-aware routing (zero otherwise). */
  promptTokens: number;
  completionTokens: number;
}

/** What a call passes before any upstream call: the concurrency slot, the route, and the caller's limits. */
export interface Admitter {
  /** The call's concurrency slot (none when it holds a ticket: its operation took one). */
  lease(call: ChatCall): Promise<Lease>;
  /** Plans the route and takes the caller's limits (or uses its ticket); the allow-list is checked by the caller. */
  admit(request: GatewayChatRequest, capability: 'chat' | 'streaming', call: ChatCall): Promise<AdmittedCall>;
  /**
   * Admits several calls of one operation together, before any of them runs:
   * allow-lists, routes, one concurrency slot for them all, then every call's
   * requests, tokens and budget. Any refusal releases what was taken and throws.
   */
  admitOperation(requests: readonly GatewayChatRequest[], principal: Principal): Promise<{ tickets: ChatTicket[]; lease: Lease }>;
}

export function createAdmitter(deps: AdmissionDeps): Admitter {
  const { planner, limits, observers, now } = deps;
  return {
    lease: (call) => (call.ticket || !deps.concurrency ? Promise.resolve(NO_LEASE) : deps.concurrency.acquire(call.principal)),

    async admit(request, capability, call) {
      const plan = call.ticket?.plan ?? planner.plan(request.model, capability, request);
      const admission = call.ticket?.admission ?? (await limits.admit(call.principal, request, plan.candidates.map((candidate) => candidate.target)));
      const costAware = plan.strategyName === 'cheapest';
      const observation = observeRequest(observers, {
        requestId: call.requestId,
        keyId: call.principal.keyId,
        callerKind: call.principal.kind,
        requested: request.model,
        streaming: capability === 'streaming',
        body: request,
      });
      return {
        observation,
        ...(observation
          ? {
              onAttempt: (target: Target) =>
                observation.attemptStarted({ model: target.model.id, provider: target.provider.id, upstream: target.model.upstream, providerType: target.provider.type }),
            }
          : {}),
        admission,
        plan,
        signal: call.signal,
        attempts: [],
        startedAt: now(),
        promptTokens: costAware ? estimatePromptTokens(request.messages) : 0,
        completionTokens: costAware ? (request.maxTokens ?? EXPECTED_COMPLETION_TOKENS) : 0,
      };
    },

    async admitOperation(requests, principal) {
      const plans = requests.map((request) => {
        assertModelAllowed(principal, request.model);
        return planner.plan(request.model, 'chat', request);
      });
      const lease = deps.concurrency ? await deps.concurrency.acquire(principal) : NO_LEASE;
      try {
        const admissions = await limits.admitAll(
          principal,
          requests.map((request, index) => ({ request, targets: (plans[index] as RoutePlan).candidates.map((candidate) => candidate.target) })),
        );
        return { tickets: admissions.map((admission, index) => ({ admission, plan: plans[index] as RoutePlan })), lease };
      } catch (error: unknown) {
        lease.release();
        throw error;
      }
    },
  };
}
