import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../helpers/graphql-clients.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

/*
 * An API key and a JWT whose subject equals the key's id are different callers:
 * limits, usage, budgets and the completion cache are kept apart. And a JWT
 * without `exp` (it would never expire) is refused unless the operator opts out.
 */

const KEY = 'sbk_namespaces-0123456789abcdefgh';
const ADMIN_KEY = 'sbk_namespaces-admin-0123456789abc';
const JWT_SECRET = 'namespaces-jwt-secret-of-32-chars-at-least';
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

async function jwt(claims: Record<string, unknown>, expires = true): Promise<string> {
  const token = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (expires) token.setExpirationTime('5m');
  return token.sign(new TextEncoder().encode(JWT_SECRET));
}

const CHAT = 'mutation ($content: String!) { chat(input: { model: "local/echo", temperature: 0, messages: [{ role: USER, content: $content }] }) { cached } }';
const VIEWER = '{ viewer { keyId usage { requests } budget { spentUsd } } }';

interface Viewer {
  keyId: string;
  usage: { requests: number };
  budget: { spentUsd: number } | null;
}

async function chat(gw: RunningGateway, token: string, content: string) {
  const { status, body } = await postGraphQL(gw.url, CHAT, { content }, bearer(token));
  return { status, code: body.errors?.[0]?.extensions?.code, cached: (body.data as { chat?: { cached: boolean } } | null)?.chat?.cached };
}

async function viewer(gw: RunningGateway, token: string): Promise<Viewer> {
  const { body } = await postGraphQL(gw.url, VIEWER, undefined, bearer(token));
  expect(body.errors).toBeUndefined();
  return (body.data as { viewer: Viewer }).viewer;
}

describe('API keys and JWT subjects live in separate namespaces', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway(
      `
providers: [{ id: local, type: local, tokenDelayMs: 0 }]
models: [{ provider: local, upstream: echo, pricing: { input: 1000, output: 1000 } }]
auth:
  keys:
    - { id: shared, secret: "${KEY}", scopes: [chat, models], limits: { requestsPerMinute: 2, budgetUsd: 100 } }
    - { id: admin, secret: "${ADMIN_KEY}", scopes: [admin, models] }
  jwt: { secret: "${JWT_SECRET}", limits: { requestsPerMinute: 2, budgetUsd: 100 } }
`,
    );
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('a JWT with sub equal to a key id cannot use up that key’s limit, budget, usage or cache', async () => {
    const token = await jwt({ sub: 'shared', scope: 'chat models' });
    // The token spends its whole per-minute allowance and some budget, and fills the cache.
    expect(await chat(gw, token, 'one')).toMatchObject({ status: 200, cached: false });
    expect(await chat(gw, token, 'two')).toMatchObject({ status: 200, cached: false });
    expect(await chat(gw, token, 'three')).toMatchObject({ status: 429, code: 'RATE_LIMITED' });

    const tokenView = await viewer(gw, token);
    expect(tokenView.keyId).toBe('shared');
    expect(tokenView.usage.requests).toBe(2);
    expect(tokenView.budget?.spentUsd).toBeGreaterThan(0);

    // The key has its own: nothing used, nothing spent, nothing cached for it.
    const keyView = await viewer(gw, KEY);
    expect(keyView).toMatchObject({ keyId: 'shared', usage: { requests: 0 }, budget: { spentUsd: 0 } });
    expect(await chat(gw, KEY, 'one')).toMatchObject({ status: 200, cached: false });
    expect(await chat(gw, KEY, 'two')).toMatchObject({ status: 200, cached: false });
    expect(await chat(gw, KEY, 'three')).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect((await viewer(gw, KEY)).usage.requests).toBe(2);
  });

  it('admin usage reads a key by its id and a token subject as jwt:<sub>', async () => {
    const read = async (keyId: string) => {
      const { body } = await postGraphQL(gw.url, 'query ($keyId: ID!) { keyUsage(keyId: $keyId) { requests } }', { keyId }, bearer(ADMIN_KEY));
      expect(body.errors).toBeUndefined();
      return (body.data as { keyUsage: { requests: number } }).keyUsage.requests;
    };
    const token = await jwt({ sub: 'someone-else', scope: 'chat' });
    await chat(gw, token, 'counted');
    expect(await read('jwt:someone-else')).toBe(1);
    expect(await read('someone-else')).toBe(0);
  });

  it('refuses a JWT without exp with 401 by default', async () => {
    const token = await jwt({ sub: 'forever', scope: 'chat models' }, false);
    const { status, body } = await postGraphQL(gw.url, VIEWER, undefined, bearer(token));
    expect(status).toBe(401);
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(body.errors?.[0]?.message).toMatch(/exp/);
  });
});

describe('auth.jwt.requireExp: false', () => {
  it('accepts a JWT without exp, and still refuses an expired one beyond the clock skew', async () => {
    const gw = await startGateway(
      `
providers: [{ id: local, type: local, tokenDelayMs: 0 }]
auth:
  jwt: { secret: "${JWT_SECRET}", requireExp: false, clockSkewSec: 5 }
`,
    );
    try {
      const forever = await jwt({ sub: 'forever', scope: 'chat models' }, false);
      expect((await viewer(gw, forever)).keyId).toBe('forever');

      const now = Math.floor(Date.now() / 1000);
      const withinSkew = await new SignJWT({ sub: 'late', scope: 'models' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(now - 2).sign(new TextEncoder().encode(JWT_SECRET));
      expect((await viewer(gw, withinSkew)).keyId).toBe('late');
      const expired = await new SignJWT({ sub: 'late', scope: 'models' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(now - 60).sign(new TextEncoder().encode(JWT_SECRET));
      const { status, body } = await postGraphQL(gw.url, VIEWER, undefined, bearer(expired));
      expect(status).toBe(401);
      expect(body.errors?.[0]?.message).toMatch(/expired/);
    } finally {
      await gw.stop();
    }
  });
});
