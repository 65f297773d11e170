import type { ExecutionResult } from 'graphql';

/** Work on each event of a subscription; a returned result replaces the event. */
export type EventHook = (event: ExecutionResult) => ExecutionResult | void;

/** The onNext hook envelop calls per event, for a stream that cannot take the work itself. */
interface OnNext {
  onNext(payload: { result: ExecutionResult; setResult: (result: ExecutionResult) => void }): void;
}

const HOOKS = Symbol('switchboard.eventHooks');

/** A stream that runs its subscribers' per-event hooks itself (the compiled subscription's events). */
interface HookedStream {
  [HOOKS]: EventHook[];
}

function isHookedStream(stream: unknown): stream is HookedStream {
  return typeof stream === 'object' && stream !== null && HOOKS in stream;
}

/** Marks `stream` as running its own per-event hooks; returns the list it runs, in order, after each event is executed. */
export function hostEventHooks(stream: object): EventHook[] {
  const hooks: EventHook[] = [];
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
    stream[HOOKS].push(hook);
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
export function runEventHooks(hooks: EventHook[], event: ExecutionResult): ExecutionResult {
  let result = event;
  for (const hook of hooks) result = hook(result) ?? result;
  return result;
}
