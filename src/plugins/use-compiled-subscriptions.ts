import type { Plugin } from 'graphql-yoga';
import type { ExecutionArgs } from 'graphql';
import { compileSubscribe, type SubscriptionPath } from '../execution/compiled-subscribe.js';

/**
 * Executes each subscription event with a plan compiled from the operation's selection set
 * (see src/execution/), instead of a full graphql-tools execution per event. Arguments are
 * coerced once per subscription; the per-event path is synchronous. The result is the same
 * (test/unit/compiled-subscribe.test.ts compares both), so every other plugin's hooks —
 * onSubscribeResult, onNext, onEnd — see exactly what they saw before. Plugins whose
 * per-event, end and error work goes through `onEveryEvent`, `onStreamEnd` and `onStreamError`
 * (error masking, metrics, the operation log) run it inside the compiled stream, so envelop
 * puts no wrapper (a promise per event) around it.
 *
 * Place it before any plugin that wraps the subscribe function (tracing), so they wrap this one.
 */
export function useCompiledSubscriptions(options: {
  /** Told which engine took each subscription (`switchboard_subscriptions_total{engine}`). */
  onPath?: (path: SubscriptionPath) => void;
} = {}): Plugin {
  const wrapped = new WeakMap<object, (args: ExecutionArgs) => unknown>();
  return {
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      // One compiled wrapper per engine subscribe function (Yoga has one), not per operation.
      let compiled = wrapped.get(subscribeFn);
      if (!compiled) wrapped.set(subscribeFn, (compiled = compileSubscribe(subscribeFn as (args: ExecutionArgs) => unknown, options.onPath)));
      setSubscribeFn(compiled as typeof subscribeFn);
    },
  };
}
