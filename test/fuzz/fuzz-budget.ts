import { appendFileSync } from 'node:fs';
import fc from 'fast-check';

/*
 * Seed, budget and bookkeeping shared by every fuzz property. In CI the seed is fixed and the
 * budget small; `npm run fuzz -- --runs N --seed S` (bench/fuzz.ts) scales every property's runs
 * through FUZZ_SCALE and collects the figures each property appends to FUZZ_REPORT.
 */

const envNumber = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return process.env[name] && Number.isFinite(value) && value > 0 ? value : fallback;
};

/** The seed every property runs with (CI: fixed). */
export const FUZZ_SEED = envNumber('FUZZ_SEED', 20_261_205);
/** Multiplies every property's CI run count. */
export const FUZZ_SCALE = envNumber('FUZZ_SCALE', 1);
/**
 * The time bound of an answer to a refused or invalid request, and of a model call against the
 * fast mock upstream, in milliseconds (issue 11: 2 s).
 */
export const BOUND_MS = envNumber('FUZZ_BOUND_MS', 2_000);

/** Runs of a property with `base` runs in CI. */
export const runs = (base: number): number => Math.max(1, Math.round(base * FUZZ_SCALE));

/** What examining one generated case found. */
export interface Examined {
  problems: string[];
  /** The slowest answer in the case, in milliseconds. */
  ms: number;
}

/** One property's figures, as the long run collects them. */
export interface PropertyReport {
  property: string;
  seed: number;
  cases: number;
  failures: number;
  worstMs: number;
  worstCase?: string;
  problems?: string[];
  counterexample?: string;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);

/**
 * Checks `examine` on `runs(baseRuns)` generated cases with the fixed seed. Stops at the first
 * failing case (no shrinking: recipes are small already) and throws with the case, the problems
 * and the seed/path to replay it.
 */
export async function fuzz<T>(property: string, arbitrary: fc.Arbitrary<T>, examine: (value: T) => Promise<Examined>, baseRuns: number): Promise<PropertyReport> {
  const report: PropertyReport = { property, seed: FUZZ_SEED, cases: 0, failures: 0, worstMs: 0 };
  const result = await fc.check(
    fc.asyncProperty(arbitrary, async (value) => {
      report.cases++;
      const { problems, ms } = await examine(value);
      if (ms > report.worstMs) {
        report.worstMs = Math.round(ms);
        report.worstCase = clip(fc.stringify(value), 300);
      }
      if (problems.length === 0) return true;
      report.failures++;
      report.problems = problems.map((problem) => clip(problem, 600));
      report.counterexample = clip(fc.stringify(value), 2_000);
      return false;
    }),
    { seed: FUZZ_SEED, numRuns: runs(baseRuns), endOnFailure: true },
  );
  if (process.env.FUZZ_REPORT) appendFileSync(process.env.FUZZ_REPORT, `${JSON.stringify(report)}\n`);
  if (result.failed) {
    report.counterexample ??= result.counterexample ? clip(fc.stringify(result.counterexample[0]), 2_000) : undefined;
    const why = report.problems?.join('\n  ') ?? String(result.errorInstance);
    throw new Error(
      `fuzz property "${property}" failed after ${report.cases} cases (seed ${FUZZ_SEED}, path ${result.counterexamplePath ?? '?'}):\n  ${why}\ncase: ${report.counterexample ?? '?'}`,
    );
  }
  return report;
}

/** A fuzz test's own timeout: its budget on a slow, shared machine, scaled with the runs (ms). */
export const FUZZ_TEST_TIMEOUT_MS = Math.round(90_000 * Math.max(1, FUZZ_SCALE));
