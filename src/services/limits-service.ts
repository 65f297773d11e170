import type { Principal } from '../auth/principal.js';
import type { AuthConfig } from '../config/config-schema.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { BudgetStore, RateLimitStore } from '../stores/store-types.js';
import type { Target } from '../routing/catalog.js';
import type { GatewayChatRequest } from './chat-types.js';
import { estimatePartTokens } from './estimate-part-tokens.js';
import { countPromptTokens } from './estimate-tokens.js';

/** Completion tokens reserved when the caller sets no maxTokens; settled to the real count afterwards. */
export const DEFAULT_COMPLETION_RESERVATION = 1_024;
const MINUTE_MS = 60_000;

/** What a request holds until it settles. */
export interface Admission {
  /** Replaces the estimate with the real usage (zero tokens when the call failed). */
  settle(usage: { promptTokens: number; completionTokens: number; costUsd: number | null }): void;
  /**
   * Gives everything back, the request slot included: the call never went
   * upstream (a cache hit, or another call of the same operation was refused).
   */
  release(): void;
}

export interface LimitsService {
  /**
   * Checks and reserves the caller's per-minute requests and tokens and its budget,
   * before any upstream call. Throws RATE_LIMITED or BUDGET_EXCEEDED.
   */
  admit(principal: Principal, request: GatewayChatRequest, targets: readonly Target[]): Promise<Admission>;
  /**
   * All or nothing: admits every call in order, or, at the first refusal,
   * releases those already admitted and throws that refusal.
   */
  admitAll(principal: Principal, calls: readonly { request: GatewayChatRequest; targets: readonly Target[] }[]): Promise<Admission[]>;
}

const NOTHING_HELD: Admission = { settle: () => undefined, release: () => undefined };

/** The store key of a caller's budget (by Principal.subject) for the period containing `now`, and how long to keep it. */
export function budgetKey(subject: string, period: AuthConfig['budgetPeriod'], now: Date): { key: string; ttlMs: number } {
  const iso = now.toISOString();
  return period === 'day'
    ? { key: `budget:${subject}:${iso.slice(0, 10)}`, ttlMs: 2 * 86_400_000 }
    : { key: `budget:${subject}:${iso.slice(0, 7)}`, ttlMs: 32 * 86_400_000 };
}

function rateLimited(what: string, retryAfterMs: number): GatewayError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1_000));
  return new GatewayError('RATE_LIMITED', `Rate limit reached: ${what}. Retry in ${retryAfterSeconds} s.`, { details: { retryAfterSeconds } });
}

/**
 * Reserve-then-settle limits per key: requests per minute, tokens per minute and
 * a spend budget per period, all atomic in the store, so concurrent requests on
 * any number of replicas overshoot by at most one request's reservation.
 */
export function createLimitsService(deps: {
  rateLimits: RateLimitStore;
  budgets: BudgetStore;
  budgetPeriod: AuthConfig['budgetPeriod'];
  onSettleError: (error: unknown) => void;
  now?: () => Date;
}): LimitsService {
  const { rateLimits, budgets } = deps;
  const now = deps.now ?? (() => new Date());

  const service: LimitsService = {
    async admitAll(principal, calls) {
      const admitted: Admission[] = [];
      try {
        for (const { request, targets } of calls) admitted.push(await service.admit(principal, request, targets));
      } catch (error: unknown) {
        for (const admission of admitted) admission.release();
        throw error;
      }
      return admitted;
    },

    async admit(principal, request, targets) {
      const { requestsPerMinute, tokensPerMinute, budgetUsd } = principal.limits;
      if (!requestsPerMinute && !tokensPerMinute && !budgetUsd) return NOTHING_HELD;
      const id = principal.subject;
      const undo: (() => Promise<void>)[] = [];
      const rollback = () => Promise.all(undo.map((step) => step())).catch(deps.onSettleError);

      try {
        if (requestsPerMinute) {
          const decision = await rateLimits.take(`rpm:${id}`, requestsPerMinute, MINUTE_MS, 1);
          if (!decision.allowed) throw rateLimited(`${requestsPerMinute} requests per minute`, decision.retryAfterMs);
          // A request refused further down (tokens, budget) gives its request slot back.
          undo.push(() => rateLimits.adjust(`rpm:${id}`, requestsPerMinute, MINUTE_MS, -1));
        }
        const completion = request.maxTokens ?? DEFAULT_COMPLETION_RESERVATION;
        // Images, files and audio: the dearest estimate among the targets, whichever answers.
        const partTokens = Math.max(0, ...targets.map((target) => estimatePartTokens(request.messages, target.provider.type, target.model.upstream)));
        const prompt = tokensPerMinute || budgetUsd ? (await countPromptTokens(request.messages, request.tools)) + partTokens : 0;
        const reservedTokens = prompt + completion;
        if (tokensPerMinute) {
          const decision = await rateLimits.take(`tpm:${id}`, tokensPerMinute, MINUTE_MS, reservedTokens);
          if (!decision.allowed) {
            if (reservedTokens > tokensPerMinute) {
              throw new GatewayError('RATE_LIMITED', `This request needs ~${reservedTokens} tokens, more than the key's ${tokensPerMinute} tokens per minute; lower maxTokens.`, {
                details: { retryAfterSeconds: 60 },
              });
            }
            throw rateLimited(`${tokensPerMinute} tokens per minute`, decision.retryAfterMs);
          }
          undo.push(() => rateLimits.adjust(`tpm:${id}`, tokensPerMinute, MINUTE_MS, -reservedTokens));
        }
        let reservedMicros = 0;
        const period = budgetKey(id, deps.budgetPeriod, now());
        if (budgetUsd) {
          // The dearest target bounds what this request can cost, whichever answers.
          for (const { model } of targets) {
            const micros = model.pricing ? Math.ceil(prompt * model.pricing.input + completion * model.pricing.output) : 0;
            reservedMicros = Math.max(reservedMicros, micros);
          }
          const capMicros = Math.round(budgetUsd * 1_000_000);
          const reservation = await budgets.reserve(period.key, reservedMicros, capMicros, period.ttlMs);
          if (!reservation.allowed) {
            throw new GatewayError('BUDGET_EXCEEDED', `The budget of $${budgetUsd} for this ${deps.budgetPeriod} is spent (or this request could exceed it).`, {
              details: { budgetUsd, spentUsd: reservation.spentMicros / 1_000_000 },
            });
          }
        }

        let settled = false;
        return {
          release() {
            if (settled) return;
            settled = true;
            void rollback();
            if (budgetUsd && reservedMicros !== 0) budgets.adjust(period.key, -reservedMicros, period.ttlMs).catch(deps.onSettleError);
          },
          settle(usage) {
            if (settled) return;
            settled = true;
            const steps: Promise<void>[] = [];
            if (tokensPerMinute) {
              const delta = usage.promptTokens + usage.completionTokens - reservedTokens;
              if (delta !== 0) steps.push(rateLimits.adjust(`tpm:${id}`, tokensPerMinute, MINUTE_MS, delta));
            }
            if (budgetUsd) {
              const delta = Math.round((usage.costUsd ?? 0) * 1_000_000) - reservedMicros;
              if (delta !== 0) steps.push(budgets.adjust(period.key, delta, period.ttlMs));
            }
            Promise.all(steps).catch(deps.onSettleError);
          },
        };
      } catch (error: unknown) {
        await rollback();
        throw error;
      }
    },
  };
  return service;
}
