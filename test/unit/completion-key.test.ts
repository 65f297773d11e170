import { describe, expect, it } from 'vitest';
import { createCompletionCache, type CompletionCache } from '../../src/cache/completion-cache.js';
import { completionKey, stableStringify } from '../../src/cache/completion-key.js';
import type { CacheConfig } from '../../src/config/config-schema.js';
import type { ChatMessage, ChatRequest, ToolDefinition } from '../../src/providers/contract.js';

/** mulberry32: a small seeded PRNG, so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Random = () => number;
const int = (r: Random, max: number) => Math.floor(r() * max);
const pick = <T>(r: Random, items: readonly T[]): T => items[int(r, items.length)] as T;
const maybe = <T>(r: Random, make: () => T): T | undefined => (r() < 0.5 ? make() : undefined);
const word = (r: Random) => Math.floor(r() * 36 ** 6).toString(36);

function randomSchema(r: Random): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (let i = 0; i < 1 + int(r, 3); i++) properties[word(r)] = { type: pick(r, ['string', 'number', 'boolean']), description: word(r) };
  return { type: 'object', properties, required: Object.keys(properties).slice(0, 1) };
}

function randomMessage(r: Random): ChatMessage {
  const role = pick(r, ['system', 'user', 'assistant', 'tool'] as const);
  const m: ChatMessage = { role, content: r() < 0.1 ? null : word(r) };
  if (r() < 0.3) m.name = word(r);
  if (role === 'tool') m.toolCallId = word(r);
  if (role === 'assistant' && r() < 0.5) m.toolCalls = [{ id: word(r), name: word(r), arguments: JSON.stringify({ q: word(r) }) }];
  return m;
}

function randomTool(r: Random): ToolDefinition {
  return { name: word(r), description: maybe(r, () => word(r)), parameters: maybe(r, () => randomSchema(r)) };
}

function randomRequest(r: Random): ChatRequest {
  return {
    model: `${pick(r, ['openai', 'anthropic', 'route'])}/${word(r)}`,
    messages: Array.from({ length: 1 + int(r, 4) }, () => randomMessage(r)),
    temperature: maybe(r, () => Math.round(r() * 200) / 100),
    topP: maybe(r, () => Math.round(r() * 100) / 100),
    maxTokens: maybe(r, () => 1 + int(r, 4_000)),
    stop: maybe(r, () => [word(r)]),
    seed: maybe(r, () => int(r, 1_000_000)),
    tools: maybe(r, () => Array.from({ length: 1 + int(r, 2) }, () => randomTool(r))),
    toolChoice: maybe(r, () => pick(r, [{ type: 'auto' as const }, { type: 'none' as const }, { type: 'required' as const }, { type: 'tool' as const, name: word(r) }])),
    responseFormat: maybe(r, () => pick(r, [{ type: 'text' as const }, { type: 'json_object' as const }, { type: 'json_schema' as const, name: word(r), schema: randomSchema(r) }])),
    user: maybe(r, () => word(r)),
  };
}

/** A deep copy with every object's keys in a random order. */
function shuffleKeys<T>(value: T, r: Random): T {
  if (Array.isArray(value)) return value.map((item) => shuffleKeys(item, r)) as T;
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = int(r, i + 1);
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, shuffleKeys(v, r)])) as T;
}

const other = (value: string | undefined) => `${value ?? ''}x`;
const otherNumber = (value: number | undefined) => (value === undefined ? 0.25 : value + 1);

/** Each changes exactly one included field (of the request, a message, a tool call or a tool) to a different value. */
const MUTATIONS: Record<string, (req: ChatRequest, r: Random) => void> = {
  model: (req) => (req.model = other(req.model)),
  'message.role': (req, r) => {
    const m = pick(r, req.messages);
    m.role = m.role === 'user' ? 'system' : 'user';
  },
  'message.content': (req, r) => {
    const m = pick(r, req.messages);
    m.content = m.content === null ? '' : r() < 0.5 ? null : `${m.content} `;
  },
  'message.name': (req, r) => {
    const m = pick(r, req.messages);
    m.name = other(m.name);
  },
  'message.toolCallId': (req, r) => {
    const m = pick(r, req.messages);
    m.toolCallId = other(m.toolCallId);
  },
  'message.toolCalls': (req, r) => {
    const m = pick(r, req.messages);
    const call = m.toolCalls?.[0];
    if (!call) m.toolCalls = [{ id: 'c', name: 'n', arguments: '{}' }];
    else if (r() < 0.33) call.id = other(call.id);
    else if (r() < 0.5) call.name = other(call.name);
    else call.arguments = `${call.arguments} `;
  },
  'messages.length': (req, r) => {
    if (req.messages.length > 1 && r() < 0.5) req.messages.pop();
    else req.messages.push({ role: 'user', content: 'more' });
  },
  'messages.order': (req) => {
    req.messages.push({ role: 'user', content: 'a' }, { role: 'user', content: 'b' });
    req.messages.reverse();
  },
  temperature: (req) => (req.temperature = otherNumber(req.temperature)),
  topP: (req) => (req.topP = req.topP === undefined ? 0.5 : req.topP === 1 ? undefined : 1),
  maxTokens: (req) => (req.maxTokens = otherNumber(req.maxTokens)),
  stop: (req) => (req.stop = req.stop ? [...req.stop, 'END'] : ['END']),
  seed: (req) => (req.seed = req.seed === undefined ? 0 : undefined),
  'tool.name': (req, r) => {
    if (!req.tools) req.tools = [{ name: 't' }];
    else pick(r, req.tools).name += 'x';
  },
  'tool.description': (req, r) => {
    if (!req.tools) req.tools = [{ name: 't', description: 'd' }];
    else {
      const t = pick(r, req.tools);
      t.description = other(t.description);
    }
  },
  'tool.parameters': (req, r) => {
    if (!req.tools) req.tools = [{ name: 't', parameters: {} }];
    else {
      const t = pick(r, req.tools);
      t.parameters = { ...(t.parameters ?? {}), additionalProperties: false };
    }
  },
  toolChoice: (req) => (req.toolChoice = req.toolChoice?.type === 'tool' ? { type: 'tool', name: other(req.toolChoice.name) } : { type: 'tool', name: 'x' }),
  responseFormat: (req) =>
    (req.responseFormat =
      req.responseFormat?.type === 'json_schema' ? { ...req.responseFormat, schema: { ...req.responseFormat.schema, title: 'x' } } : { type: 'json_schema', name: 'x', schema: {} }),
};

describe('completionKey', () => {
  it('is the scope and a SHA-256 hex digest', () => {
    const key = completionKey({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }, 'key-1');
    expect(key).toMatch(/^key-1:[0-9a-f]{64}$/);
  });

  it('serializes canonically: sorted keys, arrays in order, undefined omitted', () => {
    expect(stableStringify({ b: 1, a: [3, { d: undefined, c: null }], e: undefined })).toBe('{"a":[3,{"c":null}],"b":1}');
    expect(stableStringify({ x: 1.5, y: 'q"' })).toBe(JSON.stringify({ x: 1.5, y: 'q"' }));
  });

  it('is stable for identical copies and under key reordering (300 random requests)', () => {
    const r = prng(42);
    for (let i = 0; i < 300; i++) {
      const request = randomRequest(r);
      const key = completionKey(request, 'k');
      expect(completionKey(structuredClone(request), 'k')).toBe(key);
      expect(completionKey(shuffleKeys(request, r), 'k')).toBe(key);
      // JSON round trip: undefined fields gone, same content.
      expect(completionKey(JSON.parse(JSON.stringify(request)) as ChatRequest, 'k')).toBe(key);
    }
  });

  it('changes with every single-field change (300 random requests, one mutation each)', () => {
    const r = prng(7);
    const names = Object.keys(MUTATIONS);
    const used = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const request = randomRequest(r);
      const name = names[i % names.length] as string;
      used.add(name);
      const mutated = structuredClone(request);
      MUTATIONS[name]!(mutated, r);
      expect(stableStringify(mutated), `mutation ${name} changed nothing (#${i})`).not.toBe(stableStringify(request));
      expect(completionKey(mutated, 'k'), `mutation ${name} (#${i})`).not.toBe(completionKey(request, 'k'));
    }
    expect(used.size).toBe(names.length);
  });

  it('sorts JSON Schema keys in tool parameters and response formats', () => {
    const a: ChatRequest = {
      model: 'm',
      messages: [{ role: 'user', content: 'q' }],
      tools: [{ name: 't', parameters: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' } } } }],
      responseFormat: { type: 'json_schema', name: 's', schema: { type: 'object', required: ['x'] }, strict: true },
    };
    const b: ChatRequest = {
      responseFormat: { strict: true, schema: { required: ['x'], type: 'object' }, name: 's', type: 'json_schema' },
      tools: [{ parameters: { properties: { b: { type: 'number' }, a: { type: 'string' } }, type: 'object' }, name: 't' }],
      messages: [{ content: 'q', role: 'user' }],
      model: 'm',
    };
    expect(completionKey(a, 'k')).toBe(completionKey(b, 'k'));
  });

  it('leaves out user, the cache flag and unknown fields', () => {
    const base: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'q' }], temperature: 0 };
    const key = completionKey(base, 'k');
    expect(completionKey({ ...base, user: 'alice' }, 'k')).toBe(key);
    expect(completionKey({ ...base, user: 'bob' }, 'k')).toBe(key);
    expect(completionKey({ ...base, cache: true } as ChatRequest, 'k')).toBe(key);
    expect(completionKey({ ...base, cache: false } as ChatRequest, 'k')).toBe(key);
    expect(completionKey({ ...base, somethingElse: 1 } as ChatRequest, 'k')).toBe(key);
    expect(completionKey({ ...base, messages: [{ role: 'user', content: 'q', extra: 1 } as ChatMessage] }, 'k')).toBe(key);
  });

  it('separates scopes', () => {
    const request: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'q' }] };
    expect(completionKey(request, 'tenant-a')).not.toBe(completionKey(request, 'tenant-b'));
    expect(completionKey(request, 'tenant-a')).not.toBe(completionKey(request, '*'));
  });
});

describe('keyFor policy', () => {
  const cacheFor = (mode: 'deterministic' | 'always', scope: 'key' | 'global' = 'key'): CompletionCache => {
    const config: CacheConfig['completions'] = { mode, ttlSeconds: 60, scope, maxEntries: 100, maxBytes: 1_000_000 };
    const cache = createCompletionCache({ config });
    if (!cache) throw new Error('expected a cache');
    return cache;
  };
  const request = (cache: boolean | undefined, temperature: number | undefined) =>
    ({ model: 'm', messages: [{ role: 'user', content: 'q' }], temperature, cache }) as ChatRequest;

  it('mode off: no cache at all, whatever the caller asks', () => {
    expect(createCompletionCache({ config: { mode: 'off', ttlSeconds: 60, scope: 'key', maxEntries: 100, maxBytes: 1_000_000 } })).toBeUndefined();
  });

  // [mode, cache flag, temperature, cached?]
  const table: ['deterministic' | 'always', boolean | undefined, number | undefined, boolean][] = [
    ['deterministic', undefined, 0, true],
    ['deterministic', undefined, 0.7, false],
    ['deterministic', undefined, undefined, false],
    ['deterministic', true, 0, true],
    ['deterministic', true, 0.7, true],
    ['deterministic', true, undefined, true],
    ['deterministic', false, 0, false],
    ['deterministic', false, 0.7, false],
    ['deterministic', false, undefined, false],
    ['always', undefined, 0, true],
    ['always', undefined, 0.7, true],
    ['always', undefined, undefined, true],
    ['always', true, 0, true],
    ['always', true, 0.7, true],
    ['always', true, undefined, true],
    ['always', false, 0, false],
    ['always', false, 0.7, false],
    ['always', false, undefined, false],
  ];
  it.each(table)('mode %s, cache %s, temperature %s → cached %s', (mode, flag, temperature, cached) => {
    const key = cacheFor(mode).keyFor(request(flag, temperature), 'key-1');
    if (cached) expect(key).toMatch(/^key-1:[0-9a-f]{64}$/);
    else expect(key).toBeUndefined();
  });

  it('the cache flag does not change the key', () => {
    const cache = cacheFor('deterministic');
    expect(cache.keyFor(request(true, 0), 'k')).toBe(cache.keyFor(request(undefined, 0), 'k'));
  });

  it('scope key separates API keys; scope global shares one entry', () => {
    const byKey = cacheFor('always', 'key');
    expect(byKey.keyFor(request(undefined, 0), 'a')).not.toBe(byKey.keyFor(request(undefined, 0), 'b'));
    const global = cacheFor('always', 'global');
    const shared = global.keyFor(request(undefined, 0), 'a');
    expect(shared).toMatch(/^\*:[0-9a-f]{64}$/);
    expect(global.keyFor(request(undefined, 0), 'b')).toBe(shared);
  });
});
