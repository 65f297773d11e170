import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * The first steps of a new user: `npm ci` on the oldest supported Node prints no engine warnings,
 * and `npm start` rebuilds only when sources changed (a second start goes straight to the server).
 */
const run = promisify(execFile);
const root = new URL('../../', import.meta.url);
const semver = createRequire(import.meta.url)('semver') as { satisfies(version: string, range: string): boolean };

describe('npm ci on the oldest supported Node', () => {
  it('installs nothing whose engines exclude it (npm would print EBADENGINE)', () => {
    const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } };
    const oldest = /(\d+\.\d+(?:\.\d+)?)/.exec(manifest.engines.node)?.[1] ?? '';
    const version = oldest.split('.').length === 2 ? `${oldest}.0` : oldest;
    const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as { packages: Record<string, { version?: string; engines?: unknown }> };
    const refusing = Object.entries(lock.packages)
      .filter(([, entry]) => {
        const node = (entry.engines as { node?: unknown } | undefined)?.node;
        return typeof node === 'string' && !semver.satisfies(version, node);
      })
      .map(([path, entry]) => `${path}@${entry.version} (node ${(entry.engines as { node: string }).node})`);
    expect(version).toBe('20.19.0');
    expect(refusing).toEqual([]);
  });
});

describe('npm start', () => {
  it('does not rebuild when no source changed', async () => {
    // The prestart step, exactly as npm runs it: the first call builds if needed, the second must write nothing.
    const prestart = () => run('npm', ['run', '-s', 'prestart'], { cwd: root, timeout: 120_000 });
    await prestart();
    const built = statSync(new URL('dist/main.js', root)).mtimeMs;
    const info = statSync(new URL('dist/.tsbuildinfo', root)).mtimeMs;
    await prestart();
    expect(statSync(new URL('dist/main.js', root)).mtimeMs).toBe(built);
    expect(statSync(new URL('dist/.tsbuildinfo', root)).mtimeMs).toBe(info);
  }, 150_000);
});
