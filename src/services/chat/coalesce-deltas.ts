import type { ChatStreamPart } from '../../providers/contract.js';
import type { ToolCallDelta } from '../chat-types.js';

/** The parts an outgoing event's content is made of. */
export type DeltaPart = Extract<ChatStreamPart, { type: 'reasoning-delta' | 'text-delta' | 'tool-call-delta' }>;

/**
 * One outgoing event's content, built by merging deltas of one kind: reasoning
 * into reasoning, text into text, a tool call's pieces into that call (as clients
 * assemble them: the latest id, name and arguments concatenated). A delta of
 * another kind does not continue it, so reasoning never joins the text.
 */
export interface CoalescedDelta {
  /** The merged reasoning, or null when the event carries text or a tool call piece. */
  reasoningDelta: string | null;
  /** The merged text, or null when the event carries reasoning or a tool call piece. */
  delta: string | null;
  /** The merged piece of one tool call, or null when the event carries reasoning or text. */
  toolCallDelta: ToolCallDelta | null;
}

/** A new event's content, from its first delta. */
export function startDelta(part: DeltaPart): CoalescedDelta {
  switch (part.type) {
    case 'reasoning-delta':
      return { reasoningDelta: part.text, delta: null, toolCallDelta: null };
    case 'text-delta':
      return { reasoningDelta: null, delta: part.text, toolCallDelta: null };
    case 'tool-call-delta':
      return { reasoningDelta: null, delta: null, toolCallDelta: { index: part.index, id: part.id, name: part.name, argumentsDelta: part.argumentsDelta } };
  }
}

/** Merges `part` into `into` when it continues it; false (and `into` unchanged) when it does not. */
export function mergeDelta(into: CoalescedDelta, part: ChatStreamPart): part is DeltaPart {
  if (into.reasoningDelta !== null && part.type === 'reasoning-delta') {
    into.reasoningDelta += part.text;
    return true;
  }
  if (into.delta !== null && part.type === 'text-delta') {
    into.delta += part.text;
    return true;
  }
  const call = into.toolCallDelta;
  if (call !== null && part.type === 'tool-call-delta' && part.index === call.index) {
    if (part.id) call.id = part.id;
    if (part.name) call.name = (call.name ?? '') + part.name;
    if (part.argumentsDelta) call.argumentsDelta = (call.argumentsDelta ?? '') + part.argumentsDelta;
    return true;
  }
  return false;
}
