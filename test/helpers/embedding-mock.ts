import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A vector the mock derives from the text, so a vector given to the wrong input shows. */
export function fakeVector(text: string): number[] {
  let sum = 0;
  for (const char of text) sum += char.codePointAt(0) ?? 0;
  return [text.length, sum, text.codePointAt(0) ?? 0, text.codePointAt(text.length - 1) ?? 0];
}

/** Tokens the OpenAI mock reports for some inputs: one per character, plus one per input. */
export function fakeTokens(inputs: readonly string[]): number {
  return inputs.reduce((sum, text) => sum + text.length + 1, 0);
}

export interface EmbeddingMockRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A real HTTP server speaking OpenAI `/embeddings` and Gemini `:batchEmbedContents`. */
export interface EmbeddingMock {
  origin: string;
  readonly requests: EmbeddingMockRequest[];
  /** Statuses (with JSON error bodies) for the next requests, in order; afterwards it answers normally. */
  failNext(...statuses: number[]): void;
  /** When true, OpenAI answers list `data` in reverse order (with the right `index`es). */
  reverseOpenAIData: boolean;
  close(): Promise<void>;
}

export async function startEmbeddingMock(): Promise<EmbeddingMock> {
  const requests: EmbeddingMockRequest[] = [];
  let failures: number[] = [];
  const state = { reverseOpenAIData: false };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as Record<string, unknown> | null;
      requests.push({ path, headers: req.headers, body });
      const status = failures.shift();
      if (status !== undefined) {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `mock error ${status}` } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      if (path.endsWith('/embeddings')) {
        const inputs = (body?.input ?? []) as string[];
        const data = inputs.map((text, index) => ({ object: 'embedding', index, embedding: fakeVector(text) }));
        if (state.reverseOpenAIData) data.reverse();
        res.end(JSON.stringify({ object: 'list', data, model: body?.model, usage: { prompt_tokens: fakeTokens(inputs), total_tokens: fakeTokens(inputs) } }));
        return;
      }
      if (path.endsWith(':batchEmbedContents')) {
        const list = (body?.requests ?? []) as { content: { parts: { text: string }[] } }[];
        res.end(JSON.stringify({ embeddings: list.map((entry) => ({ values: fakeVector(entry.content.parts.map((part) => part.text).join('')) })) }));
        return;
      }
      res.end(JSON.stringify({ error: { message: `no route ${path}` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    failNext(...statuses) {
      failures = statuses;
    },
    get reverseOpenAIData() {
      return state.reverseOpenAIData;
    },
    set reverseOpenAIData(value: boolean) {
      state.reverseOpenAIData = value;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
