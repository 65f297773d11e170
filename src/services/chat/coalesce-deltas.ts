import type { ChatStreamPart } from '../../providers/contract.js';
import type { ToolCallDelta } from '../chat-types.js';

type DeltaPart = Extract<ChatStreamPart, { type: 'text-delta' | 'tool-call-delta' }>;

/**
 * One outgoing event's content, built by merging deltas: text into text, a tool
 * call's pieces into that call (as clients assemble them: the latest id, name and
 * arguments concatenated). Any other kind of delta does not continue it.
 */
export interface CoalescedDelta {
  /** The merged text, or null when the event carries a tool call piece. */
  delta: string | null;
  /** The merged piece of one tool call, or null when the event carries text. */
  toolCallDelta: ToolCallDelta | null;
}

/** A new event's content, from its first delta. */
export function startDelta(part: DeltaPart): CoalescedDelta {
  return part.type === 'text-delta'
    ? { delta: part.text, toolCallDelta: null }
    : { delta: null, toolCallDelta: { index: part.index, id: part.id, name: part.name, argumentsDelta: part.argumentsDelta } };
}

/** Merges `part` into `into` when it continues it; false (and `into` unchanged) when it does not. */
export function mergeDelta(into: CoalescedDelta, part: ChatStreamPart): part is DeltaPart {
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
