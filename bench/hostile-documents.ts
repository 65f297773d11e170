/**
 * What the hostile document costs the gateway: 20 POSTs of a 1 MB
 * `{ models @include(if: true) ×N { id } }`, anonymous and with a key. Prints the gateway
 * process's CPU time per request and the heap it still holds afterwards (after a full GC).
 *
 *   node --expose-gc --import tsx bench/hostile-documents.ts
 */
import { parseConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/create-logger.js';
import { createGateway } from '../src/gateway.js';

const KEY = 'sbk_bench-hostile-0123456789abcdef';
const REQUESTS = 20;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function heapMb(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

const config = parseConfig(
  `providers: [{ id: local, type: local }]\nauth: { keys: [{ id: bench, secret: "${KEY}", scopes: [models] }] }\n`,
  'bench',
  {},
);
const gateway = await createGateway({ config, logger: createLogger({ level: 'silent' }) });
const url = await gateway.listen(0, '127.0.0.1');

for (const [label, headers] of [
  ['anonymous', {}],
  ['with a key', { authorization: `Bearer ${KEY}` }],
] as const) {
  const before = heapMb();
  const cpu = process.cpuUsage();
  for (let index = 0; index < REQUESTS; index++) {
    // Each document differs, as an attacker's would, so no cache can answer it.
    const query = `{ models ${'@include(if: true) '.repeat(55_000)}{ id } } # ${label} ${index}`;
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
    if (index === 0) console.log(`${label}: HTTP ${response.status} ${(await response.text()).slice(0, 120)}`);
    else await response.arrayBuffer();
  }
  const used = process.cpuUsage(cpu);
  const after = heapMb();
  console.log(
    `${label}: ${((used.user + used.system) / 1000 / REQUESTS).toFixed(1)} ms CPU per request (client included), heap retained after ${REQUESTS}: ${(after - before).toFixed(1)} MB`,
  );
}
await gateway.stop();
