import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../helpers/graphql-clients.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

const NONE = 'sk-scopes-none-0123456789abcdef';
const ALL = 'sk-scopes-all-0123456789abcdefg';

/** Every field that needs a scope, with an operation that reaches it. */
const SCOPED: { field: string; scope: string; document: string }[] = [
  { field: 'Query.models', scope: 'models', document: '{ models { id } }' },
  { field: 'Query.model', scope: 'models', document: '{ model(id: "local/echo") { id } }' },
  { field: 'Query.routes', scope: 'models', document: '{ routes { id } }' },
  { field: 'Query.providers', scope: 'models', document: '{ providers { id } }' },
  { field: 'Query.embedding', scope: 'embed', document: '{ embedding(model: "local/embed", input: "x") { dimensions } }' },
  { field: 'Query.keyUsage', scope: 'admin', document: '{ keyUsage(keyId: "none") { requests } }' },
  { field: 'Query.usageReport', scope: 'admin', document: '{ usageReport(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") { rows { requests } } }' },
  { field: 'Query.auditLog', scope: 'admin', document: '{ auditLog { edges { cursor } } }' },
  { field: 'Query.apiKeys', scope: 'admin', document: '{ apiKeys { edges { cursor } } }' },
  { field: 'Mutation.chat', scope: 'chat', document: 'mutation { chat(input: {model: "local/echo", messages: [{role: USER, content: "x"}]}) { id } }' },
  { field: 'Mutation.createApiKey', scope: 'admin', document: 'mutation { createApiKey(input: {id: "made-by-test"}) { secret } }' },
  { field: 'Mutation.revokeApiKey', scope: 'admin', document: 'mutation { revokeApiKey(id: "no-such-key") { id } }' },
  { field: 'Subscription.chatStream', scope: 'chat', document: 'subscription { chatStream(input: {model: "local/echo", messages: [{role: USER, content: "x"}]}) { delta } }' },
];

const bearer = (secret: string) => ({ headers: { authorization: `Bearer ${secret}` } });

async function postSse(url: string, query: string, secret: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${secret}` },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, text: await response.text() };
}

describe('field scopes: every scoped field refuses a caller without its scope', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway(
      `
providers: [{ id: local, type: local, tokenDelayMs: 0 }]
auth:
  keys:
    - { id: none, secret: "\${NONE}", scopes: [] }
    - { id: all, secret: "\${ALL}", scopes: [models, chat, embed, admin] }
`,
      { NONE, ALL },
    );
  });
  afterAll(async () => {
    await gw.stop();
  });

  it.each(SCOPED)('$field needs $scope', async ({ field, document }) => {
    const refused = await postGraphQL<Record<string, unknown>, never>(gw.url, document, undefined, bearer(NONE));
    const errors = refused.body.errors ?? [];
    expect(errors.map((error) => [error.extensions?.code, error.extensions?.field])).toEqual([['FORBIDDEN', field]]);
    expect(errors[0]?.message).toBe(`This key may not use ${field}: it lacks the scope it needs.`);
    expect(refused.status).toBe(403);
    // Refused before its resolver ran: nothing was done.
    if (field === 'Mutation.createApiKey') {
      const keys = await postGraphQL<Record<string, unknown>, never>(gw.url, '{ apiKeys { edges { node { id } } } }', undefined, bearer(ALL));
      expect(JSON.stringify(keys.body)).not.toContain('made-by-test');
    }

    if (field.startsWith('Subscription.')) {
      // Over SSE too (the fast lane): refused with one event, and never streamed.
      const sse = await postSse(gw.url, document, NONE);
      expect(sse.status).toBe(403);
      expect(sse.text).toContain(`"code":"FORBIDDEN"`);
      expect(sse.text).not.toContain('"delta"');
      const streamed = await postSse(gw.url, document, ALL);
      expect(streamed.text).toContain('"delta"');
      expect(streamed.text).not.toContain('FORBIDDEN');
      return;
    }
    // The same operation with every scope is not refused for its scope (it may fail otherwise:
    // no database here for the reports).
    const allowed = await postGraphQL<Record<string, unknown>, never>(gw.url, document, undefined, bearer(ALL));
    expect((allowed.body.errors ?? []).filter((error) => error.extensions?.code === 'FORBIDDEN')).toEqual([]);
  });
});
