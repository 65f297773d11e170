import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../src/providers/contract.js';
import { answerWithTools, splitArguments } from '../../src/providers/local/local-tools-model.js';

const tools = [
  { name: 'lookup', parameters: { type: 'object', properties: { limit: { type: 'integer' }, query: { type: 'string' } } } },
  { name: 'now', parameters: { type: 'object', properties: {} } },
];
const ask = (extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'tools', messages: [{ role: 'user', content: 'find cats' }], tools, ...extra });

describe('the local/tools demo model', () => {
  it('calls the first tool with the last user message as its first string argument', () => {
    expect(answerWithTools(ask(), 'call_1')).toEqual({ kind: 'call', call: { id: 'call_1', name: 'lookup', arguments: '{"query":"find cats"}' } });
  });

  it('calls the tool toolChoice names, with no arguments when it takes no string', () => {
    expect(answerWithTools(ask({ toolChoice: { type: 'tool', name: 'now' } }), 'c')).toEqual({ kind: 'call', call: { id: 'c', name: 'now', arguments: '{}' } });
  });

  it('answers in text without tools, or with toolChoice NONE', () => {
    expect(answerWithTools(ask({ tools: [] }), 'c').kind).toBe('text');
    expect(answerWithTools(ask({ toolChoice: { type: 'none' } }), 'c').kind).toBe('text');
  });

  it('answers with every tool result since its last turn', () => {
    const answer = answerWithTools(
      ask({
        messages: [
          { role: 'user', content: 'find cats' },
          { role: 'assistant', content: null, toolCalls: [{ id: 'a', name: 'lookup', arguments: '{}' }, { id: 'b', name: 'now', arguments: '{}' }] },
          { role: 'tool', toolCallId: 'a', content: '3 cats' },
          { role: 'tool', toolCallId: 'b', content: 'noon' },
        ],
      }),
      'c',
    );
    expect(answer).toEqual({ kind: 'text', text: 'lookup returned 3 cats; now returned noon.' });
  });

  it('streams arguments in pieces that join to the JSON', () => {
    const text = '{"query":"find cats"}';
    expect(splitArguments(text).join('')).toBe(text);
    expect(splitArguments(text).length).toBeGreaterThan(1);
  });
});
