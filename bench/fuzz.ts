/**
 * `npm run fuzz -- --runs N --seed S`: the fuzz suite (test/fuzz) with a bigger budget than CI.
 *
 * Runs vitest on test/fuzz with FUZZ_SEED=S and FUZZ_SCALE set so that the properties together
 * run about N cases (CI runs CI_CASES with the fixed seed), then reads the figures each property
 * appended to a report file: cases run, failures found (the first failing case of a property
 * stops it; the case and its problems are printed), and the worst answer time. Prints a markdown
 * table and appends it to bench/RESULTS.md (unless `--no-append`). Exits non-zero on a failure.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { PropertyReport } from '../test/fuzz/fuzz-budget.js';

/** Cases the CI budget runs (the base runs of every property in test/fuzz, summed). */
const CI_CASES = 2_500;

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: String(CI_CASES * 10) },
    seed: { type: 'string', default: String(Date.now() % 1_000_000_000) },
    'no-append': { type: 'boolean', default: false },
  },
});
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(args.runs);
const seed = Number(args.seed);
const scale = runs / CI_CASES;
const dir = mkdtempSync(join(os.tmpdir(), 'sb-fuzz-'));
const reportPath = join(dir, 'report.jsonl');

process.stderr.write(`fuzz: about ${runs} cases (scale ×${scale.toFixed(2)}), seed ${seed}\n`);
const started = performance.now();
const run = spawnSync('npx', ['vitest', 'run', 'test/fuzz'], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, FUZZ_SEED: String(seed), FUZZ_SCALE: String(scale), FUZZ_REPORT: reportPath },
});
const minutes = (performance.now() - started) / 60_000;

const reports: PropertyReport[] = existsSync(reportPath)
  ? readFileSync(reportPath, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as PropertyReport)
  : [];
rmSync(dir, { recursive: true, force: true });

const short = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text).replace(/\s+/g, ' ');
const cases = reports.reduce((sum, report) => sum + report.cases, 0);
const failures = reports.filter((report) => report.failures > 0);
const worst = reports.reduce<PropertyReport | undefined>((slowest, report) => (!slowest || report.worstMs > slowest.worstMs ? report : slowest), undefined);
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).stdout.toString().trim();
const lines = [
  `### Fuzz: ${cases.toLocaleString('en')} cases, seed ${seed} (${new Date().toISOString().slice(0, 16)}Z, commit ${commit})`,
  '',
  `Command: \`npm run fuzz -- --runs ${runs} --seed ${seed}\`; ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ${minutes.toFixed(1)} min.`,
  '',
  '| property | cases | failures | worst answer |',
  '|---|---|---|---|',
  ...reports.map((report) => `| ${report.property} | ${report.cases.toLocaleString('en')} | ${report.failures} | ${report.worstMs} ms |`),
  `| **all** | **${cases.toLocaleString('en')}** | **${failures.length}** | **${worst?.worstMs ?? 0} ms** (${worst?.property ?? '-'}) |`,
  '',
  ...(worst?.worstCase ? [`Slowest case: \`${worst.worstCase.replace(/\|/g, '\\|')}\``, ''] : []),
  ...failures.flatMap((report) => [
    `Failure in ${report.property}: ${short((report.problems ?? []).join('; '), 400)}`,
    '',
    `Case: \`${short(report.counterexample ?? '', 400).replace(/\|/g, '\\|')}\``,
    '',
  ]),
].join('\n');
process.stdout.write(`${lines}\n`);
if (!args['no-append']) appendFileSync(join(ROOT, 'bench/RESULTS.md'), `\n${lines}`);
process.exit(run.status === 0 && failures.length === 0 ? 0 : 1);
