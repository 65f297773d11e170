import { describe, expect, it } from 'vitest';
import { mergeDelta, startDelta } from '../../src/services/chat/coalesce-deltas.js';
import { readBuffered } from '../../src/services/chat/read-buffered.js';

/** A source whose reads the test settles by hand; `buffered` parts are answered at once (as parts of one network read are). */
function controlledSource<T>(buffered: T[] = []) {
  const reads: { resolve: (value: IteratorResult<T>) => void; reject: (error: unknown) => void }[] = [];
  const iterator: AsyncIterator<T> = {
    next: () => {
      const part = buffered.shift();
      if (part !== undefined) return Promise.resolve({ done: false, value: part });
      return new Promise((resolve, reject) => reads.push({ resolve, reject }));
    },
  };
  return { iterator, reads };
}

describe('readBuffered', () => {
  it('folds parts that settle before the next turn, and keeps the one still pending for next()', async () => {
    const { iterator, reads } = controlledSource<string>(['a', 'b']);
    const reader = readBuffered(iterator);
    const folded: string[] = [];
    await reader.drainBuffered((part) => {
      folded.push(part);
      return true;
    });
    expect(folded).toEqual(['a', 'b']);
    // The third read was still pending at the turn: kept, not lost.
    expect(reader.holding).toBe(true);
    const next = reader.next();
    reads[0]?.resolve({ done: false, value: 'c' });
    expect(await next).toEqual({ done: false, value: 'c' });
    expect(reader.holding).toBe(false);
  });

  it('keeps a refused part for next(), and a failed read for the next round', async () => {
    const { iterator, reads } = controlledSource<string>(['stop']);
    const reader = readBuffered(iterator);
    await reader.drainBuffered((part) => part !== 'stop');
    expect(await reader.next()).toEqual({ done: false, value: 'stop' });

    const failing = reader.drainBuffered(() => true);
    reads[0]?.reject(new Error('reset'));
    await failing;
    await expect(reader.next()).rejects.toThrow('reset');
  });
});

describe('coalesce-deltas', () => {
  it('merges text into text and one tool call into itself, and nothing else', () => {
    const text = startDelta({ type: 'text-delta', text: 'Hel' });
    expect(mergeDelta(text, { type: 'text-delta', text: 'lo' })).toBe(true);
    expect(mergeDelta(text, { type: 'finish', finishReason: 'stop' })).toBe(false);
    expect(text).toEqual({ reasoningDelta: null, delta: 'Hello', toolCallDelta: null });

    const call = startDelta({ type: 'tool-call-delta', index: 0, id: 'c1', name: 'get', argumentsDelta: '{"a"' });
    expect(mergeDelta(call, { type: 'tool-call-delta', index: 0, name: 'Weather', argumentsDelta: ':1}' })).toBe(true);
    expect(mergeDelta(call, { type: 'tool-call-delta', index: 1, id: 'c2' })).toBe(false);
    expect(mergeDelta(call, { type: 'text-delta', text: 'x' })).toBe(false);
    expect(call.toolCallDelta).toEqual({ index: 0, id: 'c1', name: 'getWeather', argumentsDelta: '{"a":1}' });
  });

  it('merges reasoning into reasoning only: text never joins it, and it never joins text', () => {
    const thinking = startDelta({ type: 'reasoning-delta', text: 'Let me ' });
    expect(mergeDelta(thinking, { type: 'reasoning-delta', text: 'think.' })).toBe(true);
    expect(mergeDelta(thinking, { type: 'text-delta', text: 'Answer' })).toBe(false);
    expect(thinking).toEqual({ reasoningDelta: 'Let me think.', delta: null, toolCallDelta: null });

    const text = startDelta({ type: 'text-delta', text: 'Answer' });
    expect(mergeDelta(text, { type: 'reasoning-delta', text: 'late thought' })).toBe(false);
    expect(text).toEqual({ reasoningDelta: null, delta: 'Answer', toolCallDelta: null });
  });
});
