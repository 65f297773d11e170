import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

/*
 * Key lookups are cached per replica so a Redis outage does not lock out callers
 * seen recently. Unknown secrets (anyone can send millions) are remembered apart,
 * so they can never push a valid key out of that cache.
 */

const KEY = 'sbk_key-cache-valid-0123456789abcd';
/** More than the valid-key cache holds (10,000). */
const UNKNOWN_SECRETS = 10_050;
const CONCURRENCY = 32;

let redis: RedisServer;
let gw: RunningGateway;

beforeAll(async () => {
  redis = await startRedisServer();
  gw = await startGateway(
    `
server: { shutdownGraceMs: 0 }
providers: [{ id: local, type: local, tokenDelayMs: 0 }]
redis: { url: "${redis.url}", keyPrefix: "key-cache-${randomUUID()}:" }
auth:
  keys:
    - { id: valid, secret: "${KEY}", scopes: [models] }
`,
  );
});

afterAll(async () => {
  await gw?.stop();
  await redis?.stop();
});

const models = (secret: string) => fetch(`${gw.origin}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });

describe('the key cache', () => {
  it('keeps a valid key through a flood of unknown keys and a Redis outage', async () => {
    expect((await models(KEY)).status).toBe(200);

    let next = 0;
    let refused = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < UNKNOWN_SECRETS) {
          next++;
          const response = await models(`sbk_unknown-${randomUUID()}`);
          await response.arrayBuffer();
          if (response.status === 401) refused++;
        }
      }),
    );
    expect(refused).toBeGreaterThanOrEqual(UNKNOWN_SECRETS);

    await redis.stop();
    const during = await models(KEY);
    expect(during.status).toBe(200);
    // An unknown key cannot be checked while the store is away.
    expect((await models('sbk_unknown-during-the-outage-0000')).status).toBe(503);
  }, 120_000);
});
