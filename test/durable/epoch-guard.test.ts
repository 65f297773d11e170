import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../src/create-logger.js';
import { createEpochGuard, EPOCH_KEY } from '../../src/durable/create-epoch-guard.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';

let server: RedisServer;
const clients: Redis[] = [];
const silent = createLogger({ level: 'warn', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });

beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await server.stop();
});

function client(): Redis {
  const made = new Redis(server.url, { lazyConnect: false });
  clients.push(made);
  return made;
}

it('a replica that saw no marker but gets the lock after another replica restored does not restore again', async () => {
  const keyPrefix = `race-${Date.now()}:`;
  const restores: string[] = [];
  const guard = (name: string, redis: Redis) =>
    createEpochGuard({
      redis: { client: redis, keyPrefix },
      restore: async () => {
        restores.push(name);
        return { keys: 0, budgets: 0, usageRows: 0 };
      },
      flushLedger: async () => undefined,
      checkEveryMs: 60_000,
      logger: silent,
    });

  // Replica A reads "no marker", then its lock request is held back until replica B has restored and let go of the lock:
  // the interleaving two replicas polling the same empty Redis can hit.
  let releaseA!: () => void;
  const bDone = new Promise<void>((resolve) => (releaseA = resolve));
  const redisA = client();
  const slowLock = new Proxy(redisA, {
    get(target, property, receiver) {
      if (property !== 'set') return Reflect.get(target, property, receiver);
      return async (...args: Parameters<Redis['set']>) => {
        if (String(args[0]).endsWith(`${EPOCH_KEY}:restoring`)) await bDone;
        return (target.set as (...a: unknown[]) => Promise<unknown>)(...args);
      };
    },
  });
  const a = guard('a', slowLock);
  const b = guard('b', client());

  const checkedA = a.check();
  await new Promise((resolve) => setTimeout(resolve, 50)); // A has read the missing marker and waits on its lock request
  expect(await b.check()).toBe(true);
  releaseA();
  expect(await checkedA).toBe(true);
  expect(restores).toEqual(['b']);
  // The marker is set and nobody holds the lock.
  expect(await redisA.exists(`${keyPrefix}${EPOCH_KEY}`)).toBe(1);
  expect(await redisA.exists(`${keyPrefix}${EPOCH_KEY}:restoring`)).toBe(0);
});
