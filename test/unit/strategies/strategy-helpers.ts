import type { Provider } from '../../../src/providers/contract.js';
import type { Candidate, SelectionContext, TargetStats } from '../../../src/routing/strategies/strategy-types.js';

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1), so statistical tests are reproducible. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Strategies only read ids, weights, pricing and stats, so the provider is an inert stub. */
function fakeProvider(id: string): Provider {
  return {
    id,
    type: 'openai',
    chat: () => Promise.reject(new Error('not used')),
    stream: () => {
      throw new Error('not used');
    },
  } as unknown as Provider;
}

export interface CandidateSpec {
  weight?: number;
  pricing?: { input: number; output: number };
  stats?: Partial<TargetStats>;
}

/** A candidate whose model id is `id`, with unsampled, idle stats unless told otherwise. */
export function candidate(id: string, spec: CandidateSpec = {}): Candidate {
  return {
    target: {
      model: { id, provider: 'fake', upstream: id, capabilities: ['chat'], ...(spec.pricing ? { pricing: spec.pricing } : {}) },
      provider: fakeProvider('fake'),
      weight: spec.weight ?? 1,
    },
    stats: { inFlight: 0, latencyMs: undefined, lastSampleAt: undefined, ...spec.stats },
  };
}

/** A selection context; randomness defaults to a fixed seed and the clock to t = 0. */
export function context(overrides: Partial<SelectionContext> = {}): SelectionContext {
  return { random: mulberry32(1), now: () => 0, promptTokens: 0, completionTokens: 0, ...overrides };
}

/** The model ids of an ordering, for readable assertions. */
export function ids(candidates: readonly Candidate[]): string[] {
  return candidates.map((c) => c.target.model.id);
}

/** How often each id came first over `draws` selections. */
export function firstPickShares(draws: number, pick: () => readonly Candidate[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < draws; i++) {
    const first = pick()[0]?.target.model.id ?? '(none)';
    counts.set(first, (counts.get(first) ?? 0) + 1);
  }
  return new Map([...counts].map(([id, count]) => [id, count / draws]));
}

/** True when `result` holds exactly the candidates of `input`, each once. */
export function isPermutationOf(result: readonly Candidate[], input: readonly Candidate[]): boolean {
  return result.length === input.length && new Set(result).size === result.length && result.every((c) => input.includes(c));
}
