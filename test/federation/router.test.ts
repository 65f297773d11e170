import { printSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime, type GatewayRuntime } from '@graphql-hive/gateway-runtime';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/schema/build-schema.js';
import { postGraphQL, subscribeSse } from '../helpers/graphql-clients.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { productsTypeDefs, startProductsSubgraph } from './products-subgraph.js';

const FULL_KEY = 'sbk_full-secret-0123456789abcdef0';
const CHAT_ONLY_KEY = 'sbk_chat-only-secret-0123456789ab';
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

interface ProductsData {
  products: { name: string; recommendedModel: { id: string; provider: string; capabilities: string[] } | null }[];
}

/** A real router (Hive Gateway runtime) over our gateway and a products subgraph, each on its own port. */
describe('federated routing through a Hive Gateway router', () => {
  let switchboard: RunningGateway;
  let securedSwitchboard: RunningGateway;
  let products: Awaited<ReturnType<typeof startProductsSubgraph>>;
  const routers: { runtime: GatewayRuntime; server: Server; url: string }[] = [];

  async function startRouter(switchboardUrl: string) {
    const result = composeServices([
      { name: 'switchboard', typeDefs: parse(printSubgraphSchema(buildSchema())), url: switchboardUrl },
      { name: 'products', typeDefs: productsTypeDefs, url: products.url },
    ]);
    if (!result.supergraphSdl) throw new Error(`composition failed: ${result.errors?.map((error) => error.message).join('; ')}`);
    const runtime = createGatewayRuntime({
      supergraph: result.supergraphSdl,
      logging: false,
      // Our gateway authenticates every request: forward the caller's credentials.
      propagateHeaders: {
        fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }),
      },
    });
    const server = createServer(runtime);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const router = { runtime, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` };
    routers.push(router);
    return router;
  }

  let openRouterUrl: string;
  let securedRouterUrl: string;

  beforeAll(async () => {
    switchboard = await startGateway();
    securedSwitchboard = await startGateway(
      `
providers: [{ id: local, type: local, tokenDelayMs: 0 }]
auth:
  keys:
    - { id: full, secret: "\${FULL_KEY}", scopes: [models, chat] }
    - { id: chat-only, secret: "\${CHAT_ONLY_KEY}", scopes: [chat] }
`,
      { FULL_KEY, CHAT_ONLY_KEY },
    );
    products = await startProductsSubgraph();
    openRouterUrl = (await startRouter(switchboard.url)).url;
    securedRouterUrl = (await startRouter(securedSwitchboard.url)).url;
  });

  afterAll(async () => {
    for (const router of routers) {
      await new Promise<void>((resolve) => router.server.close(() => resolve()));
      await router.runtime.dispose();
    }
    await products?.stop();
    await switchboard?.stop();
    await securedSwitchboard?.stop();
  });

  it('serves _service { sdl } with @key(fields: "id") on Model and Provider', async () => {
    const { status, body } = await postGraphQL<{ _service: { sdl: string } }, never>(switchboard.url, '{ _service { sdl } }');
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const sdl = body.data?._service.sdl ?? '';
    expect(sdl).toMatch(/type Model\s+@key\(fields: "id"\)/);
    expect(sdl).toMatch(/type Provider\s+@key\(fields: "id"\)/);
    expect(sdl).toContain('https://specs.apollo.dev/federation/v2.6');
  });

  it('_service is public, but _entities needs the models scope', async () => {
    const service = await postGraphQL<{ _service: { sdl: string } }, never>(securedSwitchboard.url, '{ _service { sdl } }', undefined, bearer(CHAT_ONLY_KEY));
    expect(service.body.errors).toBeUndefined();
    expect(service.body.data?._service.sdl).toContain('@key');

    const entities = '{ _entities(representations: [{ __typename: "Model", id: "local/echo" }, { __typename: "Provider", id: "local" }]) { ... on Model { id upstream } ... on Provider { id type } } }';
    const denied = await postGraphQL<{ _entities: unknown[] }, never>(securedSwitchboard.url, entities, undefined, bearer(CHAT_ONLY_KEY));
    expect(denied.body.errors?.length).toBeGreaterThan(0);
    expect(denied.body.errors?.every((error) => error.extensions?.code === 'FORBIDDEN')).toBe(true);
    expect(denied.body.errors?.[0]?.message).toMatch(/lacks the models scope/);
    expect(JSON.stringify(denied.body.data ?? null)).not.toMatch(/upstream|LOCAL/);

    const allowed = await postGraphQL<{ _entities: unknown[] }, never>(securedSwitchboard.url, entities, undefined, bearer(FULL_KEY));
    expect(allowed.body.errors).toBeUndefined();
    expect(allowed.body.data?._entities).toEqual([
      { id: 'local/echo', upstream: expect.any(String) },
      { id: 'local', type: 'LOCAL' },
    ]);
  });

  it('resolves Product.recommendedModel from our subgraph via _entities', async () => {
    const { status, body } = await postGraphQL<ProductsData, never>(
      openRouterUrl,
      '{ products { name recommendedModel { id provider capabilities } } }',
    );
    expect(status).toBe(200);
    expect(body.data?.products).toEqual([
      { name: 'Echo box', recommendedModel: { id: 'local/echo', provider: 'local', capabilities: expect.arrayContaining(['CHAT', 'STREAMING']) } },
      // A reference to a model we do not serve: _entities answers null, so the non-null
      // Model fields null the (nullable) recommendedModel, with an error at that path.
      { name: 'Missing model', recommendedModel: null },
    ]);
    expect(body.errors?.map((error) => error.path?.slice(0, 3))).toEqual([['products', 1, 'recommendedModel']]);
  });

  it('routes our own root fields and propagates credentials and scope errors', async () => {
    const full = await postGraphQL<ProductsData, never>(securedRouterUrl, '{ products { name recommendedModel { id provider } } }', undefined, bearer(FULL_KEY));
    expect(full.body.errors?.map((error) => error.path?.[1])).toEqual([1]); // only the unknown model
    expect(full.body.data?.products[0]?.recommendedModel).toEqual({ id: 'local/echo', provider: 'local' });

    const chatOnly = await postGraphQL<ProductsData, never>(securedRouterUrl, '{ products { name recommendedModel { id provider } } }', undefined, bearer(CHAT_ONLY_KEY));
    // The products themselves resolve; the Switchboard-owned model fields are refused.
    expect(chatOnly.body.data?.products.map((product) => product.name)).toEqual(['Echo box', 'Missing model']);
    expect(chatOnly.body.data?.products[0]?.recommendedModel?.provider ?? null).toBeNull();
    expect(chatOnly.body.errors?.length).toBeGreaterThan(0);
    for (const error of chatOnly.body.errors ?? []) {
      expect(error.path?.slice(0, 3)).toEqual(['products', expect.any(Number), 'recommendedModel']);
      expect(error.extensions?.code).toBe('FORBIDDEN');
      expect(error.message).toMatch(/lacks the models scope/);
    }

    const noModelsScope = await postGraphQL<{ models: unknown }, never>(securedRouterUrl, '{ models { id } }', undefined, bearer(CHAT_ONLY_KEY));
    expect(noModelsScope.body.data?.models ?? null).toBeNull();
    expect(noModelsScope.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const models = await postGraphQL<{ models: { id: string }[] }, never>(securedRouterUrl, '{ models { id } }', undefined, bearer(FULL_KEY));
    expect(models.body.errors).toBeUndefined();
    expect(models.body.data?.models.map((model) => model.id)).toContain('local/echo');
  });

  it('streams a chatStream subscription through the router (SSE to the subgraph)', async () => {
    const events: { delta: string; done: boolean }[] = [];
    for await (const result of subscribeSse<{ chatStream: { delta: string; done: boolean } }, never>(
      openRouterUrl,
      'subscription { chatStream(input: { model: "local/echo", messages: [{ role: USER, content: "hello federation" }] }) { delta done } }',
      undefined,
      { signal: AbortSignal.timeout(10_000) },
    )) {
      expect(result.errors).toBeUndefined();
      if (result.data) events.push(result.data.chatStream);
    }
    expect(events.length).toBeGreaterThan(1);
    expect(events.at(-1)?.done).toBe(true);
    expect(events.map((event) => event.delta).join('')).toContain('hello federation');
  });
});
