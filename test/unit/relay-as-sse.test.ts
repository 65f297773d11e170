import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/create-logger.js';
import { relayAsSse, type SseRenderer } from '../../src/rest/relay-as-sse.js';
import type { RestContext } from '../../src/rest/rest-context.js';
import type { ChatStreamEvent } from '../../src/services/chat-types.js';

const EVENTS = 400;
const DELTA = 'x'.repeat(65_536); // 400 events: 26 MB, more than a paused client's socket takes

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

const renderer: SseRenderer = {
  frames: (event) => [`data: ${event.delta ?? ''}\n\n`],
  end: () => ['data: [DONE]\n\n'],
  fail: () => [],
};

describe('relayAsSse (/v1 streams)', () => {
  it('pulls the next event only once the client has taken the last one, and delivers them all', async () => {
    let pulled = 0;
    async function* events(): AsyncGenerator<ChatStreamEvent> {
      for (let index = 0; index < EVENTS; index++) {
        pulled++;
        yield { delta: DELTA } as ChatStreamEvent;
      }
    }
    const listening = createServer((_req, res) => {
      const context = { res, requestId: 'relay-test', logger: createLogger({ level: 'silent' }) } as unknown as RestContext;
      void relayAsSse(context, events(), renderer, () => undefined);
    });
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const { port } = listening.address() as AddressInfo;
    const response = await new Promise<IncomingMessage>((resolve, reject) => request({ port, host: '127.0.0.1' }, resolve).on('error', reject).end());
    response.pause(); // a client that does not read

    // Wait until the relay stops pulling (or has pulled everything, which the old relay did at once).
    let seen = -1;
    while (seen !== pulled && pulled < EVENTS) {
      seen = pulled;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(pulled).toBeLessThan(EVENTS);

    let frames = 0;
    let tail = '';
    response.setEncoding('utf8').on('data', (text: string) => {
      const all = tail + text;
      const parts = all.split('\n\n');
      tail = parts.pop() ?? '';
      frames += parts.length;
    });
    response.resume();
    await new Promise((resolve) => response.on('end', resolve));
    expect(pulled).toBe(EVENTS);
    expect(frames).toBe(EVENTS + 1); // and [DONE]
  });
});
