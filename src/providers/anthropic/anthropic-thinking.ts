import { z } from 'zod';
import type { ReasoningTrace } from '../contract.js';

/**
 * Anthropic's thinking blocks as one adapter-owned reasoning signature, and back.
 *
 * A turn's reasoning text is its thinking blocks' texts joined by a blank line; the signature
 * keeps, per block in order, what the API needs to accept the block back: a `thinking` block's
 * own signature and text length (to cut the joined text apart again), or a `redacted_thinking`
 * block's opaque data (it has no text). Packed as `anthropic:` + base64url(JSON).
 */
const PREFIX = 'anthropic:';
const SEPARATOR = '\n\n';

/** A `thinking` block: its signature and the length of its text. */
interface SignedEntry {
  signature: string;
  chars: number;
}

/** One thinking block of a turn, as the signature keeps it. */
export type ThinkingEntry = SignedEntry | { redacted: string };

const isSigned = (entry: ThinkingEntry): entry is SignedEntry => 'signature' in entry;

const entriesSchema = z.array(
  z.union([
    z.strictObject({ signature: z.string().min(1), chars: z.number().int().min(0) }),
    z.strictObject({ redacted: z.string().min(1) }),
  ]),
);

/** The reasoning signature for a turn's thinking blocks. */
export function packThinkingSignature(entries: readonly ThinkingEntry[]): string {
  return PREFIX + Buffer.from(JSON.stringify(entries), 'utf8').toString('base64url');
}

function unpack(signature: string): ThinkingEntry[] | undefined {
  try {
    const json: unknown = JSON.parse(Buffer.from(signature.slice(PREFIX.length), 'base64url').toString('utf8'));
    const parsed = entriesSchema.safeParse(json);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `thinking` / `redacted_thinking` blocks to put first in an assistant turn sent back,
 * rebuilt from its reasoning. None when the signature is not this adapter's (another
 * provider's, or absent), cannot be read, or does not fit the text (which was then edited:
 * Anthropic would refuse the signature anyway).
 */
export function thinkingBlocksOf(reasoning: ReasoningTrace | undefined): Record<string, unknown>[] {
  const signature = reasoning?.signature;
  if (!reasoning || !signature?.startsWith(PREFIX)) return [];
  const entries = unpack(signature);
  if (!entries) return [];
  const signed = entries.filter(isSigned);
  const expected = signed.reduce((sum, entry) => sum + entry.chars, 0) + SEPARATOR.length * Math.max(0, signed.length - 1);
  if (expected !== reasoning.text.length) return [];
  const blocks: Record<string, unknown>[] = [];
  let offset = 0;
  for (const entry of entries) {
    if (!isSigned(entry)) {
      blocks.push({ type: 'redacted_thinking', data: entry.redacted });
      continue;
    }
    if (entry !== signed[0]) offset += SEPARATOR.length;
    blocks.push({ type: 'thinking', thinking: reasoning.text.slice(offset, offset + entry.chars), signature: entry.signature });
    offset += entry.chars;
  }
  return blocks;
}

/** Collects a turn's thinking blocks in order, from a whole message or from stream events. */
export interface ThinkingCollector {
  /**
   * A `thinking` block starts with `text` (often empty); returns the reasoning text to emit,
   * the separator from an earlier block included.
   */
  startThinking(text: string): string;
  /** More text of the current `thinking` block. */
  appendThinking(text: string): void;
  /** The current `thinking` block's signature (it arrives whole, after its text). */
  sign(signature: string): void;
  /** A `redacted_thinking` block with its opaque data. */
  redacted(data: string): void;
  /** The turn's signature so far; undefined until a block is signed or redacted. */
  signature(): string | undefined;
  /** The turn's reasoning; undefined when it had no thinking block. */
  trace(): ReasoningTrace | undefined;
}

export function createThinkingCollector(): ThinkingCollector {
  const entries: ThinkingEntry[] = [];
  let current: SignedEntry | undefined;
  let text = '';
  const signature = (): string | undefined => {
    // A block still unsigned (a stream cut short) cannot go back, and the others cannot go back without it.
    const complete = entries.length > 0 && entries.every((entry) => !isSigned(entry) || entry.signature);
    return complete ? packThinkingSignature(entries) : undefined;
  };
  return {
    startThinking(start) {
      const lead = entries.some(isSigned) ? SEPARATOR : '';
      current = { signature: '', chars: start.length };
      entries.push(current);
      text += lead + start;
      return lead + start;
    },
    appendThinking(delta) {
      if (!current) return;
      text += delta;
      current.chars += delta.length;
    },
    sign(value) {
      if (current) current.signature = value;
    },
    redacted(data) {
      entries.push({ redacted: data });
    },
    signature,
    trace() {
      if (entries.length === 0) return undefined;
      const packed = signature();
      return packed ? { text, signature: packed } : { text };
    },
  };
}
