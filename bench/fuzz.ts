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
const vitestReport = join(dir, 'vitest.json');
const run = spawnSync('npx', ['vitest', 'run', 'test/fuzz', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`], {
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
// Checks made per batch rather than per case (health, error-level logs, console output, heap) fail a test, not a property.
interface VitestJson {
  testResults: { assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
}
const failedTests = existsSync(vitestReport)
  ? (JSON.parse(readFileSync(vitestReport, 'utf8')) as VitestJson).testResults.flatMap((file) => file.assertionResults.filter((test) => test.status === 'failed'))
  : [];
if (!existsSync(vitestReport)) process.stderr.write('fuzz: vitest wrote no JSON report\n');
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
  `Tests failed (per-batch checks included): ${failedTests.length === 0 ? 'none' : failedTests.map((test) => test.fullName).join('; ')}.`,
  '',
  ...failedTests
    .filter((test) => !failures.some((report) => test.failureMessages.join('').includes(report.property)))
    .map((test) => `Failure in "${test.fullName}": ${short(test.failureMessages.join(' ').replace(/\u001b\[[0-9;]*m/g, ''), 400)}\n`),
  ...failures.flatMap((report) => [
    `Failure in ${report.property}: ${short((report.problems ?? []).join('; '), 400)}`,
    '',
    `Case: \`${short(report.counterexample ?? '', 400).replace(/\|/g, '\\|')}\``,
    '',
  ]),
].join('\n');
process.stdout.write(`${lines}\n`);
if (!args['no-append']) appendFileSync(join(ROOT, 'bench/RESULTS.md'), `\n${lines}`);
process.exit(run.status === 0 && failures.length === 0 && failedTests.length === 0 ? 0 : 1);
