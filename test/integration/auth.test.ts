import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ChatDocument } from '../../schema/generated/graphql.js';
import { collectWs, createWsClient, postGraphQL } from '../helpers/graphql-clients.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

const ADMIN_KEY = 'sbk_admin-secret-0123456789abcdef';
const READER_KEY = 'sbk_reader-secret-0123456789abcdef';
const ECHO_KEY = 'sbk_echo-only-secret-0123456789ab';
const JWT_SECRET = 'jwt-shared-secret-of-at-least-32-chars!!';
const ISSUER = 'https://issuer.test';

const chatInput = (model = 'local/echo') => ({ input: { model, messages: [{ role: 'USER' as const, content: 'hello auth' }] } });
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

async function hs256(claims: Record<string, unknown>, options: { expiresIn?: string; secret?: string } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(new TextEncoder().encode(options.secret ?? JWT_SECRET));
}

/** Opens a graphql-ws connection and resolves with the close code the server sends (or 0 if it stays open). */
function closeCodeFor(url: string, connectionParams?: Record<string, unknown>): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', ...(connectionParams ? { payload: connectionParams } : {}) })));
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') {
        socket.close();
        resolve(0);
      }
    });
    socket.on('close', (code) => resolve(code));
  });
}

describe('auth with API keys and HS256 JWTs', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway(
      `
providers: [{ id: local, type: local, tokenDelayMs: 0 }]
auth:
  keys:
    - { id: admin, secret: "\${ADMIN_KEY}", scopes: [admin, models, chat] }
    - { id: reader, secret: "\${READER_KEY}", scopes: [models] }
    - { id: echo-only, secret: "\${ECHO_KEY}", scopes: [chat, models], models: ["local/echo"], limits: { requestsPerMinute: 100 } }
  jwt: { secret: "\${JWT_SECRET}", issuer: "${ISSUER}" }
`,
      { ADMIN_KEY, READER_KEY, ECHO_KEY, JWT_SECRET },
    );
  });
  afterAll(async () => {
    await gw.stop();
  });

  it('refuses a request without credentials with 401 UNAUTHENTICATED', async () => {
    const { status, body } = await postGraphQL(gw.url, ChatDocument, chatInput());
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(body.errors?.[0]?.message).toMatch(/Authorization: Bearer/);
  });

  it('refuses an unknown key with 401', async () => {
    const { status, body } = await postGraphQL(gw.url, ChatDocument, chatInput(), bearer('sbk_not-a-real-key-000000000000'));
    expect(status).toBe(401);
    expect(body.errors?.[0]).toMatchObject({ message: 'Unknown API key.', extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('lets a valid key call within its scopes and models, and forbids the rest with 403', async () => {
    const ok = await postGraphQL(gw.url, ChatDocument, chatInput(), bearer(ECHO_KEY));
    expect(ok.body.data?.chat.message.content).toBe('hello auth');

    const otherModel = await postGraphQL(gw.url, ChatDocument, chatInput('local/lorem'), bearer(ECHO_KEY));
    expect(otherModel.status).toBe(403);
    expect(otherModel.body.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(otherModel.body.errors?.[0]?.message).toMatch(/may not use "local\/lorem"/);

    const noScope = await postGraphQL(gw.url, ChatDocument, chatInput(), bearer(READER_KEY));
    expect(noScope.status).toBe(403);
    expect(noScope.body.errors?.[0]).toMatchObject({
      message: 'This key may not use Mutation.chat: it lacks the scope it needs.',
      path: ['chat'],
      extensions: { code: 'FORBIDDEN', field: 'Mutation.chat' },
    });
    const catalog = await postGraphQL(gw.url, '{ models { id } }', undefined, bearer(READER_KEY));
    expect(catalog.body.errors).toBeUndefined();
  });

  it('shows the caller its own scopes, limits and usage', async () => {
    await postGraphQL(gw.url, ChatDocument, chatInput(), bearer(ECHO_KEY));
    const { body } = await postGraphQL(
      gw.url,
      '{ viewer { keyId kind scopes models limits { requestsPerMinute tokensPerMinute budgetUsd } usage { requests promptTokens completionTokens byModel { model requests } } budget { limitUsd } } }',
      undefined,
      bearer(ECHO_KEY),
    );
    const viewer = (body.data as { viewer: Record<string, unknown> & { usage: { requests: number; byModel: { model: string }[] } } }).viewer;
    expect(viewer).toMatchObject({ keyId: 'echo-only', kind: 'KEY', models: ['local/echo'], limits: { requestsPerMinute: 100, tokensPerMinute: null }, budget: null });
    expect(viewer.scopes).toEqual(expect.arrayContaining(['CHAT', 'MODELS']));
    expect(viewer.usage.requests).toBeGreaterThanOrEqual(1);
    expect(viewer.usage.byModel.map((row) => row.model)).toContain('local/echo');
  });

  it('creates keys for admins only, returns the secret once, and revokes them', async () => {
    const create = 'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret key { id scopes models source revokedAt } } }';
    const denied = await postGraphQL(gw.url, create, { input: { id: 'x1' } }, bearer(ECHO_KEY));
    expect(denied.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const created = await postGraphQL(gw.url, create, { input: { id: 'runtime-1', scopes: ['CHAT'], models: ['local/*'] } }, bearer(ADMIN_KEY));
    const payload = (created.body.data as { createApiKey: { secret: string; key: Record<string, unknown> } }).createApiKey;
    expect(payload.secret).toMatch(/^sbk_[A-Za-z0-9_-]{43}$/);
    expect(payload.key).toMatchObject({ id: 'runtime-1', scopes: ['CHAT'], models: ['local/*'], source: 'api', revokedAt: null });
    expect((await postGraphQL(gw.url, ChatDocument, chatInput(), bearer(payload.secret))).body.data?.chat.message.content).toBe('hello auth');

    const duplicate = await postGraphQL(gw.url, create, { input: { id: 'runtime-1' } }, bearer(ADMIN_KEY));
    expect(duplicate.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.id' } });
    const badId = await postGraphQL(gw.url, create, { input: { id: 'has space' } }, bearer(ADMIN_KEY));
    expect(badId.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const list = await postGraphQL(gw.url, '{ apiKeys { edges { node { id source } } } }', undefined, bearer(ADMIN_KEY));
    expect(JSON.stringify(list.body)).not.toContain(payload.secret);
    expect((list.body.data as { apiKeys: { edges: { node: { id: string } }[] } }).apiKeys.edges.map((edge) => edge.node.id)).toEqual(expect.arrayContaining(['admin', 'runtime-1']));

    const revoked = await postGraphQL(gw.url, 'mutation { revokeApiKey(id: "runtime-1") { id revokedAt } }', undefined, bearer(ADMIN_KEY));
    expect((revoked.body.data as { revokeApiKey: { revokedAt: string } }).revokeApiKey.revokedAt).toMatch(/^\d{4}-/);
    const after = await postGraphQL(gw.url, ChatDocument, chatInput(), bearer(payload.secret));
    expect(after.status).toBe(401);
    expect(after.body.errors?.[0]?.message).toBe('This API key has been revoked.');

    expect(gw.logs.join('\n')).not.toContain(payload.secret);
  });

  it('accepts a valid JWT and refuses expired, forged and subject-less ones', async () => {
    const token = await hs256({ sub: 'user-42', scope: 'chat models' });
    const ok = await postGraphQL(gw.url, '{ viewer { keyId kind scopes } }', undefined, bearer(token));
    expect(ok.body.data).toEqual({ viewer: { keyId: 'user-42', kind: 'JWT', scopes: ['CHAT', 'MODELS'] } });
    expect((await postGraphQL(gw.url, ChatDocument, chatInput(), bearer(token))).body.data?.chat.message.content).toBe('hello auth');

    const expired = await hs256({ sub: 'user-42' }, { expiresIn: '-1m' });
    const forged = await hs256({ sub: 'user-42' }, { secret: 'another-secret-of-at-least-32-characters' });
    const anonymous = await hs256({ scope: 'chat' });
    for (const [bad, message] of [
      [expired, 'The token has expired.'],
      [forged, 'The token is not valid.'],
      [anonymous, 'The token has no "sub" claim.'],
    ] as const) {
      const { status, body } = await postGraphQL(gw.url, ChatDocument, chatInput(), bearer(bad));
      expect(status).toBe(401);
      expect(body.errors?.[0]).toMatchObject({ message, extensions: { code: 'UNAUTHENTICATED' } });
    }
    expect(gw.logs.join('\n')).not.toContain(token);
  });

  it('checks graphql-ws connectionParams: 4401 without, 4403 with bad ones, works with good ones', async () => {
    expect(await closeCodeFor(gw.wsUrl)).toBe(4401);
    expect(await closeCodeFor(gw.wsUrl, { authorization: 'Bearer sbk_wrong-key-00000000000000000' })).toBe(4403);
    expect(await closeCodeFor(gw.wsUrl, { authorization: `Bearer ${ECHO_KEY}` })).toBe(0);

    const client = createWsClient(gw.wsUrl, { authorization: `Bearer ${ECHO_KEY}` });
    const results = await collectWs(client, 'subscription { chatStream(input: {model: "local/echo", messages: [{role: USER, content: "over ws"}]}) { delta done } }');
    await client.dispose();
    expect(results.map((result) => (result.data as { chatStream: { delta: string | null } }).chatStream.delta ?? '').join('')).toBe('over ws');

    const reader = createWsClient(gw.wsUrl, { authorization: `Bearer ${READER_KEY}` });
    const forbidden = await collectWs(reader, 'subscription { chatStream(input: {model: "local/echo", messages: [{role: USER, content: "x"}]}) { delta } }');
    await reader.dispose();
    expect(forbidden.flatMap((result) => result.errors ?? []).map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it('never writes a secret to the logs', () => {
    const logText = gw.logs.join('\n');
    for (const secret of [ADMIN_KEY, READER_KEY, ECHO_KEY, JWT_SECRET]) expect(logText).not.toContain(secret);
  });
});

describe('JWT with a JWKS endpoint', () => {
  let gw: RunningGateway;
  let jwks: Server;
  let privateKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey as CryptoKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    gw = await startGateway(`
providers: [{ id: local, type: local, tokenDelayMs: 0 }]
auth:
  jwt: { jwksUrl: "http://127.0.0.1:${port}/jwks.json", audience: switchboard }
`);
  });
  afterAll(async () => {
    await gw.stop();
    await new Promise<void>((resolve) => jwks.close(() => resolve()));
  });

  it('verifies RS256 tokens against the keys it fetches', async () => {
    const sign = (audience: string) =>
      new SignJWT({ sub: 'svc-1', scope: ['chat'] })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setAudience(audience)
        .setExpirationTime('5m')
        .sign(privateKey);
    const ok = await postGraphQL(gw.url, ChatDocument, chatInput(), bearer(await sign('switchboard')));
    expect(ok.body.data?.chat.message.content).toBe('hello auth');
    const wrongAudience = await postGraphQL(gw.url, ChatDocument, chatInput(), bearer(await sign('someone-else')));
    expect(wrongAudience.status).toBe(401);
    const noScope = await postGraphQL(gw.url, '{ models { id } }', undefined, bearer(await sign('switchboard')));
    expect(noScope.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
