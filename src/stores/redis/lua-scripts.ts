import type { Cluster, Redis } from 'ioredis';
import { GCRA_TOLERANCE } from '../gcra.js';

/**
 * Every multi-step mutation as one Lua script, so it is atomic across replicas
 * and costs one round trip (EVALSHA; ioredis falls back to EVAL after a
 * server restart flushed the script cache).
 */

/*
 * GCRA, mirroring ../gcra.ts step for step. The value is "stampUs:debtMs": the
 * TAT split into the server time of the last write (integer microseconds, exact
 * in a double) and how far ahead of it the TAT was (see ../gcra.ts for why).
 * The server clock (TIME) is the only clock, so replicas with skewed clocks
 * agree. %.17g keeps full precision: Lua's default formatting has 14 digits.
 * PX lets a key vanish exactly when its bucket is full again.
 */
const gcraPrelude = `local time = redis.call('TIME')
local nowUs = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = tonumber(ARGV[2]) / tonumber(ARGV[1])
local outstanding = 0
local stored = redis.call('GET', KEYS[1])
if stored then
  local stampUs, debt = string.match(stored, '^([^:]+):(.+)$')
  if stampUs then outstanding = math.max(tonumber(debt) - (nowUs - tonumber(stampUs)) / 1000, 0) end
end
local function store(debt)
  redis.call('SET', KEYS[1], string.format('%.17g:%.17g', nowUs, debt), 'PX', string.format('%d', math.ceil(debt)))
end`;

/** KEYS: tat. ARGV: limit, windowMs, cost. Returns {allowed 0/1, retryAfterMs}. */
const rateTake = `${gcraPrelude}
local debt = outstanding + tonumber(ARGV[3]) * interval
local excess = debt - tonumber(ARGV[2])
if excess <= interval * ${GCRA_TOLERANCE} then
  if debt > 0 then store(debt) end
  return {1, 0}
end
return {0, math.ceil(excess)}`;

/** KEYS: tat. ARGV: limit, windowMs, delta. */
const rateAdjust = `${gcraPrelude}
local debt = outstanding + tonumber(ARGV[3]) * interval
if debt > 0 then store(debt) else redis.call('DEL', KEYS[1]) end
return 0`;

// PTTL = -1 (no expiry yet) rather than PEXPIRE NX: NX needs Redis 7, managed offerings lag.
const keepFirstTtl = `if redis.call('PTTL', KEYS[1]) == -1 then redis.call('PEXPIRE', KEYS[1], ttl) end`;

/** KEYS: spend. ARGV: amount, cap, ttlMs. Returns {allowed 0/1, spent after}. */
const budgetReserve = `local ttl = ARGV[3]
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return {0, current} end
local spent = redis.call('INCRBY', KEYS[1], ARGV[1])
${keepFirstTtl}
return {1, spent}`;

/** KEYS: spend. ARGV: delta, ttlMs. */
const budgetAdjust = `local ttl = ARGV[2]
local spent = redis.call('INCRBY', KEYS[1], ARGV[1])
${keepFirstTtl}
return spent`;

// Records are JSON from JSON.stringify. Lua appends revokedAt as text instead of
// re-encoding with cjson, which would turn empty arrays ([]) into objects ({}).
const withRevokedAt = (json: string, at: string) => `string.sub(${json}, 1, -2) .. ',"revokedAt":' .. cjson.encode(${at}) .. '}'`;

/** KEYS: byHash, byId. ARGV: id, secretHash, json. Returns 1 when created, 0 when id or hash is taken. */
const keyCreate = `if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 or redis.call('HEXISTS', KEYS[1], ARGV[2]) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1`;

/** KEYS: byHash, byId. ARGV: id, secretHash, json, "1" when json has revokedAt. Keeps a stored revocation. */
const keyUpsert = `local json = ARGV[3]
local previousHash = redis.call('HGET', KEYS[2], ARGV[1])
if previousHash then
  local previous = redis.call('HGET', KEYS[1], previousHash)
  local revokedAt = previous and cjson.decode(previous).revokedAt
  if revokedAt and ARGV[4] ~= '1' then json = ${withRevokedAt('json', 'revokedAt')} end
  if previousHash ~= ARGV[2] then redis.call('HDEL', KEYS[1], previousHash) end
end
redis.call('HSET', KEYS[1], ARGV[2], json)
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1`;

/** KEYS: byHash, byId. ARGV: id, at, channel. Returns the record JSON or nil; publishes the hash. */
const keyRevoke = `local hash = redis.call('HGET', KEYS[2], ARGV[1])
if not hash then return false end
local json = redis.call('HGET', KEYS[1], hash)
if not json then return false end
if not cjson.decode(json).revokedAt then
  json = ${withRevokedAt('json', 'ARGV[2]')}
  redis.call('HSET', KEYS[1], hash, json)
end
redis.call('PUBLISH', ARGV[3], hash)
return json`;

/*
 * Usage increments are applied at most once: a write that timed out on the client
 * may still reach Redis later, and the meter retries it, so each increment
 * carries an id remembered for a day. KEYS: hash, seen-id marker (same slot).
 * ARGV: model, retentionSeconds, then counter name and amount pairs (field `model|name`).
 */
const usageAdd = `if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', 86400) then return 0 end
for i = 3, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[1] .. '|' .. ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1`;

/** The client with the scripts as commands (names prefixed: the client may be shared). */
export interface ScriptedClient {
  switchboardRateTake(key: string, limit: number, windowMs: number, cost: number): Promise<[number, number]>;
  switchboardRateAdjust(key: string, limit: number, windowMs: number, delta: number): Promise<number>;
  switchboardBudgetReserve(key: string, amount: number, cap: number, ttlMs: number): Promise<[number, number]>;
  switchboardBudgetAdjust(key: string, delta: number, ttlMs: number): Promise<number>;
  switchboardKeyCreate(byHash: string, byId: string, id: string, secretHash: string, json: string): Promise<number>;
  switchboardKeyUpsert(byHash: string, byId: string, id: string, secretHash: string, json: string, revoked: string): Promise<number>;
  switchboardKeyRevoke(byHash: string, byId: string, id: string, at: string, channel: string): Promise<string | null>;
  switchboardUsageAdd(hash: string, seen: string, model: string, retentionSeconds: number, ...counterAmountPairs: (string | number)[]): Promise<number>;
  switchboardLeaseAcquire(set: string, holder: string, ttlMs: number, limit: number): Promise<number>;
  switchboardLeaseRefresh(set: string, holder: string, ttlMs: number): Promise<number>;
  switchboardLeaseRelease(set: string, holder: string): Promise<number>;
}

/*
 * Concurrency leases: a sorted set of holder → expiry (server ms, from TIME, so
 * replica clocks do not matter). The set's own PEXPIRE follows its latest lease.
 */
const leasePrelude = `local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[2])`;

/** KEYS: set. ARGV: holder, ttlMs, limit. Returns 1 when the lease is held, 0 when every slot is taken. */
const leaseAcquire = `${leasePrelude}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], nowMs + ttl, ARGV[1])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`;

/** KEYS: set. ARGV: holder, ttlMs. Extends a live lease (XX: a lease that expired is not revived). */
const leaseRefresh = `${leasePrelude}
local updated = redis.call('ZADD', KEYS[1], 'XX', 'CH', nowMs + ttl, ARGV[1])
if updated == 1 and redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return updated`;

const scripts: Record<keyof ScriptedClient, { numberOfKeys: number; lua: string }> = {
  switchboardRateTake: { numberOfKeys: 1, lua: rateTake },
  switchboardRateAdjust: { numberOfKeys: 1, lua: rateAdjust },
  switchboardBudgetReserve: { numberOfKeys: 1, lua: budgetReserve },
  switchboardBudgetAdjust: { numberOfKeys: 1, lua: budgetAdjust },
  switchboardKeyCreate: { numberOfKeys: 2, lua: keyCreate },
  switchboardKeyUpsert: { numberOfKeys: 2, lua: keyUpsert },
  switchboardKeyRevoke: { numberOfKeys: 2, lua: keyRevoke },
  switchboardUsageAdd: { numberOfKeys: 2, lua: usageAdd },
  switchboardLeaseAcquire: { numberOfKeys: 1, lua: leaseAcquire },
  switchboardLeaseRefresh: { numberOfKeys: 1, lua: leaseRefresh },
  switchboardLeaseRelease: { numberOfKeys: 1, lua: `return redis.call('ZREM', KEYS[1], ARGV[1])` },
};

/** Defines the scripts on `client` (idempotent: redefining replaces the same script). */
export function defineScripts(client: Redis | Cluster): ScriptedClient {
  for (const [name, definition] of Object.entries(scripts)) client.defineCommand(name, definition);
  return client as unknown as ScriptedClient;
}
