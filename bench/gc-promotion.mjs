// What V8's young-generation GC (the scavenger) cannot free on Node 20, shown in isolation.
// Each case makes 300,000 short-lived objects of one kind, keeping only the last, in a child
// process run with --trace-gc-nvp; the figure is how many bytes the scavenges promoted to the
// old generation (garbage that then waits for a full GC, and the copying it took to get there).
//
//   node bench/gc-promotion.mjs
//
// Cases:
//   object           a plain object holding an array                           (baseline)
//   weakmap          the same, as a WeakMap key, the value not pointing back   (freed by scavenges)
//   weakmap-cycle    a WeakMap value that points back at its key               (promoted: a per-request
//                    cache keyed by the context and holding it, as @pothos/plugin-scope-auth's did)
//   abort-signal     an AbortController and its signal                        (promoted on Node 20)
//   abort-controller an AbortController whose signal is never read            (Node creates it lazily)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROUNDS = 300_000;
const cases = ['object', 'weakmap', 'weakmap-cycle', 'abort-signal', 'abort-controller'];

async function run(kind) {
  const map = new WeakMap();
  let last;
  for (let index = 0; index < ROUNDS; index++) {
    const made = { items: new Array(32).fill(index) };
    if (kind === 'weakmap') map.set(made, { value: new Array(8).fill(index) });
    else if (kind === 'weakmap-cycle') map.set(made, { owner: made, value: new Array(8).fill(index) });
    else if (kind === 'abort-signal') last = new AbortController().signal;
    else if (kind === 'abort-controller') last = new AbortController();
    if (kind === 'object' || kind.startsWith('weakmap')) last = made;
    // Let the event loop turn now and then, as a server does.
    if (index % 1_000 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return last;
}

if (process.argv[2]) {
  await run(process.argv[2]);
} else {
  const self = fileURLToPath(import.meta.url);
  console.log('| case | scavenges | allocated | promoted | promoted per object |');
  console.log('|---|---:|---:|---:|---:|');
  for (const kind of cases) {
    const trace = execFileSync(process.execPath, ['--trace-gc-nvp', self, kind], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    let scavenges = 0;
    let allocated = 0;
    let promoted = 0;
    for (const line of trace.split('\n')) {
      if (!line.includes('gc=s ')) continue;
      scavenges++;
      allocated += Number(/ allocated=(\d+)/.exec(line)?.[1] ?? 0);
      promoted += Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0);
    }
    const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
    console.log(`| ${kind} | ${scavenges} | ${mb(allocated)} | ${mb(promoted)} | ${Math.round(promoted / ROUNDS)} B |`);
  }
}
