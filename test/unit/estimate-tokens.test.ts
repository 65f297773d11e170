import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { countPromptTokens } from '../../src/services/estimate-tokens.js';

const user = (content: string) => ({ role: 'user' as const, content });

/** Deterministic pseudo-random text from an alphabet (a linear congruential generator). */
function randomText(length: number, alphabet: (x: number) => string): string {
  const parts: string[] = [];
  let seed = 7;
  for (let i = 0; i < length; i++) {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    parts.push(alphabet(seed));
  }
  return parts.join('');
}

function cpuMs<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = process.cpuUsage();
  return run().then((value) => {
    const used = process.cpuUsage(start);
    return { value, ms: (used.user + used.system) / 1_000 };
  });
}

describe('countPromptTokens', () => {
  it('is exact for ordinary prompts (o200k, plus 4 framing tokens a message)', async () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(50);
    expect(await countPromptTokens([user(text), user('and a second message')])).toBe(countTokens(text) + countTokens('and a second message') + 8);
  });

  it('estimates a large prompt within a few percent', async () => {
    const code = 'function add(a, b) {\n  return a + b; // sum\n}\n'.repeat(40_000);
    const exact = countTokens(code);
    // No exact counting at all: everything comes from the sampled windows.
    const estimate = (await countPromptTokens([user(code)], undefined, { budgetMs: 0 })) - 4;
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.1);
  });

  it('counts 4 MiB of the costliest text in bounded CPU time', async () => {
    const cjk = randomText(4 * 1024 * 1024, (x) => String.fromCharCode(0x4e00 + (x % 20_000)));
    const { value, ms } = await cpuMs(() => countPromptTokens([user(cjk)]));
    // ~2 tokens a character for random CJK. Measured 17–38 ms alone and 287 ms on a loaded 2-core machine;
    // exact counting of the whole text took 6 s for only 100k characters, so 2 s still tells the two apart.
    expect(value).toBeGreaterThan(4_000_000);
    expect(ms).toBeLessThan(2_000);
  });
});
