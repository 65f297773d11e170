import type { Candidate, SelectionContext, SelectionStrategy } from './strategy-types.js';

/**
 * Estimated USD cost of this request on `candidate`, or undefined when the model has no pricing.
 * Pricing is USD per million tokens, hence the 1e6.
 */
export function estimateCost(candidate: Candidate, context: SelectionContext): number | undefined {
  const pricing = candidate.target.model.pricing;
  if (!pricing) return undefined;
  return (context.promptTokens * pricing.input + context.completionTokens * pricing.output) / 1e6;
}

/**
 * `cheapest`: ascending estimated cost of this particular request.
 *
 * The cost depends on the request's own token counts, not on a fixed price
 * ranking: a model cheap on input but dear on output wins long prompts with
 * short answers and loses short prompts with long answers. Targets without
 * pricing have an unknown cost, so they are kept as a last resort (in
 * configured order) rather than being guessed as free. Equal costs keep the
 * configured order, so the route author decides ties.
 */
export const selectCheapest: SelectionStrategy = (candidates: readonly Candidate[], context: SelectionContext): Candidate[] => {
  // Cost is computed once per candidate, not once per comparison.
  const costed = candidates.map((candidate) => ({ candidate, cost: estimateCost(candidate, context) }));
  // Array.prototype.sort is stable, so ties (and the unpriced tail) keep the configured order.
  costed.sort((a, b) => {
    if (a.cost === undefined || b.cost === undefined) {
      return (a.cost === undefined ? 1 : 0) - (b.cost === undefined ? 1 : 0);
    }
    return a.cost - b.cost;
  });
  return costed.map(({ candidate }) => candidate);
};
