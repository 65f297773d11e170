import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

const running: RunningGateway[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((gw) => gw.stop()));
});

async function start(yaml?: string) {
  const gw = await startGateway(yaml);
  running.push(gw);
  return gw;
}

interface IncrementalPayload {
  data?: Record<string, unknown> | null;
  items?: unknown[];
  path?: (string | number)[];
  label?: string;
  errors?: unknown[];
}

/** One part of a GraphQL incremental-delivery response (initial or subsequent). */
interface Part {
  data?: Record<string, unknown> | null;
  incremental?: IncrementalPayload[];
  errors?: unknown[];
  hasNext?: boolean;
}

/** The boundary named in a `multipart/mixed; boundary=...` content type (quoted or not). */
function boundaryOf(contentType: string): string {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new Error(`no boundary in content-type ${JSON.stringify(contentType)}`);
  return boundary;
}

/**
 * Reads a `multipart/mixed` body part by part as it arrives (RFC 2046): each delimiter is
 * CRLF + `--boundary` (the first may open the body), the last one is followed by `--`.
 * A part is yielded as soon as the delimiter after it has arrived; its headers end at the
 * first blank line and its body is JSON (which cannot hold a raw CRLF, so no false match).
 */
async function* readMultipart(response: Response): AsyncGenerator<Part> {
  const boundary = boundaryOf(response.headers.get('content-type') ?? '');
  const delimiter = `\r\n--${boundary}`;
  if (!response.body) throw new Error('no response body');
  const decoder = new TextDecoder();
  // A CRLF in front, so a delimiter that opens the body matches like the others.
  let buffer = '\r\n';
  let opened = false;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let at = buffer.indexOf(delimiter); at !== -1; at = buffer.indexOf(delimiter)) {
      const segment = buffer.slice(0, at);
      const rest = buffer.slice(at + delimiter.length);
      // Opening delimiter: what was before it is the preamble.
      if (opened) {
        const headerEnd = segment.indexOf('\r\n\r\n');
        const body = (headerEnd === -1 ? segment : segment.slice(headerEnd + 4)).trim();
        if (body) yield JSON.parse(body) as Part;
      }
      opened = true;
      if (rest.startsWith('--')) return; // close delimiter: the epilogue is ignored
      buffer = rest;
    }
  }
  throw new Error('multipart body ended without a close delimiter');
}

async function postMultipart(url: string, query: string): Promise<Response> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed' },
    body: JSON.stringify({ query }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^multipart\/mixed/);
  return response;
}

describe('@defer and @stream over HTTP multipart', () => {
  it('sends the deferred fragment in a later part, after the initial payload', async () => {
    const gw = await start();
    const response = await postMultipart(
      gw.url,
      `query Deferred {
        routes { id }
        ... @defer(label: "catalog") { models { id health { state } } }
      }`,
    );
    const parts: Part[] = [];
    for await (const part of readMultipart(response)) parts.push(part);

    expect(parts.length).toBeGreaterThanOrEqual(2);
    const [initial, ...later] = parts;
    expect(initial?.errors).toBeUndefined();
    expect(initial?.hasNext).toBe(true);
    expect(initial?.data).toHaveProperty('routes');
    expect(Array.isArray(initial?.data?.routes)).toBe(true);
    // Not in the initial payload: it comes with the deferred fragment.
    expect(initial?.data).not.toHaveProperty('models');

    const deferred = later.flatMap((part) => part.incremental ?? []);
    expect(deferred).toHaveLength(1);
    expect(deferred[0]).toMatchObject({ path: [], label: 'catalog' });
    const models = deferred[0]?.data?.models as { id: string; health: { state: string } }[];
    expect(models.map((model) => model.id)).toEqual(['local/echo', 'local/lorem', 'local/tools', 'local/vision', 'local/think', 'local/embed']);
    for (const model of models) expect(model.health.state).toBe('CLOSED');
    expect(later.at(-1)?.hasNext).toBe(false);
  });

  it('also defers an inline fragment inside a list item', async () => {
    const gw = await start();
    const response = await postMultipart(gw.url, `{ models { id ... @defer { health { state } } } }`);
    const parts: Part[] = [];
    for await (const part of readMultipart(response)) parts.push(part);
    const [initial, ...later] = parts;
    expect((initial?.data?.models as { id: string }[]).map((model) => model.id)).toEqual(['local/echo', 'local/lorem', 'local/tools', 'local/vision', 'local/think', 'local/embed']);
    expect((initial?.data?.models as Record<string, unknown>[])[0]).not.toHaveProperty('health');
    const paths = later.flatMap((part) => part.incremental ?? []).map((payload) => payload.path);
    expect(paths).toEqual(expect.arrayContaining([['models', 0], ['models', 1], ['models', 2]]));
    expect(later.at(-1)?.hasNext).toBe(false);
  });

  it('streams a list field: initialCount items first, the others as incremental items', async () => {
    const gw = await start();
    const response = await postMultipart(gw.url, `query Streamed { models @stream(initialCount: 1) { id } }`);
    const parts: Part[] = [];
    for await (const part of readMultipart(response)) parts.push(part);

    const [initial, ...later] = parts;
    expect(initial?.errors).toBeUndefined();
    expect(initial?.hasNext).toBe(true);
    expect(initial?.data).toEqual({ models: [{ id: 'local/echo' }] });
    const streamed = later.flatMap((part) => part.incremental ?? []);
    expect(streamed.length).toBeGreaterThanOrEqual(1);
    for (const payload of streamed) expect(payload.path?.[0]).toBe('models');
    const items = streamed.flatMap((payload) => payload.items ?? []) as { id: string }[];
    expect(items.map((item) => item.id)).toEqual(['local/lorem', 'local/tools', 'local/vision', 'local/think', 'local/embed']);
    expect(later.at(-1)?.hasNext).toBe(false);
  });

  it('sends the same increments over SSE and refuses a JSON-only client (406) rather than flattening', async () => {
    const gw = await start();
    const query = '{ routes { id } ... @defer { models { id } } }';
    const request = (accept: string) =>
      fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify({ query }) });

    // First, before the query cache holds this operation (a hit is one whole result, see below).
    expect((await request('application/graphql-response+json, application/json')).status).toBe(406);

    const sse = await request('text/event-stream');
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await sse.text())
      .split('\n')
      .filter((line) => line.startsWith('data: {'))
      .map((line) => JSON.parse(line.slice('data: '.length)) as Part);
    expect(events[0]).toEqual({ data: { routes: [{ id: 'demo' }] }, hasNext: true });
    expect(events.at(-1)).toMatchObject({ incremental: [{ path: [], data: { models: [{ id: 'local/echo' }, { id: 'local/lorem' }, { id: 'local/tools' }, { id: 'local/vision' }, { id: 'local/think' }, { id: 'local/embed' }] } }], hasNext: false });
  });

  it('answers a repeated deferred query from the query cache in one whole part', async () => {
    const gw = await start();
    const query = '{ routes { id } ... @defer { models { id } } }';
    const first: Part[] = [];
    for await (const part of readMultipart(await postMultipart(gw.url, query))) first.push(part);
    expect(first.length).toBeGreaterThanOrEqual(2);
    // The cache stored the merged result: a hit skips execution, so nothing is left to defer.
    const again: Part[] = [];
    for await (const part of readMultipart(await postMultipart(gw.url, query))) again.push(part);
    expect(again).toEqual([{ data: { routes: [{ id: 'demo' }], models: [{ id: 'local/echo' }, { id: 'local/lorem' }, { id: 'local/tools' }, { id: 'local/vision' }, { id: 'local/think' }, { id: 'local/embed' }] } }]);
  });

  it('rejects @defer on a mutation root field and @stream on a non-list field', async () => {
    const gw = await start();
    const errorsOf = async (query: string) => {
      const response = await fetch(gw.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query }),
      });
      return ((await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] }).errors ?? [];
    };
    const rootDefer = await errorsOf('mutation { ... @defer { chat(input: { model: "local/echo", messages: [{ role: USER, content: "x" }] }) { id } } }');
    expect(rootDefer).toMatchObject([{ message: expect.stringMatching(/Defer directive cannot be used on root mutation/), extensions: { code: 'BAD_USER_INPUT' } }]);
    const scalarStream = await errorsOf('{ models { id @stream } }');
    expect(scalarStream).toMatchObject([{ message: expect.stringMatching(/Stream directive cannot be used on non-list field "id"/) }]);
  });
});
