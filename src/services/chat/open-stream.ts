import type { ChatRequest, ChatStreamPart } from '../../providers/contract.js';
import type { Watchdog } from '../../routing/attempt-watchdog.js';
import type { Target } from '../../routing/catalog.js';
import type { CancelSignal } from '../../providers/cancel-signal.js';

/** An upstream stream read up to its first content part. */
export interface OpenedStream {
  /** The parts read so far: metadata and running usage, then the first content part. */
  head: ChatStreamPart[];
  /** The rest of the stream. */
  iterator: AsyncIterator<ChatStreamPart>;
  /** Aborts the upstream request at once, even while a read is pending. */
  close: (reason: unknown) => void;
}

/**
 * Opens a stream on `target` and peeks at it up to its first content part, so a
 * failure before it (an error part, a refused request) can still fall back.
 */
export async function openStream(target: Target, request: ChatRequest, signal: CancelSignal, watchdog: Watchdog): Promise<OpenedStream> {
  // The attempt's own signal: closing aborts the attempt, so the upstream stops at once even
  // while a read is pending, with no controller of its own per stream.
  const iterator = target.provider.stream(request, signal)[Symbol.asyncIterator]();
  const close = (reason: unknown) => watchdog.abort(reason);
  const head: ChatStreamPart[] = [];
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return { iterator, head, close };
      if (next.value.type === 'error') throw next.value.error;
      head.push(next.value);
      // Metadata and usage reported so far (Anthropic's message_start) are not the first token.
      if (next.value.type !== 'metadata' && !(next.value.type === 'usage' && next.value.partial)) {
        watchdog.markPart();
        return { iterator, head, close };
      }
    }
  } catch (error: unknown) {
    void iterator.return?.(undefined)?.catch(() => undefined);
    throw error;
  }
}
