import type { ExecutionResult } from 'graphql';

/** Work on each event of a subscription; a returned result replaces the event. */
export type EventHook = (event: ExecutionResult) => ExecutionResult | void;
/** Sees the error a stream fails with; returns the error to pass on (the same, or a replacement). */
export type ErrorHook = (error: unknown) => unknown;

/** The onNext hook envelop calls per event, for a stream that cannot take the work itself. */
interface OnNext {
  onNext(payload: { result: ExecutionResult; setResult: (result: ExecutionResult) => void }): void;
}

const HOOKS = Symbol('switchboard.eventHooks');

/** What a hosting stream runs for its subscribers: after each event, once it is over, on the error it fails with. */
export interface StreamHooks {
  events: readonly EventHook[];
  ends: readonly (() => void)[];
  errors: readonly ErrorHook[];
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * `list` and `item`, in a new array of that exact length: a first `push` onto `[]` (or a spread)
 * reserves room for 17, and these lists live as long as their stream (~0.4 KB per open stream
 * for the three). `concat` sizes its result exactly.
 */
function appended<T>(list: readonly T[], item: T): readonly T[] {
  return list.concat([item]);
}

/** A stream that runs its subscribers' hooks itself (the compiled subscription's events). */
interface HookedStream {
  [HOOKS]: StreamHooks;
}

function isHookedStream(stream: unknown): stream is HookedStream {
  return typeof stream === 'object' && stream !== null && HOOKS in stream;
}

/**
 * Marks `stream` as running its subscribers' hooks itself; returns the lists it runs, in order:
 * `events` after each event is executed, `ends` once when its last `next()` resolves done or it is
 * left (`return()`), `errors` on the error a `next()` rejects with, as envelop's `onEnd` and
 * `onSubscribeError` would.
 */
export function hostStreamHooks(stream: object): StreamHooks {
  const hooks: StreamHooks = { events: NONE, ends: NONE, errors: NONE };
  (stream as HookedStream)[HOOKS] = hooks;
  return hooks;
}

/**
 * For a plugin's `onSubscribeResult`/`onExecuteDone`: runs `hook` on every event of a
 * streamed result. A compiled subscription runs it inside its own `next()`, so the plugin
 * returns no `onNext` and envelop wraps the stream in nothing per event (its wrapper costs
 * a chain of promises and closures per event per hook); any other stream gets the `onNext`.
 */
export function onEveryEvent(stream: unknown, hook: EventHook): OnNext | undefined {
  if (isHookedStream(stream)) {
    stream[HOOKS].events = appended(stream[HOOKS].events, hook);
    return undefined;
  }
  return {
    onNext({ result, setResult }) {
      const replaced = hook(result);
      if (replaced) setResult(replaced);
    },
  };
}

/** Runs the hooks on one event. */
export function runEventHooks(hooks: readonly EventHook[], event: ExecutionResult): ExecutionResult {
  let result = event;
  for (const hook of hooks) result = hook(result) ?? result;
  return result;
}

/**
 * For `onSubscribeResult`/`onExecuteDone`: `end` runs once the stream is over (its last event, or
 * the consumer leaving). A compiled subscription runs it itself; any other stream gets envelop's
 * `onEnd` (a wrapper with a promise per event).
 */
export function onStreamEnd(stream: unknown, end: () => void): { onEnd: () => void } | undefined {
  if (isHookedStream(stream)) {
    stream[HOOKS].ends = appended(stream[HOOKS].ends, end);
    return undefined;
  }
  return { onEnd: end };
}

/** Runs the error hooks on the error a stream failed with; the error to pass on. */
export function runErrorHooks(hooks: readonly ErrorHook[], error: unknown): unknown {
  let passed = error;
  for (const hook of hooks) passed = hook(passed);
  return passed;
}

/** `stream` with the error its `next()` rejects with passed through `hook` (envelop's errorAsyncIterator, for one hook). */
function withErrorHook(stream: AsyncIterable<ExecutionResult>, hook: ErrorHook): AsyncGenerator<ExecutionResult> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncGenerator<ExecutionResult>;
  const failed = (error: unknown): never => {
    throw hook(error);
  };
  const wrapped: AsyncGenerator<ExecutionResult> = {
    next: () => iterator.next().then(undefined, failed),
    return: (value) => iterator.return?.(value) ?? Promise.resolve({ done: true, value }),
    throw: (error: unknown) => (iterator.throw ? iterator.throw(error) : Promise.reject(error)),
    [Symbol.asyncIterator]: () => wrapped,
  };
  return wrapped;
}

/**
 * For `onSubscribeResult`, instead of `onSubscribeError`: `hook` sees, and may replace, the error
 * the stream fails with. A compiled subscription runs it itself; any other stream is wrapped
 * (through `setResult`). Hooks run in the order they were added, as envelop's do.
 */
export function onStreamError(stream: unknown, hook: ErrorHook, setResult: (stream: AsyncGenerator<ExecutionResult>) => void): void {
  if (isHookedStream(stream)) stream[HOOKS].errors = appended(stream[HOOKS].errors, hook);
  else if (typeof stream === 'object' && stream !== null && Symbol.asyncIterator in stream) setResult(withErrorHook(stream as AsyncIterable<ExecutionResult>, hook));
}
