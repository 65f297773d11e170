import { auditServer, type AuditResult } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../helpers/start-gateway.js';
import { startFastGateway } from './fast-gateway.js';

let gw: RunningGateway;
let results: AuditResult[];

beforeAll(async () => {
  gw = await startFastGateway();
  results = await auditServer({ url: gw.url, fetchFn: fetch });
});

afterAll(async () => {
  await gw.stop();
});

describe('GraphQL over HTTP (graphql-http audit)', () => {
  it('passes every MUST item', async () => {
    const counts = { ok: 0, warn: 0, notice: 0, error: 0 };
    for (const result of results) counts[result.status] += 1;
    console.info(`graphql-http audit: ${JSON.stringify(counts)} of ${results.length}`);
    const failed = await Promise.all(
      results
        .filter((result) => result.status === 'error')
        .map(async (result) => (result.status === 'error' ? `${result.id} ${result.name}: ${result.reason}\n${await result.response.text().catch(() => '')}` : '')),
    );
    expect(failed, failed.join('\n')).toEqual([]);
    expect(counts.ok).toBeGreaterThan(0);
  });
});
