import { z } from 'zod';
import type { ReasoningTrace } from '../contract.js';
import type { GeminiPart } from './gemini-wire.js';

/**
 * Gemini's thought signatures as one adapter-owned reasoning signature, and back.
 *
 * Gemini signs parts of a model turn (`thoughtSignature`): the first function call of a step
 * (required back for function calling with thinking), or the answer's last text part. The
 * signature keeps each one with the part it belongs to (the n-th function call, or the text),
 * packed as `google:` + base64url(JSON), so the same parts of the turn sent back get them again.
 */
const PREFIX = 'google:';

/** A thought signature and the part of the turn it was on. */
export type SignedPart = { part: 'call'; index: number; signature: string } | { part: 'text'; signature: string };

const signedPartsSchema = z.array(
  z.discriminatedUnion('part', [
    z.strictObject({ part: z.literal('call'), index: z.number().int().min(0), signature: z.string().min(1) }),
    z.strictObject({ part: z.literal('text'), signature: z.string().min(1) }),
  ]),
);

function pack(signed: readonly SignedPart[]): string {
  return PREFIX + Buffer.from(JSON.stringify(signed), 'utf8').toString('base64url');
}

function unpack(reasoning: ReasoningTrace | undefined): SignedPart[] {
  const signature = reasoning?.signature;
  if (!signature?.startsWith(PREFIX)) return [];
  try {
    const json: unknown = JSON.parse(Buffer.from(signature.slice(PREFIX.length), 'base64url').toString('utf8'));
    const parsed = signedPartsSchema.safeParse(json);
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

/**
 * An assistant turn's parts, as sent back, with the thought signatures its reasoning carries:
 * the n-th functionCall part gets the n-th call's, the last text part the text's. Reasoning
 * with another provider's signature (or none) adds nothing; thought text itself is never sent.
 */
export function withThoughtSignatures(parts: GeminiPart[], reasoning: ReasoningTrace | undefined): GeminiPart[] {
  const signed = unpack(reasoning);
  if (signed.length === 0) return parts;
  const calls = parts.filter((part) => part.functionCall);
  const lastText = parts.findLast((part) => typeof part.text === 'string');
  for (const entry of signed) {
    const target = entry.part === 'call' ? calls[entry.index] : lastText;
    if (target) target.thoughtSignature = entry.signature;
  }
  return parts;
}

/** Collects a model turn's thoughts and signatures, from a whole response or from stream chunks. */
export interface ThoughtCollector {
  /** A thought part's text (a thought summary). */
  thought(text: string): void;
  /** A signature on the `index`-th function call of the turn. */
  signCall(index: number, signature: string): void;
  /** A signature on a text (or thought) part: the last one wins. */
  signText(signature: string): void;
  /** The turn's reasoning signature so far; undefined while nothing is signed. */
  signature(): string | undefined;
  /** The turn's reasoning; undefined when it had neither thoughts nor signatures. */
  trace(): ReasoningTrace | undefined;
}

export function createThoughtCollector(): ThoughtCollector {
  let text = '';
  let thoughts = false;
  const calls = new Map<number, string>();
  let textSignature: string | undefined;
  const signature = (): string | undefined => {
    const signed: SignedPart[] = [...calls].map(([index, value]) => ({ part: 'call' as const, index, signature: value }));
    if (textSignature) signed.push({ part: 'text', signature: textSignature });
    return signed.length > 0 ? pack(signed) : undefined;
  };
  return {
    thought(delta) {
      thoughts = true;
      text += delta;
    },
    signCall(index, value) {
      calls.set(index, value);
    },
    signText(value) {
      textSignature = value;
    },
    signature,
    trace() {
      const packed = signature();
      if (!thoughts && !packed) return undefined;
      return packed ? { text, signature: packed } : { text };
    },
  };
}
