/**
 * µs per subscription event: graphql-tools' executor (what Yoga runs), graphql-js `subscribe`,
 * graphql-jit (when installed: `npm i --no-save graphql-jit@0.8.9`) and the compiled plan
 * (src/execution/), on the gateway schema with the README's chatStream selection.
 *
 *   npx tsx bench/compiled-events.ts [events=20000] [rounds=5]
 */
import { parse, subscribe as graphqlSubscribe, type ExecutionArgs } from 'graphql';
import { createPrincipal } from '../src/auth/principal.js';
import { compileSubscribe } from '../src/execution/compiled-subscribe.js';
import { executor } from '../src/execution/executor-utils.js';
import { buildSchema } from '../src/schema/build-schema.js';
import { createCallRegistry } from '../src/services/call-registry.js';

const EVENTS = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const schema = buildSchema();
const document = parse(`subscription Stream {
  chatStream(input: { model: "local/lorem", maxTokens: 40, messages: [{ role: USER, content: "Write something" }] }) {
    delta
    done
    finishReason
    usage { totalTokens }
  }
}`);
const delta = { id: 'c1', model: 'm', provider: 'p', delta: 'token', toolCallDeltas: null, finishReason: null, usage: null, attempts: null, cached: null, done: false };
const last = { ...delta, delta: null, finishReason: 'stop', usage: { promptTokens: 3, completionTokens: 50, totalTokens: 53, costUsd: null, estimated: false }, done: true };

function context() {
  return {
    principal: createPrincipal({ kind: 'anonymous', keyId: 'anonymous', scopes: new Set(['chat']), models: [], limits: {} as never }),
    calls: createCallRegistry(),
    requestId: 'bench',
    chat: {
      async *stream() {
        for (let i = 1; i < EVENTS; i++) yield delta;
        yield last;
      },
    },
  };
}

type Subscribe = (args: ExecutionArgs) => unknown;

/** µs per event over one whole stream of EVENTS events, and the last result (to check they agree). */
async function run(subscribe: Subscribe): Promise<{ micros: number; last: unknown }> {
  const started = performance.now();
  const stream = (await subscribe({ schema, document, contextValue: context() })) as AsyncIterable<unknown>;
  if (!(Symbol.asyncIterator in (stream as object))) throw new Error(`${subscribe.name}: not a stream: ${JSON.stringify(stream)}`);
  let result: unknown;
  for await (const each of stream) result = each;
  return { micros: ((performance.now() - started) * 1000) / EVENTS, last: result };
}

/**
 * graphql-jit's own `subscribe` (0.8.9) answers this subscription with an error (its root field gets no
 * `input` argument, inline or as a variable), so it is measured per event: the source stream mapped
 * through its compiled `query(payload)`, which is what its subscribe does for each event.
 */
async function jitSubscribe(): Promise<Subscribe | undefined> {
  let jit: { compileQuery: (...args: unknown[]) => { query: (root: unknown, context: unknown, variables: unknown) => unknown } };
  try {
    jit = (await import('graphql-jit' as string)) as typeof jit;
  } catch {
    return undefined;
  }
  const compiled = jit.compileQuery(schema, document, 'Stream');
  return async (args) => {
    const source = (args.contextValue as ReturnType<typeof context>).chat.stream();
    return (async function* () {
      for await (const event of source) yield await compiled.query(event, args.contextValue, {});
    })();
  };
}

const candidates: Array<[string, Subscribe]> = [
  ['graphql-tools executor (Yoga today)', executor.normalizedExecutor as Subscribe],
  ['graphql-js subscribe', graphqlSubscribe as Subscribe],
  ['compiled plan', compileSubscribe(executor.normalizedExecutor as Subscribe)],
];
const jit = await jitSubscribe();
if (jit) candidates.splice(2, 0, ['graphql-jit 0.8.9', jit]);
else console.log('graphql-jit: not installed (npm i --no-save graphql-jit@0.8.9 to compare)');

const best = new Map<string, number>();
const reference = JSON.stringify((await run(candidates[0]![1])).last);
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, subscribe] of candidates) {
    const { micros, last: result } = await run(subscribe);
    if (JSON.stringify(result) !== reference) console.log(`${name}: last event differs: ${JSON.stringify(result)}`);
    best.set(name, Math.min(best.get(name) ?? Infinity, micros));
  }
}
const base = best.get(candidates[0]![0])!;
console.log(`µs per event, best of ${ROUNDS} rounds of ${EVENTS} events (same process, interleaved):`);
for (const [name, micros] of best) console.log(`  ${name.padEnd(38)} ${micros.toFixed(2).padStart(7)} µs  (${(micros / base).toFixed(2)}×)`);
