import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatStreamPart } from '../../src/providers/contract.js';
import { ChunkTemplate } from '../../src/providers/http/chunk-template.js';
import { createAnthropicDecoder } from '../../src/providers/anthropic/anthropic-stream-decoder.js';
import { createSseParser } from '../../src/providers/http/parse-sse.js';
import type { StreamDecoder } from '../../src/providers/http/stream-upstream.js';
import { createOpenAIDecoder } from '../../src/providers/openai/openai-stream-decoder.js';

/** What a decoder makes of each event's data, in order: the parts, errors by code and message. */
function decodeAll(data: string[], templates: boolean, create: (id: string, templates: boolean) => StreamDecoder = createOpenAIDecoder): unknown[][] {
  const decoder = create('p', templates);
  const rounds: unknown[][] = [];
  for (const each of data) {
    const out: ChatStreamPart[] = [];
    const over = decoder.event({ event: 'message', data: each }, out);
    rounds.push(out.map(comparable));
    if (over) break;
  }
  const out: ChatStreamPart[] = [];
  decoder.end(out);
  rounds.push(out.map(comparable));
  return rounds;
}

/**
 * The same through the SSE parser, as a stream reads it: each chunk framed as an event, the body
 * cut into reads at `cuts` (byte offsets; default: one read per event), so the decoder sees the
 * parser's strings (slices of a whole read).
 */
function decodeWire(data: Array<string | Buffer>, create: (id: string, templates: boolean) => StreamDecoder = createOpenAIDecoder, cuts?: number[]): unknown[][] {
  const decoder = create('p', true);
  const parser = createSseParser();
  const rounds: unknown[][] = [];
  const events = data.map((each) => Buffer.concat([Buffer.from('data: '), Buffer.from(each), Buffer.from('\n\n')]));
  const body = Buffer.concat(events);
  const reads: Buffer[] = [];
  if (cuts) {
    let at = 0;
    for (const cut of [...cuts.filter((c) => c > 0 && c < body.length)].sort((a, b) => a - b)) {
      reads.push(body.subarray(at, cut));
      at = cut;
    }
    reads.push(body.subarray(at));
  } else reads.push(...events);
  let over = false;
  for (const read of reads) {
    for (const event of parser.push(read)) {
      const out: ChatStreamPart[] = [];
      over = decoder.event(event, out);
      rounds.push(out.map(comparable));
      if (over) break;
    }
    if (over) break;
  }
  const out: ChatStreamPart[] = [];
  decoder.end(out);
  rounds.push(out.map(comparable));
  return rounds;
}

/** Decoded with templates (chunk by chunk, and through the parser in any reads) exactly as each chunk parsed in full. */
function expectAsFullParse(data: string[] | Buffer[], create: (id: string, templates: boolean) => StreamDecoder = createOpenAIDecoder, cuts: number[] = [7, 100, 101, 333]): unknown[][] {
  const texts = data.map((each) => each.toString());
  const reference = decodeAll(texts, false, create);
  if (data.every((each) => typeof each === 'string')) expect(decodeAll(texts, true, create)).toEqual(reference);
  expect(decodeWire(data, create)).toEqual(reference);
  expect(decodeWire(data, create, [])).toEqual(reference);
  expect(decodeWire(data, create, cuts)).toEqual(reference);
  return reference;
}

function comparable(part: ChatStreamPart): unknown {
  if (part.type !== 'error') return part;
  const error = part.error as { code?: string; message?: string };
  return { type: 'error', code: error.code, message: error.message };
}

/** A chunk as the named servers send it: field order, ids and extra fields as theirs. */
const servers = {
  openai: (content: unknown, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
      object: 'chat.completion.chunk',
      created: 1741569952,
      model: 'gpt-4.1-2025-04-14',
      service_tier: 'default',
      system_fingerprint: 'fp_b3f1157249',
      choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }],
      ...extra,
    }),
  vllm: (content: unknown) =>
    JSON.stringify({ id: 'chatcmpl-8f1e', object: 'chat.completion.chunk', created: 1741569952, model: 'Qwen/Qwen3-8B', choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }] }),
  deepseek: (content: unknown) =>
    `{"id":"3f1c","object":"chat.completion.chunk","created":1741569952,"model":"deepseek-chat","system_fingerprint":"fp_3a5770e1b4_prod0225","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"logprobs":null,"finish_reason":null}]}`,
};

const finish = JSON.stringify({ id: 'x', object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
const usage = JSON.stringify({ id: 'x', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 9, completion_tokens: 3 } });

afterEach(() => {
  vi.restoreAllMocks();
});

/** What an upstream could put between a slot's quotes, as bytes: text, escapes, quotes, malformed UTF-8 (no line ends: SSE cannot carry them). */
const slotBytes = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 6 }).map((text) => Buffer.from(text.replace(/[\r\n]/g, ''))),
      fc.constantFrom('"', '\\', '\\"', '\\n', '\\u00e9', '\u0001', '","x":"').map((text) => Buffer.from(text)),
      fc.constantFrom([0xc3], [0xe2, 0x82], [0xff], [0x80], [0xf0, 0x9f, 0x98]).map((bytes) => Buffer.from(bytes)),
    ),
    { maxLength: 4 },
  )
  .map((pieces) => Buffer.concat(pieces));

describe('the OpenAI stream decoder, with chunk templates', () => {
  it('decodes a stream of text chunks as a full parse of each would, parsing few of them', () => {
    const tokens = ['Hello', ',', ' wor', 'ld', '!\n', ' "quoted"', ' caf\u00e9', ' \ud83d\ude00', ' tab\there', ' back\\slash', '', ' last'];
    for (const server of Object.values(servers)) {
      const data = [server(''), ...tokens.map((token) => server(token)), finish, usage, '[DONE]'];
      const reference = expectAsFullParse(data);
      const parse = vi.spyOn(JSON, 'parse');
      expect(decodeWire(data)).toEqual(reference);
      // One parse for the first chunk, the first two text chunks, the second one's probe, the finish
      // and the usage; the literal of each token with an escape (5 of them) is parsed on its own.
      expect(parse.mock.calls.length).toBeLessThanOrEqual(13);
      const whole = parse.mock.calls.filter(([text]) => String(text).startsWith('{')).length;
      expect(whole).toBeLessThanOrEqual(6);
      parse.mockRestore();
    }
  });

  it('parses in full whatever differs from the template beyond the token', () => {
    const base = servers.vllm;
    const data = [
      base('a'),
      base('b'),
      // The same prefix, but a token that ends the string early and adds a field after it.
      base('c').replace('"c"', '"c","role":"assistant"'),
      // A quote injected into the token: a finish reason where the template has none.
      base('d').replace('"d"},"logprobs":null,"finish_reason":null', '"d"},"logprobs":null,"finish_reason":"length"'),
      base('e'),
      base('f').replace('"f"', '"f\\"'),
      base('g'),
    ];
    expectAsFullParse(data);
  });

  it('ends a stream whose token holds a raw control character as a full parse does (malformed)', () => {
    const data = [servers.vllm('a'), servers.vllm('b'), servers.vllm('c').replace('"c"', '"c\u0001"'), servers.vllm('d')];
    const rounds = expectAsFullParse(data);
    expect(rounds[2]).toEqual([{ type: 'error', code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('not JSON') }]);
  });

  it('makes no template for a stream that has sent one token (a stream held open holds none)', () => {
    const parse = vi.spyOn(JSON, 'parse');
    decodeWire([servers.openai(''), servers.openai('tok1')]);
    const first = parse.mock.calls.length;
    decodeWire([servers.openai(''), servers.openai('tok1'), servers.openai('tok2')]);
    const second = parse.mock.calls.length - first;
    parse.mockRestore();
    // No probe: each chunk parsed once. The second token's chunk is parsed, and probed for a template.
    expect(first).toBe(2);
    expect(second).toBe(4);
  });

  it('stops building templates for a stream whose chunks all differ (OpenAI’s obfuscation padding)', () => {
    const data = Array.from({ length: 40 }, (_, i) => servers.openai(`t${i}`, { obfuscation: 'x'.repeat(i % 7) + String(i) }));
    const parse = vi.spyOn(JSON, 'parse');
    decodeWire([...data, finish]);
    const calls = parse.mock.calls.length;
    parse.mockRestore();
    expectAsFullParse([...data, finish]);
    // 41 chunks, and two probes before it gives up.
    expect(calls).toBe(43);
  });

  it('keeps no template whose slot the decoder does not read, or that a later repeated key overrides', () => {
    const read = (chunk: unknown) => (chunk as { choices: [{ delta: { content?: string } }] }).choices[0].delta.content;
    // The token's text found first in another field: the probe lands there, and the content stays.
    const elsewhere = '{"note":"hi","choices":[{"delta":{"content":"h\\u0069"}}]}';
    expect(ChunkTemplate.around(elsewhere, 'hi', read)).toBeUndefined();
    // The slot found is not the one read (a repeated key after it wins), and what wins is the probe itself.
    const overridden = '{"choices":[{"delta":{"content":"hi"}}],"choices":[{"delta":{"content":"sb~slot~probe"}}]}';
    expect(ChunkTemplate.around(overridden, 'hi', read)).toBeUndefined();
    // Of repeated keys the last is read, and the template is cut around it.
    const repeated = '{"choices":[{"delta":{"content":"x","content":"hi"}}]}';
    const template = ChunkTemplate.around(repeated, 'hi', read);
    expect(template?.valueIn(repeated.replace('"hi"', '"yo"'))).toBe('yo');
  });

  it('keeps none of the network read its template was cut from', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const read = (chunk: unknown) => (chunk as { choices: [{ delta: { content: string } }] }).choices[0].delta.content;
    gc();
    const before = process.memoryUsage().heapUsed;
    const templates = Array.from({ length: 50 }, (_, i) => {
      // An unpaced answer: one read holding every chunk, whose events are slices of it.
      const body = `${'x'.repeat(200_000)}\n{"id":"chatcmpl-${i}","choices":[{"delta":{"content":"tok"}}]}\n`;
      const data = body.slice(body.indexOf('{'), -1);
      return ChunkTemplate.around(data, 'tok', read);
    });
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(templates.every(Boolean)).toBe(true);
    // 50 reads of 200 KB would be 10 MB.
    expect(grown).toBeLessThan(2_000_000);
  });

  it('keeps no network read alive through a long token it hands out', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const read = (chunk: unknown) => (chunk as { choices: [{ delta: { content: string } }] }).choices[0].delta.content;
    const chunk = (token: string) => `{"id":"chatcmpl-1","choices":[{"delta":{"content":"${token}"}}]}`;
    const template = ChunkTemplate.around(chunk('first'), 'first', read);
    gc();
    const before = process.memoryUsage().heapUsed;
    const tokens = Array.from({ length: 50 }, (_, i) => {
      // A paced chunk read with more behind it; the token is long enough to be sliced.
      const body = `${chunk(`    indented line ${i}`)}\n${'x'.repeat(200_000)}`;
      return template?.valueIn(body.slice(0, body.indexOf('\n')));
    });
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(tokens[7]).toBe('    indented line 7');
    expect(grown).toBeLessThan(2_000_000);
  });

  it('agrees with a full parse on generated chunks near the template (fuzz)', () => {
    const piece = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 8 }),
      fc.constantFrom('"', '\\', '\\"', '\\n', '\\u00e9', '\\ud83d', '\u0000', '\n', '","finish_reason":"stop', '"},"x":{"y":"', '\\\\'),
    );
    const token = fc.array(piece, { maxLength: 4 }).map((pieces) => pieces.join(''));
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 12 }), (tokens) => {
        // Raw text in the slot, as an upstream (or an attacker in front of it) could send.
        const data = ['a', 'b', ...tokens].map((raw) => servers.deepseek('SLOT').replace('"SLOT"', `"${raw}"`));
        expect(decodeAll(data, true)).toEqual(decodeAll(data, false));
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with a full parse on generated bytes, malformed UTF-8 and reads cut anywhere included (fuzz)', () => {
    const [before, after] = servers.deepseek('SLOT').split('SLOT') as [string, string];
    fc.assert(
      fc.property(fc.array(slotBytes, { minLength: 1, maxLength: 10 }), fc.array(fc.nat(4000), { maxLength: 6 }), (slots, cuts) => {
        const data = [Buffer.from('a'), Buffer.from('b'), ...slots].map((slot) => Buffer.concat([Buffer.from(before), slot, Buffer.from(after)]));
        expectAsFullParse(data, createOpenAIDecoder, cuts);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the OpenAI stream decoder, with templates for reasoning', () => {
  /** A thinking model's chunk as DeepSeek sends it (reasoning_content, content null), or OpenRouter (reasoning, content ''). */
  const deepseekReasoning = (raw: string) =>
    `{"id":"3f1c","object":"chat.completion.chunk","created":1741569952,"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"content":null,"reasoning_content":"${raw}"},"logprobs":null,"finish_reason":null}]}`;
  const openrouterReasoning = (raw: string) =>
    `{"id":"gen-1","provider":"DeepInfra","model":"deepseek/deepseek-r1","object":"chat.completion.chunk","created":1741569952,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"${raw}"},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}`;
  const bothFields = (raw: string) => `{"id":"b","choices":[{"index":0,"delta":{"reasoning_content":"${raw}","reasoning":"${raw}"},"finish_reason":null}]}`;
  const text = (raw: string) => servers.deepseek('SLOT').replace('"SLOT"', `"${raw}"`);
  const thoughts = ['Let', ' me', ' think', ' about', ' \\"this\\"', '', ' caf\\u00e9', ' a long line of thought here', '.'];

  it('decodes reasoning deltas, then text, as a full parse of each would, parsing few of them', () => {
    for (const reasoning of [deepseekReasoning, openrouterReasoning]) {
      const data = [...thoughts.map(reasoning), ...['Hello', ' there', '!'].map(text), finish];
      const reference = expectAsFullParse(data);
      expect(reference.flat().filter((part) => (part as ChatStreamPart).type === 'reasoning-delta')).toHaveLength(8);
      const parse = vi.spyOn(JSON, 'parse');
      decodeWire(data);
      const whole = parse.mock.calls.filter(([chunk]) => String(chunk).startsWith('{')).length;
      parse.mockRestore();
      // The first two reasoning chunks and a probe, the first two text chunks and a probe, the finish.
      expect(whole).toBe(7);
    }
  });

  it('keeps no reasoning template for chunks that carry text as well', () => {
    const mixed = (raw: string) => `{"id":"m","choices":[{"index":0,"delta":{"content":"x","reasoning_content":"${raw}"},"finish_reason":null}]}`;
    const rounds = expectAsFullParse([...thoughts.map(mixed), finish]);
    expect(rounds.flat().filter((part) => (part as ChatStreamPart).type === 'text-delta')).toHaveLength(thoughts.length);
  });

  it('parses in full a server that sends the reasoning twice (the slot found is not the one read)', () => {
    const data = [...thoughts.map(bothFields), finish];
    expectAsFullParse(data);
    const parse = vi.spyOn(JSON, 'parse');
    decodeWire(data);
    const whole = parse.mock.calls.filter(([chunk]) => String(chunk).startsWith('{')).length;
    parse.mockRestore();
    // Every chunk, and two probes refused before the stream stops making templates.
    expect(whole).toBe(thoughts.length + 1 + 2);
  });

  it('agrees with a full parse on generated reasoning and text chunks (fuzz)', () => {
    const [before, after] = deepseekReasoning('SLOT').split('SLOT') as [string, string];
    const [textBefore, textAfter] = text('SLOT').split('SLOT') as [string, string];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), slotBytes), { minLength: 1, maxLength: 12 }), fc.array(fc.nat(4000), { maxLength: 6 }), (chunks, cuts) => {
        const data = [Buffer.from(deepseekReasoning('a')), Buffer.from(deepseekReasoning('b')), ...chunks.map(([thinking, slot]) => Buffer.concat([Buffer.from(thinking ? before : textBefore), slot, Buffer.from(thinking ? after : textAfter)]))];
        expectAsFullParse(data, createOpenAIDecoder, cuts);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the Anthropic stream decoder, with chunk templates', () => {
  const textDelta = (raw: string) => `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${raw}"}}`;
  const stream = (deltas: string[]) => [
    '{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":12,"output_tokens":1}}}',
    '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
    '{"type":"ping"}',
    ...deltas,
    '{"type":"content_block_stop","index":0}',
    '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":9}}',
    '{"type":"message_stop"}',
  ];
  const anthropic = (data: string[], templates: boolean) => decodeAll(data, templates, createAnthropicDecoder);

  it('decodes text deltas as a full parse of each would, parsing few of them', () => {
    // Raw JSON text of each token: escapes as the upstream writes them.
    const data = stream(['Hello', ',', ' wor', 'ld', '!\\n', ' \\"q\\"', ' caf\\u00e9', '', ' last'].map(textDelta));
    const reference = expectAsFullParse(data, createAnthropicDecoder);
    const parse = vi.spyOn(JSON, 'parse');
    expect(decodeWire(data, createAnthropicDecoder)).toEqual(reference);
    const whole = parse.mock.calls.filter(([text]) => String(text).startsWith('{')).length;
    parse.mockRestore();
    // Six events around the text, the first two deltas and the second one's probe.
    expect(whole).toBeLessThanOrEqual(9);
  });

  it('agrees with a full parse on generated deltas near the template (fuzz)', () => {
    const piece = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 8 }),
      fc.constantFrom('"', '\\', '\\"', '\\n', '\\u00e9', '\u0000', '","type":"thinking_delta', '"},"index":1,"x":"'),
    );
    const raw = fc.array(piece, { maxLength: 4 }).map((pieces) => pieces.join(''));
    fc.assert(
      fc.property(fc.array(raw, { minLength: 1, maxLength: 12 }), (raws) => {
        const data = stream(['a', 'b', ...raws].map(textDelta));
        expect(anthropic(data, true)).toEqual(anthropic(data, false));
      }),
      { numRuns: 300 },
    );
  });

  it('decodes thinking deltas as a full parse would, the signature counting their text', () => {
    const thinkingDelta = (raw: string, index = 0) => `{"type":"content_block_delta","index":${index},"delta":{"type":"thinking_delta","thinking":"${raw}"}}`;
    const data = [
      stream([])[0] as string,
      '{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}',
      ...['Let', ' me', ' think', '', ' \\"deeply\\"', ' a long line of thought here'].map((raw) => thinkingDelta(raw)),
      '{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3h"}}',
      '{"type":"content_block_stop","index":0}',
      '{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}',
      // Thinking in a block that was not started as thinking: not reasoning.
      thinkingDelta('stray', 1),
      thinkingDelta('stray again', 1),
      thinkingDelta('and again', 1),
      ...['The', ' answer'].map((raw) => textDelta(raw).replace('"index":0', '"index":1')),
      ...stream([]).slice(3),
    ];
    const reference = expectAsFullParse(data, createAnthropicDecoder);
    const parts = reference.flat() as ChatStreamPart[];
    expect(parts.filter((part) => part.type === 'reasoning-delta')).toHaveLength(5);
    expect(parts.some((part) => part.type === 'reasoning-signature')).toBe(true);
    const parse = vi.spyOn(JSON, 'parse');
    decodeWire(data, createAnthropicDecoder);
    const whole = parse.mock.calls.filter(([chunk]) => String(chunk).startsWith('{')).length;
    parse.mockRestore();
    // Of 19 events, 4 thinking deltas are read from a template (made from the second, with a probe;
    // the text's, made from its second delta with a probe too, has nothing left to read).
    expect(whole).toBe(19 - 4 + 2);
  });

  it('agrees with a full parse on generated bytes, reads cut anywhere (fuzz)', () => {
    const [before, after] = textDelta('SLOT').split('SLOT') as [string, string];
    fc.assert(
      fc.property(fc.array(slotBytes, { minLength: 1, maxLength: 10 }), fc.array(fc.nat(3000), { maxLength: 6 }), (slots, cuts) => {
        const deltas = [Buffer.from('a'), Buffer.from('b'), ...slots].map((slot) => Buffer.concat([Buffer.from(before), slot, Buffer.from(after)]));
        const data = [...stream([]).slice(0, 3).map((text) => Buffer.from(text)), ...deltas, ...stream([]).slice(3).map((text) => Buffer.from(text))];
        expectAsFullParse(data, createAnthropicDecoder, cuts);
      }),
      { numRuns: 300 },
    );
  });
});
