import type { ChatStreamEvent } from '../services/chat-types.js';

/** The text one subscription has streamed so far, as of the last event resolved. */
interface RunningText {
  last: ChatStreamEvent;
  text: string;
}

/**
 * Resolves `ChatStreamEvent.text` (the answer so far) without any per-event cost
 * for operations that do not select it: the running text is kept only when the
 * field is resolved, per operation, in a WeakMap keyed by the operation's context
 * (one context per subscription, for every transport), so it goes when the
 * subscription does. Every event of a subscription runs the same selection, so
 * the resolver sees each event once, in order; an alias that selects `text`
 * twice gets the same string for the same event.
 */
export function createStreamText(): (event: ChatStreamEvent, context: object) => string {
  const running = new WeakMap<object, RunningText>();
  return (event, context) => {
    const state = running.get(context);
    if (!state) {
      const text = event.delta ?? '';
      running.set(context, { last: event, text });
      return text;
    }
    if (state.last !== event) {
      state.last = event;
      // V8 joins strings lazily (ropes): appending costs O(delta), not O(text).
      if (event.delta) state.text += event.delta;
    }
    return state.text;
  };
}
