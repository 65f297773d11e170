import type { ChatStreamPart, ReasoningTrace, ToolCall } from '../../providers/contract.js';
import type { LiveAttempt } from '../../routing/run-attempts.js';
import type { ChatStreamEvent, CompletionUsage } from '../chat-types.js';
import type { UsageOutcome } from '../usage-meter.js';
import type { Lease } from '../concurrency-limit.js';
import { mergeDelta, startDelta, type CoalescedDelta } from './coalesce-deltas.js';
import type { OpenedStream } from './open-stream.js';
import { readerOf } from './read-buffered.js';
import { observeAnswered, settleUsage, type AnsweredEnd, type SettlementContext } from './settle-completion.js';
import { createStreamTally } from './stream-tally.js';

/** A stream whose first content part arrived, with what its end needs. */
export interface RelayInput {
  live: LiveAttempt;
  opened: OpenedStream;
  settlement: SettlementContext;
  firstTokenAt: number;
  /** Released once the stream is over, however it ends: the caller's hold on the concurrency limit. */
  lease: Lease;
  /** The prompt's tokens, estimated, for an upstream that reports no usage. */
  promptEstimate: number;
  /** Set when the answer may be cached: called with the whole answer on success. */
  remember?: (answer: {
    id: string;
    content: string | null;
    toolCalls: ToolCall[];
    reasoning: ReasoningTrace | null;
    finishReason: NonNullable<ChatStreamEvent['finishReason']>;
    usage: CompletionUsage;
  }) => void;
}

/**
 * Provider parts to client events; finish, usage and the reasoning signature are
 * held for the one final event.
 *
 * Deltas are coalesced: the first one goes out at once, and after any other the
 * relay keeps folding in the deltas that follow for as long as the upstream already
 * has them buffered (see `readBuffered`). A burst read in one network read becomes
 * one event (one GraphQL execution, one socket write); deltas that arrive spaced
 * in time still go out one by one. Reasoning, text and each tool call are merged
 * only with their own kind, so reasoning deltas stay their own events, before the
 * text as the upstream sent them. Any other part ends the merged event, so text
 * seen before an error is delivered before it. However the stream ends, its usage
 * is settled and its completion observed once.
 */
export async function* relayStream(input: RelayInput): AsyncGenerator<ChatStreamEvent> {
  const { live, opened, settlement, firstTokenAt, remember, lease } = input;
  const { head, iterator, close } = opened;
  const { target, watchdog } = live;
  const model = target.model.id;
  const provider = target.provider.id;
  const tally = createStreamTally(target.model, input.promptEstimate, remember !== undefined);
  const reader = readerOf(iterator);
  let id = '';
  let finishReason: ChatStreamEvent['finishReason'] = null;
  let outcome: UsageOutcome = 'cancelled';
  let failure: unknown;
  let end: AnsweredEnd | undefined;

  const event = ({ reasoningDelta, delta, toolCallDelta }: CoalescedDelta): ChatStreamEvent => ({
    id,
    model,
    provider,
    reasoningDelta,
    delta,
    toolCallDeltas: toolCallDelta && [toolCallDelta],
    finishReason: null,
    usage: null,
    attempts: null,
    reasoningSignature: null,
    cached: null,
    done: false,
  });

  /** The event being merged, and what folds a buffered part into it (one closure per stream, not per token). */
  let building: CoalescedDelta | undefined;
  const fold = (more: ChatStreamPart): boolean => {
    if (more.type === 'usage' && more.partial) {
      // Running usage (Gemini repeats it on every chunk) must not end a merge.
      watchdog.markPart();
      tally.noteUsage(more);
      return true;
    }
    if (more.type === 'reasoning-signature') {
      // Held for the final event, so it does not end a merge either.
      watchdog.markPart();
      tally.noteSignature(more.signature);
      return true;
    }
    if (!building || !mergeDelta(building, more)) return false;
    watchdog.markPart();
    tally.take(more);
    return true;
  };

  try {
    let index = 0;
    for (;;) {
      let part: ChatStreamPart;
      let fromHead = false;
      if (index < head.length) {
        part = head[index++] as ChatStreamPart;
        fromHead = true;
      } else {
        const next = await reader.next();
        if (next.done) break;
        part = next.value;
        watchdog.markPart();
      }
      switch (part.type) {
        case 'metadata':
          if (part.id) id = part.id;
          continue;
        case 'finish':
          finishReason = part.finishReason;
          continue;
        case 'usage':
          tally.noteUsage(part);
          continue;
        case 'error':
          throw part.error;
        case 'reasoning-signature':
          tally.noteSignature(part.signature);
          continue;
      }
      tally.take(part);
      building = startDelta(part);
      // The first delta (read before the stream was handed over) is never held back.
      if (!fromHead) {
        const draining = reader.drainBuffered(fold);
        if (draining) await draining;
      }
      yield event(building);
    }
    const usage = tally.usage();
    end = { model, provider, outcome: 'success', usage, finishReason: finishReason ?? 'other', firstTokenAt };
    outcome = 'success';
    settleUsage(settlement, end);
    if (!usage.estimated) remember?.({ id, content: tally.text, toolCalls: tally.toolCalls(), reasoning: tally.reasoning(), finishReason: finishReason ?? 'other', usage });
    yield { id, model, provider, reasoningDelta: null, reasoningSignature: tally.signature, delta: null, toolCallDeltas: null, finishReason: finishReason ?? 'other', usage, attempts: settlement.attempts, cached: false, done: true };
  } catch (error: unknown) {
    outcome = settlement.call.signal.aborted ? 'cancelled' : 'failed';
    failure = error;
    throw error;
  } finally {
    try {
      live.settle();
      if (reader.holding) {
        // Left early with a read pending: return() would wait for it, so abort the upstream, and drop its outcome.
        reader.abandon();
        close(settlement.call.signal.reason ?? new Error('the stream was closed'));
      }
      // The consumer left early (cancel, downstream error): close the upstream now.
      void iterator.return?.(undefined)?.catch(() => undefined);
      if (outcome !== 'success' || !end) {
        // A cut-off stream still used tokens: settle and record what was seen.
        end = { model, provider, outcome, usage: end?.usage ?? tally.usage(), finishReason: null, failure, firstTokenAt };
        settleUsage(settlement, end);
      }
      observeAnswered(settlement, end);
    } finally {
      lease.release();
    }
  }
}
