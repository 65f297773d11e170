import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/create-logger.js';
import { createGateway, type Gateway } from '../../src/gateway.js';

const MANIFEST = resolve('schema/persisted-operations.json');
const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>;
const idOf = (name: string) => {
  const entry = Object.entries(manifest).find(([, text]) => text.includes(`${name}(`) || text.includes(`${name} {`));
  if (!entry) throw new Error(`no persisted operation ${name}`);
  return entry[0];
};

const running: Gateway[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((gateway) => gateway.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temporary folder for a config file, removed after the test. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-persisted-'));
  dirs.push(dir);
  return dir;
}

async function start(allowArbitraryOperations: boolean) {
  const dir = tempDir();
  const file = join(dir, 'switchboard.yaml');
  writeFileSync(
    file,
    `providers: [{ id: local, type: local, tokenDelayMs: 0 }]
server: { persistedOperations: { manifest: "${MANIFEST}", allowArbitraryOperations: ${allowArbitraryOperations} } }
`,
  );
  const config = await loadConfig({ configPath: file, env: {}, cwd: dir });
  const gateway = await createGateway({ config, logger: createLogger({ level: 'silent' }) });
  running.push(gateway);
  return gateway.listen(0, '127.0.0.1');
}

async function post(url: string, body: unknown) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] } };
}

describe('persisted operations', () => {
  it('runs manifest operations by documentId or APQ hash, and refuses anything else in allowlist mode', async () => {
    const url = await start(false);
    const byId = await post(url, { documentId: idOf('query Models'), variables: {} });
    expect((byId.body.data?.models as { id: string }[]).map((model) => model.id)).toContain('local/echo');

    const chat = await post(url, {
      extensions: { persistedQuery: { version: 1, sha256Hash: idOf('mutation Chat') } },
      variables: { input: { model: 'local/echo', messages: [{ role: 'USER', content: 'persisted' }] } },
    });
    expect((chat.body.data?.chat as { message: { content: string } }).message.content).toBe('persisted');

    const adHoc = await post(url, { query: '{ models { id } }' });
    expect(adHoc.body.data).toBeUndefined();
    expect(adHoc.body.errors?.[0]?.message).toMatch(/persisted/i);

    const unknown = await post(url, { documentId: 'f'.repeat(64) });
    expect(unknown.body.errors?.[0]?.message).toMatch(/not ?found/i);
  });

  it('still accepts ad-hoc operations when allowArbitraryOperations is true', async () => {
    const url = await start(true);
    expect((await post(url, { query: '{ models { id } }' })).body.data?.models).toBeTruthy();
    expect((await post(url, { documentId: idOf('query Routes') })).body.data?.routes).toBeTruthy();
  });

  it('refuses to start with a manifest that cannot be read, naming the field', async () => {
    const dir = tempDir();
    const file = join(dir, 'switchboard.yaml');
    writeFileSync(file, 'server: { persistedOperations: { manifest: "missing.json" } }\n');
    await expect(loadConfig({ configPath: file, env: {}, cwd: dir })).rejects.toThrow(/server\.persistedOperations\.manifest: cannot read/);
  });
});
