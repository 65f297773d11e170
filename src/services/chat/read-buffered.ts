import { isBufferedPartStream, type BufferedPartStream } from '../../providers/http/stream-upstream.js';
import type { ChatStreamPart } from '../../providers/contract.js';

/**
 * A reader over a stream of parts that can tell what the source already has
 * buffered from what still needs I/O. `drainBuffered(fold)` folds in, one by one,
 * the parts that settle before the next turn of the event loop (setImmediate);
 * a part `fold` refuses, or one still pending at that turn, is kept for the next
 * `next()`. So no part is lost, reordered, or read while another read is pending.
 */
export interface BufferedReader<T> {
  /** The next part: the one kept from a drain, or a fresh read. */
  next(): Promise<IteratorResult<T>>;
  /**
   * Folds buffered parts while `fold` accepts them (returns true); done (or resolved)
   * once a part is refused, the source ends or fails, or a read is still pending at
   * the next turn. A source that knows what it holds answers synchronously.
   */
  drainBuffered(fold: (part: T) => boolean): Promise<void> | void;
  /** True while a read is pending or kept: leaving now must abort the source (return() would wait for it). */
  readonly holding: boolean;
  /** Drops the outcome of a pending or kept read (the consumer is leaving). */
  abandon(): void;
}

/** Wraps `iterator`; the callbacks are made once per stream, so a buffered part costs one next() and one then(). */
export function readBuffered<T>(iterator: AsyncIterator<T>): BufferedReader<T> {
  // A read whose part is not handled yet: still pending at the turn, or the one that ended a drain.
  let inflight: Promise<IteratorResult<T>> | undefined;
  let fold: ((part: T) => boolean) | undefined;
  /** Set while draining: resumes the consumer. */
  let drained: (() => void) | undefined;
  let turn: NodeJS.Immediate | undefined;

  const endDrain = () => {
    const resume = drained;
    if (!resume) return;
    drained = undefined;
    fold = undefined;
    clearImmediate(turn);
    resume();
  };
  const onRead = (next: IteratorResult<T>) => {
    // Settled only after the turn: the drain is over, and this read is the next round's.
    if (!drained || !fold) return;
    try {
      if (next.done || !fold(next.value)) endDrain();
      else readAhead();
    } catch (error: unknown) {
      // Not expected (a malformed part); fail the stream next round rather than leave it hanging.
      const failed = Promise.reject(error);
      failed.catch(() => undefined);
      inflight = failed;
      endDrain();
    }
  };
  const readAhead = () => {
    inflight = iterator.next();
    // A failure ends the drain too: what was folded goes out first, and the next round rethrows.
    void inflight.then(onRead, endDrain);
  };

  return {
    next() {
      const pending = inflight ?? iterator.next();
      inflight = undefined;
      return pending;
    },
    drainBuffered(accept) {
      return new Promise<void>((resolve) => {
        drained = resolve;
        fold = accept;
        turn = setImmediate(endDrain);
        readAhead();
      });
    },
    get holding() {
      return inflight !== undefined;
    },
    abandon() {
      void inflight?.catch(() => undefined);
    },
  };
}

/**
 * The reader for an upstream stream: an HTTP adapter's stream hands over the parts it
 * has already decoded synchronously (no turn of the loop per part); any other source
 * (the local provider, a test's) is read ahead through `readBuffered`.
 */
export function readerOf(iterator: AsyncIterator<ChatStreamPart>): BufferedReader<ChatStreamPart> {
  return isBufferedPartStream(iterator) ? new DirectReader(iterator) : readBuffered(iterator);
}

/** A class, so an open stream holds one small object here, not an object of closures. */
class DirectReader implements BufferedReader<ChatStreamPart> {
  constructor(private readonly stream: BufferedPartStream) {}

  next(): Promise<IteratorResult<ChatStreamPart>> {
    return this.stream.next();
  }

  drainBuffered(fold: (part: ChatStreamPart) => boolean): void {
    this.stream.drainBuffered(fold);
  }

  /** Its return() never waits for the network. */
  get holding(): boolean {
    return false;
  }

  abandon(): void {}
}
