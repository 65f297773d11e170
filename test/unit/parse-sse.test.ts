import { describe, expect, it } from 'vitest';
import { createSseParser, parseSse, SseEventTooLarge, type SseEvent } from '../../src/providers/http/parse-sse.js';

const encoder = new TextEncoder();

async function* fromChunks<T>(chunks: readonly T[]): AsyncGenerator<T> {
  for (const chunk of chunks) yield chunk;
}

async function events(chunks: readonly (Uint8Array | string)[]): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const event of parseSse(fromChunks(chunks))) out.push(event);
  return out;
}

/** The bytes of `text`, one Uint8Array per byte. */
function byteByByte(text: string): Uint8Array[] {
  return Array.from(encoder.encode(text), (byte) => Uint8Array.of(byte));
}

/** Deterministic PRNG (mulberry32) so a failing split can be reproduced. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The bytes of `text` cut at random places (chunks of 1-7 bytes). */
function randomSplit(text: string, seed: number): Uint8Array[] {
  const bytes = encoder.encode(text);
  const next = random(seed);
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; ) {
    const end = Math.min(bytes.length, start + 1 + Math.floor(next() * 7));
    chunks.push(bytes.slice(start, end));
    start = end;
  }
  return chunks;
}

const STREAM = [
  ': keep-alive comment',
  'event: message_start',
  'data: {"type":"message_start","text":"héllo 👋"}',
  '',
  'data: first line',
  'data: second line',
  '',
  'event: ping',
  'id: 7',
  'retry: 1000',
  'data: {}',
  '',
  'data:[DONE]',
  '',
  '',
].join('\n');

const STREAM_EVENTS: SseEvent[] = [
  { event: 'message_start', data: '{"type":"message_start","text":"héllo 👋"}' },
  { event: 'message', data: 'first line\nsecond line' },
  { event: 'ping', data: '{}' },
  { event: 'message', data: '[DONE]' },
];

describe('parseSse', () => {
  it('parses a whole stream given as one chunk', async () => {
    expect(await events([STREAM])).toEqual(STREAM_EVENTS);
    expect(await events([encoder.encode(STREAM)])).toEqual(STREAM_EVENTS);
  });

  it('gives the same events when fed byte by byte', async () => {
    expect(await events(byteByByte(STREAM))).toEqual(STREAM_EVENTS);
  });

  it('gives the same events for random chunk boundaries', async () => {
    for (let seed = 1; seed <= 50; seed++) {
      expect(await events(randomSplit(STREAM, seed)), `seed ${seed}`).toEqual(STREAM_EVENTS);
    }
  });

  it('gives the same events for string chunks of one character', async () => {
    expect(await events([...STREAM])).toEqual(STREAM_EVENTS);
  });

  it('accepts CRLF line endings, also split between chunks', async () => {
    const crlf = STREAM.replaceAll('\n', '\r\n');
    expect(await events([crlf])).toEqual(STREAM_EVENTS);
    expect(await events(byteByByte(crlf))).toEqual(STREAM_EVENTS);
    expect(await events(['data: a\r', '\n\r', '\ndata: b\r\n\r\n'])).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
    ]);
  });

  it('names events with event: and defaults to "message"', async () => {
    expect(await events(['event: delta\ndata: 1\n\ndata: 2\n\n'])).toEqual([
      { event: 'delta', data: '1' },
      { event: 'message', data: '2' },
    ]);
  });

  it('does not carry an event name over to the next event', async () => {
    expect(await events(['event: error\ndata: x\n\ndata: y\n\n'])).toEqual([
      { event: 'error', data: 'x' },
      { event: 'message', data: 'y' },
    ]);
  });

  it('joins multi-line data with \\n', async () => {
    expect(await events(['data: {\ndata:   "a": 1\ndata: }\n\n'])).toEqual([{ event: 'message', data: '{\n  "a": 1\n}' }]);
  });

  it('ignores comment lines, also between data lines', async () => {
    expect(await events([':comment\ndata: a\n: another\ndata: b\n\n:\n\n'])).toEqual([{ event: 'message', data: 'a\nb' }]);
  });

  it('reads data: without a space, and strips only one space', async () => {
    expect(await events(['data:x\n\ndata:  two spaces\n\n'])).toEqual([
      { event: 'message', data: 'x' },
      { event: 'message', data: ' two spaces' },
    ]);
  });

  it('keeps colons inside the value', async () => {
    expect(await events(['data: {"url":"http://x"}\n\n'])).toEqual([{ event: 'message', data: '{"url":"http://x"}' }]);
  });

  it('dispatches nothing for a block without data', async () => {
    expect(await events(['event: ping\n\nid: 3\n\n'])).toEqual([]);
  });

  it('dispatches an empty data: line as an empty string', async () => {
    expect(await events(['data:\n\n'])).toEqual([{ event: 'message', data: '' }]);
  });

  it('yields a last event that has no blank line after it', async () => {
    expect(await events(['data: a\n\ndata: last\n'])).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'last' },
    ]);
    expect(await events(['event: end\r\ndata: last\r\n'])).toEqual([{ event: 'end', data: 'last' }]);
  });

  it('yields a last event whose last line has no line ending at all', async () => {
    expect(await events(['data: one\n\ndata: two'])).toEqual([
      { event: 'message', data: 'one' },
      { event: 'message', data: 'two' },
    ]);
  });

  it('releases the source when the consumer leaves early', async () => {
    let released = false;
    async function* source() {
      try {
        yield 'data: a\n\n';
        yield 'data: b\n\n';
      } finally {
        released = true;
      }
    }
    for await (const event of parseSse(source())) if (event.data === 'a') break;
    expect(released).toBe(true);
  });

  it('decodes multi-byte UTF-8 characters split between chunks', async () => {
    const bytes = encoder.encode('data: é👋ü\n\n');
    const e = bytes.indexOf(0xc3); // first byte of "é"
    const wave = bytes.indexOf(0xf0); // first byte of the emoji
    const chunks = [bytes.slice(0, e + 1), bytes.slice(e + 1, wave + 1), bytes.slice(wave + 1, wave + 3), bytes.slice(wave + 3)];
    expect(await events(chunks)).toEqual([{ event: 'message', data: 'é👋ü' }]);
  });

  it('replaces bytes that are not UTF-8 as TextDecoder does, split or not', async () => {
    const bytes = Uint8Array.of(...encoder.encode('data: a'), 0xff, 0xc3, ...encoder.encode('b\n\ndata: '), 0xe2, 0x82, ...encoder.encode('\n\n'));
    const expected = new TextDecoder().decode(bytes).split('\n\n').filter(Boolean).map((block) => ({ event: 'message', data: block.slice('data: '.length) }));
    expect(expected).toEqual([{ event: 'message', data: 'a\ufffd\ufffdb' }, { event: 'message', data: '\ufffd' }]);
    expect(await events([bytes])).toEqual(expected);
    expect(await events(Array.from(bytes, (byte) => Uint8Array.of(byte)))).toEqual(expected);
  });

  it('keeps the unfinished line of a read it was given, even when the reader reuses that buffer', () => {
    const parser = createSseParser();
    const read = Buffer.from('data: first\n\ndata: sec');
    expect(parser.push(read)).toEqual([{ event: 'message', data: 'first' }]);
    read.fill(0x78); // the reader's next read lands in the same memory
    expect(parser.push(Buffer.from('ond\n\n'))).toEqual([{ event: 'message', data: 'second' }]);
  });

  it('decodes an emoji split byte by byte', async () => {
    expect(await events(byteByByte('data: 🎉🎉\n\n'))).toEqual([{ event: 'message', data: '🎉🎉' }]);
  });

  it('yields events as soon as they are complete', async () => {
    let pulled = 0;
    async function* body() {
      pulled++;
      yield 'data: one\n\n';
      pulled++;
      yield 'data: two\n\n';
    }
    const iterator = parseSse(body());
    expect((await iterator.next()).value).toEqual({ event: 'message', data: 'one' });
    expect(pulled).toBe(1);
    await iterator.return(undefined);
  });
});

describe('createSseParser', () => {
  it('returns, per read, exactly the events that read completed', () => {
    const parser = createSseParser();
    expect(parser.push('data: a\n\ndata: b\n\nda')).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
    ]);
    expect(parser.push('ta: c\r')).toEqual([]);
    expect(parser.push('\n\r\nevent: x\ndata: d')).toEqual([{ event: 'message', data: 'c' }]);
    expect(parser.end()).toEqual([{ event: 'x', data: 'd' }]);
  });

  it('joins a UTF-8 character split across reads', () => {
    const parser = createSseParser();
    const bytes = new TextEncoder().encode('data: é\n\n');
    expect(parser.push(bytes.subarray(0, 7))).toEqual([]);
    expect(parser.push(bytes.subarray(7))).toEqual([{ event: 'message', data: 'é' }]);
    expect(parser.end()).toEqual([]);
  });

  it('refuses an event that grows past its bound, as one endless line or as data lines without a blank line', () => {
    const line = createSseParser(64);
    expect(line.push(encoder.encode(`data: ${'a'.repeat(50)}`))).toEqual([]);
    expect(() => {
      for (let index = 0; index < 20; index++) line.push(encoder.encode('a'));
    }).toThrow(SseEventTooLarge);

    const lines = createSseParser(64);
    expect(() => {
      for (let index = 0; index < 20; index++) lines.push(encoder.encode('data: 0123456789\n'));
    }).toThrow(SseEventTooLarge);

    // Up to the bound, an event held across many reads is read exactly, and the next one starts from nothing.
    const within = createSseParser(64);
    const event = `data: ${'é'.repeat(25)}\n\n`;
    const bytes = encoder.encode(event + event);
    const out: SseEvent[] = [];
    for (let index = 0; index < bytes.length; index += 3) out.push(...within.push(bytes.subarray(index, index + 3)));
    expect(out).toEqual([
      { event: 'message', data: 'é'.repeat(25) },
      { event: 'message', data: 'é'.repeat(25) },
    ]);
  });
});
