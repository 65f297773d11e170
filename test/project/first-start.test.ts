import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/postgres-database.js';
import { exerciseConfig, exerciseGateway, startUpstream } from './fixtures/exercise-gateway.js';
import { expectAllServed } from './fixtures/expect-all-served.js';

/**
 * The first steps of a new user: `npm ci` on the oldest supported Node prints no engine warnings,
 * `npm start` rebuilds only when sources changed (a second start goes straight to the server), and
 * what it runs, the bundle in dist/, serves as the sources do.
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
    const info = statSync(new URL('dist/modules/.tsbuildinfo', root)).mtimeMs;
    await prestart();
    expect(statSync(new URL('dist/main.js', root)).mtimeMs).toBe(built);
    expect(statSync(new URL('dist/modules/.tsbuildinfo', root)).mtimeMs).toBe(info);
  }, 150_000);

  it('runs the bundle it built: every kind of request served, a database migrated, no fetch loaded', async () => {
    await run('npm', ['run', '-s', 'prestart'], { cwd: root, timeout: 120_000 });
    const upstream = await startUpstream();
    const database = await createTestDatabase();
    const folder = mkdtempSync(join(tmpdir(), 'switchboard-bundle-'));
    const configFile = join(folder, 'switchboard.yaml');
    // The migrations are found from the bundle's chunks too (they live at the package root).
    writeFileSync(configFile, `${exerciseConfig(upstream.origin)}\ndatabase: { url: "${database.url}" }\n`);
    const preload = new URL('./fixtures/report-loaded.cjs', import.meta.url).pathname;
    const child = spawn(process.execPath, ['-r', preload, 'dist/main.js'], {
      cwd: root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', SWITCHBOARD_CONFIG: configFile },
    });
    let output = '';
    child.stdout.on('data', (part: Buffer) => (output += part.toString('utf8')));
    child.stderr.on('data', (part: Buffer) => (output += part.toString('utf8')));
    try {
      const origin = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "listening" line in 30 s:\n${output}`)), 30_000);
        child.stdout.on('data', () => {
          const listening = /listening on (http:\/\/[^/\s]+)/.exec(output);
          if (listening?.[1]) {
            clearTimeout(timer);
            resolve(listening[1]);
          }
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
      });
      expectAllServed(await exerciseGateway(origin));
      expect(await database.query('SELECT name FROM pgmigrations')).not.toHaveLength(0);
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
      await upstream.close();
      await database.drop();
      rmSync(folder, { recursive: true, force: true });
    }
    const report = JSON.parse(output.split('\n').find((line) => line.includes('"nodeBundledUndici"')) ?? '{}') as { nodeBundledUndici?: boolean };
    expect(report.nodeBundledUndici).toBe(false);
    expect(output).not.toMatch(/"level":50/);
  }, 150_000);
});
