import { GraphQLError, GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, type ExecutionResult } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { onEveryEvent, onStreamEnd, onStreamError } from '../../src/execution/event-hooks.js';
import { maskGatewayError } from '../../src/errors/mask-gateway-error.js';
import { useCompiledSubscriptions } from '../../src/plugins/use-compiled-subscriptions.js';
import { createMasking, useErrorMasking } from '../../src/plugins/use-error-masking.js';

const SECRET = 'password=hunter2 at db.internal';

const Tick = new GraphQLObjectType({
  name: 'Tick',
  fields: {
    n: { type: new GraphQLNonNull(GraphQLInt) },
    // An event whose field fails: an unexpected error (masked) or a coded one (kept).
    note: {
      type: GraphQLString,
      resolve: (tick: { n: number }) => {
        if (tick.n === 2) throw new Error(SECRET);
        if (tick.n === 3) throw new GraphQLError('Slow down.', { extensions: { code: 'RATE_LIMITED' } });
        return `tick ${tick.n}`;
      },
    },
  },
});

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      ok: { type: GraphQLString, resolve: () => { throw new Error(SECRET); } },
    },
  }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      ticks: {
        type: Tick,
        args: { failAfter: { type: GraphQLInt } },
        subscribe: async function* (_root: unknown, args: { failAfter?: number | null }) {
          for (let n = 1; n <= 4; n++) {
            if (args.failAfter === n) throw new Error(SECRET);
            yield { n };
          }
        },
        resolve: (tick: unknown) => tick,
      },
    },
  }),
});

/** A Yoga over the test schema, masking as the gateway does (ours) or with Yoga's own masking plugin. */
function yogaWith(masking: 'ours' | 'yoga') {
  const logged: unknown[] = [];
  const hosted: boolean[] = [];
  const seen: ExecutionResult[] = [];
  // A plugin with per-event work, as metrics has.
  const watcher: Plugin = {
    onSubscribe: () => ({
      onSubscribeResult({ result }) {
        const onNext = onEveryEvent(result, (event) => {
          seen.push(event);
        });
        hosted.push(onNext === undefined);
        return onNext;
      },
    }),
  };
  const options = createMasking(maskGatewayError, (error) => logged.push(error));
  const yoga = createYoga({
    schema,
    logging: false,
    maskedErrors: masking === 'ours' ? false : { maskError: maskGatewayError },
    plugins: [useCompiledSubscriptions(), watcher, ...(masking === 'ours' ? [useErrorMasking(options)] : [])],
  });
  return { yoga, logged, hosted, seen };
}

async function ask(yoga: ReturnType<typeof createYoga>, query: string, accept = 'text/event-stream'): Promise<{ status: number; text: string }> {
  const response = await yoga.fetch('http://gateway/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, text: await response.text() };
}

describe('per-event hooks of a compiled subscription', () => {
  it('run inside the stream (no envelop wrapper), once per event, and mask as Yoga does', async () => {
    const ours = yogaWith('ours');
    const yoga = yogaWith('yoga');
    for (const query of ['subscription { ticks { n note } }', 'subscription { ticks(failAfter: 3) { n note } }', '{ ok }']) {
      const accept = query.startsWith('{') ? 'application/json' : 'text/event-stream';
      const mine = await ask(ours.yoga, query, accept);
      const theirs = await ask(yoga.yoga, query, accept);
      expect(mine).toEqual(theirs);
      expect(mine.text).not.toContain('hunter2');
    }
    // The stream of the first query: masked, coded error kept, every event seen by the watcher.
    const first = await ask(ours.yoga, 'subscription { ticks { n note } }');
    expect(first.text).toContain('"message":"Unexpected error."');
    expect(first.text).toContain('"code":"RATE_LIMITED"');
    // Compiled streams hosted the watcher's hook: envelop got no onNext from it.
    expect(ours.hosted.every(Boolean)).toBe(true);
    expect(ours.hosted.length).toBeGreaterThan(0);
    // Every event of the three streams (4, 2 before the failure, 4), once each.
    expect(ours.seen.length).toBe(4 + 2 + 4);
    // The unexpected errors were logged (as Yoga's masking logs them), the coded one was not.
    expect(ours.logged.every((error) => error instanceof Error && error.message === SECRET)).toBe(true);
    expect(ours.logged.length).toBeGreaterThanOrEqual(3);
  });

  it('fall back to onNext for a stream that is not compiled', async () => {
    async function* plain() {
      yield { data: { n: 1 } } as ExecutionResult;
    }
    const replaced: ExecutionResult = { data: { n: 2 } };
    const onNext = onEveryEvent(plain(), () => replaced);
    expect(onNext).toBeDefined();
    let result: ExecutionResult = { data: { n: 1 } };
    onNext?.onNext({ result, setResult: (next) => (result = next) });
    expect(result).toBe(replaced);
  });
});

/**
 * A plugin watching how streams end, three ways: through onStreamEnd/onStreamError on a compiled
 * subscription (hosted), the same on graphql-tools' stream (envelop's onEnd, a wrapper), and
 * envelop's own onEnd/onSubscribeError (the reference). Error hooks replace the error, so the
 * order of the two hooks shows in the answer.
 */
function endWatcher(way: 'hosted' | 'fallback' | 'envelop') {
  const log: string[] = [];
  const hosted: boolean[] = [];
  const plugins: Plugin[] = [1, 2].map((id) =>
    way === 'envelop'
      ? {
          onSubscribe: () => ({
            onSubscribeResult: () => ({ onEnd: () => void log.push(`end ${id}`) }),
            onSubscribeError({ error, setError }) {
              log.push(`error ${id}: ${(error as Error).message}`);
              setError(new Error(`${(error as Error).message} (seen by ${id})`));
            },
          }),
        }
      : {
          onSubscribe: () => ({
            onSubscribeResult({ result, setResult }) {
              onStreamError(
                result,
                (error) => {
                  log.push(`error ${id}: ${(error as Error).message}`);
                  return new Error(`${(error as Error).message} (seen by ${id})`);
                },
                setResult,
              );
              const end = onStreamEnd(result, () => void log.push(`end ${id}`));
              hosted.push(end === undefined);
              return end;
            },
          }),
        },
  );
  const yoga = createYoga({ schema, logging: false, maskedErrors: false, plugins: [...(way === 'hosted' ? [useCompiledSubscriptions()] : []), ...plugins] });
  return { yoga, log, hosted };
}

/** Reads the first event of a stream, then leaves. */
async function leaveAfterFirst(yoga: ReturnType<typeof createYoga>): Promise<string> {
  const response = await yoga.fetch('http://gateway/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query: 'subscription { ticks { n } }' }),
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let text = '';
  while (!text.includes('"n":1')) text += new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();
  await new Promise((resolve) => setTimeout(resolve, 20));
  return text;
}

describe('end and error hooks of a compiled subscription', () => {
  it('run as envelop runs onEnd and onSubscribeError: once, in order, with the error replaced', async () => {
    const ways = (['hosted', 'fallback', 'envelop'] as const).map(endWatcher);
    const runs = await Promise.all(
      ways.map(async ({ yoga, log }) => {
        const complete = await ask(yoga, 'subscription { ticks { n } }');
        const failing = await ask(yoga, 'subscription { ticks(failAfter: 3) { n } }');
        const left = await leaveAfterFirst(yoga);
        return { complete, failing, left: left.includes('"n":1'), log: [...log] };
      }),
    );
    const [hosted, fallback, envelop] = runs;
    expect(envelop?.log).toEqual(['end 1', 'end 2', 'error 1: ' + SECRET, 'error 2: ' + SECRET + ' (seen by 1)', 'end 1', 'end 2', 'end 1', 'end 2']);
    expect(envelop?.failing.text).toContain('(seen by 1) (seen by 2)');
    expect(hosted).toEqual(envelop);
    expect(fallback).toEqual(envelop);
    // The compiled streams ran the hooks themselves; graphql-tools' streams got envelop's onEnd.
    expect(ways[0]?.hosted.every(Boolean)).toBe(true);
    expect(ways[1]?.hosted.some(Boolean)).toBe(false);
  });
});
