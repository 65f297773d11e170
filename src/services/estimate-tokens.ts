import { textOf } from '../providers/content-parts.js';
import type { ChatMessage, ToolDefinition } from '../providers/contract.js';

/** Framing tokens OpenAI adds per message. */
const TOKENS_PER_MESSAGE = 4;
/**
 * Longest piece handed to the BPE tokenizer, in characters, and longest run
 * without whitespace inside one. Its merge loop is quadratic in the length of one
 * pre-token (100,000 × "x" in one piece took ~6 s); pieces this short cost at most
 * ~1.5 µs per character (random CJK text, merge cache cold).
 */
const MAX_PIECE_CHARS = 128;
const MAX_RUN_CHARS = 64;
/**
 * Wall time spent counting exactly before the rest is estimated from samples, in
 * milliseconds. Text the tokenizer knows (prose, code: ~20 ms per MiB) is counted
 * exactly up to about half a MiB; text it does not know is sampled much sooner.
 */
const EXACT_BUDGET_MS = 10;
/** What is left after the budget: this many windows of WINDOW_CHARS, each at a random offset in its own stride. */
const SAMPLE_WINDOWS = 8;
const WINDOW_CHARS = 1_024;
/**
 * Pre-tokens whose merges the tokenizer remembers (its default is 100,000, up to
 * ~40 MB of hostile text kept for the process's life).
 */
const MERGE_CACHE_ENTRIES = 10_000;
// Special tokens in a prompt ("<|endoftext|>") are text to count, not a reason to throw.
const AS_TEXT = { disallowedSpecial: new Set<string>() };

type Tokenizer = typeof import('gpt-tokenizer/encoding/o200k_base');
type Count = (text: string) => number;
// Loaded on first use: its tables cost ~60 MB, paid only by gateways whose callers have token limits or budgets.
let tokenizer: Promise<Count> | undefined;

async function loadTokenizer(): Promise<Count> {
  const { countTokens, setMergeCacheSize }: Tokenizer = await import('gpt-tokenizer/encoding/o200k_base');
  setMergeCacheSize(MERGE_CACHE_ENTRIES);
  return (text) => countTokens(text, AS_TEXT);
}

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 9 || code === 13;
}

/** Where the piece starting at `start` ends: after MAX_RUN_CHARS without whitespace, or at a whitespace past MAX_PIECE_CHARS. */
function pieceEnd(text: string, start: number, end: number): number {
  let run = 0;
  for (let at = start; at < end; at++) {
    const code = text.charCodeAt(at);
    if (isSpace(code)) {
      if (at - start >= MAX_PIECE_CHARS) return at;
      run = 0;
    } else if (++run > MAX_RUN_CHARS || at - start >= 2 * MAX_PIECE_CHARS) {
      // Never split a surrogate pair: half a character would count as a replacement character.
      const previous = text.charCodeAt(at - 1);
      return previous >= 0xd800 && previous <= 0xdbff ? at + 1 : at;
    }
  }
  return end;
}

/**
 * Counts `text[start, end)` in bounded pieces (each cut adds at most about one
 * token) until `deadline`; returns the tokens and where it stopped.
 */
function countPieces(count: Count, text: string, start: number, end: number, deadline = Number.POSITIVE_INFINITY): { tokens: number; stoppedAt: number } {
  let tokens = 0;
  let at = start;
  while (at < end) {
    const next = pieceEnd(text, at, end);
    tokens += count(text.slice(at, next));
    at = next;
    if (performance.now() > deadline) break;
  }
  return { tokens, stoppedAt: at };
}

/**
 * Tokens of `text[start, end)` from windows sampled at random offsets in equal
 * strides: random, so no caller can place cheap text where the windows fall.
 */
function sampleTokens(count: Count, text: string, start: number, end: number, random: () => number): number {
  const length = end - start;
  if (length <= SAMPLE_WINDOWS * WINDOW_CHARS) return countPieces(count, text, start, end).tokens;
  const stride = length / SAMPLE_WINDOWS;
  let tokens = 0;
  for (let window = 0; window < SAMPLE_WINDOWS; window++) {
    const from = start + Math.floor(window * stride + random() * (stride - WINDOW_CHARS));
    tokens += countPieces(count, text, from, from + WINDOW_CHARS).tokens;
  }
  return Math.ceil((tokens / (SAMPLE_WINDOWS * WINDOW_CHARS)) * length);
}

/** Counting options, for tests. */
export interface CountOptions {
  /** @default Math.random */
  random?: () => number;
  /** Wall time for exact counting, in milliseconds. @default 10 */
  budgetMs?: number;
}

/**
 * Prompt tokens of a request before it is sent, for limits and budgets. Exact for
 * OpenAI's o200k models (give or take a token per 128-character piece) for as much
 * text as it can count in 10 ms; the rest is estimated from 8 windows of 1 Ki
 * characters sampled at random. So any body up to `server.maxBodyBytes` is counted
 * in bounded CPU time (≤ ~30 ms measured for 4 MiB of the costliest content), where
 * a single 100,000-character word used to take seconds. For Anthropic, Gemini and
 * open models it is an approximation anyway (their tokenizers differ by roughly
 * ±15%); settling with the provider's reported usage corrects the difference.
 */
export async function countPromptTokens(messages: readonly ChatMessage[], tools?: readonly ToolDefinition[], options: CountOptions = {}): Promise<number> {
  const count = await (tokenizer ??= loadTokenizer());
  const texts: string[] = [];
  // Text parts count here; images, files and audio in estimatePartTokens.
  for (const message of messages) {
    const text = textOf(message);
    if (text) texts.push(text);
    // Reasoning sent back is input where the provider takes it back (Anthropic, Gemini): reserved for, corrected at settlement.
    if (message.reasoning?.text) texts.push(message.reasoning.text);
  }
  if (tools?.length) texts.push(JSON.stringify(tools));
  const text = texts.length === 1 ? (texts[0] as string) : texts.join('\n');
  const exact = countPieces(count, text, 0, text.length, performance.now() + (options.budgetMs ?? EXACT_BUDGET_MS));
  let total = TOKENS_PER_MESSAGE * messages.length + exact.tokens;
  if (exact.stoppedAt < text.length) total += sampleTokens(count, text, exact.stoppedAt, text.length, options.random ?? Math.random);
  return total;
}
