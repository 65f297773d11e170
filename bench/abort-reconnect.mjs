// Reproduces, with undici alone, what a cancelled stream costs the provider's pool: aborting
// requests whose answers are still streaming makes undici open one new connection per request,
// which never carries one. Run: node bench/abort-reconnect.mjs [dispatch|request] [N]
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const mode = process.argv[2] ?? 'request';
const streams = Number(process.argv[3] ?? 20);
let open = 0;
let accepted = 0;
let requests = 0;
const server = createServer((req, res) => {
  requests++;
  req.resume();
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write('data: 1\n\n');
});
server.on('connection', (socket) => {
  open++;
  accepted++;
  socket.on('close', () => open--);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const dispatcher = new Agent({ keepAliveTimeout: 30_000 });

/** Starts one streaming request; resolves with its abort once its first bytes arrived. */
async function startStream() {
  const controller = new AbortController();
  if (mode === 'request') {
    const { body } = await request(`${origin}/`, { dispatcher, method: 'POST', body: '{}', signal: controller.signal });
    body.on('error', () => undefined);
    await new Promise((resolve) => body.once('data', resolve));
  } else {
    await new Promise((resolve) =>
      dispatcher.dispatch({ origin, path: '/', method: 'POST', body: '{}' }, {
        onRequestStart: (handle) => controller.signal.addEventListener('abort', () => handle.abort(new Error('cancelled'))),
        onResponseStart: () => undefined,
        onResponseData: () => resolve(),
        onResponseEnd: () => undefined,
        onResponseError: () => undefined,
      }),
    );
  }
  return () => controller.abort();
}

const aborts = await Promise.all(Array.from({ length: streams }, startStream));
console.log(`${mode}: ${streams} streams open on ${accepted} connections`);
for (const abort of aborts) abort();
await new Promise((resolve) => setTimeout(resolve, 500));
console.log(`${mode}: 500 ms after aborting them: ${accepted} connections accepted in all, ${open} open, ${requests} requests`);
await dispatcher.close();
server.close();
