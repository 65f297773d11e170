import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import type { Exercised } from './fixtures/exercise-gateway.js';
import { expectAllServed } from './fixtures/expect-all-served.js';

/*
 * What a gateway loads and never runs is memory every replica pays for. Node's bundled undici
 * (behind its fetch globals) and undici's index (fetch, cookies, WebSocket, caches) were ~5 MB of
 * an idle gateway's RSS; only undici's connection pool is used. The requests run in a child
 * process: this runner's own process has loaded much already.
 */
const run = promisify(execFile);
const fixture = new URL('./fixtures/what-loads.ts', import.meta.url).pathname;

it("serves one request of each kind without loading Node's fetch or the whole of undici", async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture], { timeout: 60_000 });
  const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { exercised: Exercised; nodeBundledUndici: boolean; undiciFiles: number };
  expectAllServed(report.exercised);
  expect(report.nodeBundledUndici).toBe(false);
  // The pool and what it needs (24 files with undici 7.30); the whole package is 111.
  expect(report.undiciFiles).toBeGreaterThan(0);
  expect(report.undiciFiles).toBeLessThan(40);
}, 90_000);
