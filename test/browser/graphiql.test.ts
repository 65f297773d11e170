import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page, type Request, type WebSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { startWireMock, type WireMock } from '../helpers/wire-mock.js';
import { openaiFormat } from '../providers/wire/openai-format.js';

/**
 * GraphiQL as served by the gateway, in a real (headless) Chromium: the page must load with no
 * network access beyond the gateway, run a query over HTTP and a subscription over graphql-ws.
 * Debian's chromium, driven by playwright-core (no bundled browser download); `.ci/run` installs it.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const PROMPT = 'Streaming through GraphiQL works';
const SUBSCRIPTION = `subscription Echo {
  chatStream(input: { model: "local/echo", messages: [{ role: USER, content: "${PROMPT}" }] }) {
    delta
    done
  }
}`;

/** A cold GraphiQL page (Monaco editors) takes seconds to load on a busy CI machine. */
const PAGE_TIMEOUT_MS = 40_000;
const TEST_TIMEOUT_MS = 90_000;

let gw: RunningGateway;
let browser: Browser;

beforeAll(async () => {
  // Never skipped: a missing browser is a broken test machine, not a reason to pass.
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH`);
  }
  gw = await startGateway('providers: [{ id: local, type: local, tokenDelayMs: 20 }]\n');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gw?.stop();
});

/** A fresh page that records every request and websocket it opens. */
async function openPage(): Promise<{ page: Page; requests: string[]; sockets: WebSocket[]; frames: string[] }> {
  const page = await browser.newPage();
  const requests: string[] = [];
  const sockets: WebSocket[] = [];
  const frames: string[] = [];
  page.on('request', (request: Request) => requests.push(request.url()));
  page.on('websocket', (socket: WebSocket) => {
    sockets.push(socket);
    socket.on('framereceived', ({ payload }) => frames.push(typeof payload === 'string' ? payload : payload.toString('utf8')));
  });
  return { page, requests, sockets, frames };
}

/** Every request went to the gateway itself (or was an in-page blob:/data: URL): GraphiQL works offline. */
function expectOnlyGateway(requests: string[]) {
  const foreign = requests.filter((url) => {
    if (url.startsWith('blob:') || url.startsWith('data:')) return false;
    const { protocol, host } = new URL(url);
    return !(host === new URL(gw.origin).host && ['http:', 'ws:'].includes(protocol));
  });
  expect(foreign).toEqual([]);
}

/**
 * The page's visible text once it contains `text`. The result pane is an editor view whose lines are
 * in the DOM, with spaces rendered as no-break spaces: normalized here.
 */
async function waitForText(page: Page, text: string): Promise<string> {
  await page.waitForFunction((wanted) => document.body.innerText.replace(/\u00a0/g, ' ').includes(wanted), text, { timeout: PAGE_TIMEOUT_MS });
  return page.evaluate(() => document.body.innerText.replace(/\u00a0/g, ' '));
}

describe('GraphiQL in a browser', () => {
  it('runs a query and shows the result', async () => {
    const { page, requests } = await openPage();
    try {
      await page.goto(`${gw.url}?query=${encodeURIComponent('{ models { id } }')}`, { timeout: PAGE_TIMEOUT_MS });
      await page.locator('.graphiql-execute-button').click({ timeout: PAGE_TIMEOUT_MS });
      const text = await waitForText(page, '"local/embed"');
      expect(text).toContain('"local/echo"');
      expectOnlyGateway(requests);
    } finally {
      await page.close();
    }
  }, TEST_TIMEOUT_MS);

  it('streams a subscription over graphql-ws into the result pane', async () => {
    const { page, requests, sockets, frames } = await openPage();
    try {
      await page.goto(`${gw.url}?query=${encodeURIComponent(SUBSCRIPTION)}`, { timeout: PAGE_TIMEOUT_MS });
      await page.locator('.graphiql-execute-button').click({ timeout: PAGE_TIMEOUT_MS });
      await waitForText(page, '"done": true');

      expect(sockets.map((socket) => socket.url())).toContain(gw.wsUrl);
      const messages = frames.map((frame) => JSON.parse(frame) as { type: string; payload?: { data?: { chatStream?: { delta: string | null; done: boolean } } } });
      const events = messages.filter((message) => message.type === 'next').map((message) => message.payload?.data?.chatStream);
      expect(events.length).toBeGreaterThan(3);
      expect(events.at(-1)).toEqual({ delta: null, done: true });
      // The echo model streams the prompt back token by token.
      const deltas = events.map((event) => event?.delta).filter((delta): delta is string => typeof delta === 'string');
      expect(deltas.length).toBeGreaterThan(2);
      expect(deltas.join('')).toBe(PROMPT);
      expect(messages.some((message) => message.type === 'complete')).toBe(true);
      expectOnlyGateway(requests);
    } finally {
      await page.close();
    }
  }, TEST_TIMEOUT_MS);
});

describe('GraphiQL streams reasoning', () => {
  const query = `subscription Think {
  chatStream(input: { model: "local/think", messages: [{ role: USER, content: "Why is the sky blue?" }] }) {
    reasoningDelta
    delta
    done
  }
}`;

  it('the result pane shows reasoningDelta events before the first delta (local/think over graphql-ws)', async () => {
    const { page, frames } = await openPage();
    try {
      await page.goto(`${gw.url}?query=${encodeURIComponent(query)}`, { timeout: PAGE_TIMEOUT_MS });
      // Every state of the result pane, as it changes (GraphiQL shows the latest event only).
      await page.evaluate(() => {
        const states: string[] = [];
        (window as unknown as { paneStates: string[] }).paneStates = states;
        new MutationObserver(() => {
          const pane = document.querySelector('.graphiql-response');
          const text = (pane as HTMLElement | null)?.innerText.replace(/\u00a0/g, ' ') ?? '';
          if (text !== states.at(-1)) states.push(text);
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      await page.locator('.graphiql-execute-button').click({ timeout: PAGE_TIMEOUT_MS });
      await waitForText(page, '"done": true');

      const states = await page.evaluate(() => (window as unknown as { paneStates: string[] }).paneStates);
      const firstReasoning = states.findIndex((state) => /"reasoningDelta": "/.test(state));
      const firstText = states.findIndex((state) => /"delta": "/.test(state));
      expect(firstReasoning).toBeGreaterThanOrEqual(0);
      expect(firstText).toBeGreaterThan(firstReasoning);
      expect(states.slice(firstText).some((state) => /"reasoningDelta": "/.test(state))).toBe(false);

      // On the wire too: every reasoning event before the first text event, and the reasoning is about the question.
      const events = frames
        .map((frame) => JSON.parse(frame) as { type: string; payload?: { data?: { chatStream?: { reasoningDelta: string | null; delta: string | null } } } })
        .filter((message) => message.type === 'next')
        .map((message) => message.payload?.data?.chatStream);
      const textAt = events.findIndex((event) => event?.delta != null);
      expect(events.findLastIndex((event) => event?.reasoningDelta != null)).toBeLessThan(textAt);
      expect(events.map((event) => event?.reasoningDelta ?? '').join('')).toContain('Why is the sky blue?');
    } finally {
      await page.close();
    }
  }, TEST_TIMEOUT_MS);
});

/**
 * A fresh `npm start` (the embedded default config, default limits): GraphiQL's own introspection
 * query must pass, or the docs explorer says "Error fetching schema", the result pane shows a depth
 * error, and autocompletion knows nothing.
 */
describe('GraphiQL on a fresh default gateway: schema introspection', () => {
  let fresh: RunningGateway;
  beforeAll(async () => {
    fresh = await startGateway();
  }, 60_000);
  afterAll(() => fresh?.stop());

  /** The page once GraphiQL has fetched the schema (its docs explorer lists the root types). */
  async function openLoaded(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(fresh.url, { timeout: PAGE_TIMEOUT_MS });
    await page.locator('[aria-label="Show Documentation Explorer"]').click({ timeout: PAGE_TIMEOUT_MS });
    await page.locator('.graphiql-doc-explorer-root-type').first().waitFor({ timeout: PAGE_TIMEOUT_MS });
    return page;
  }

  it('loads with no error in the result pane, and the docs list Query, Mutation and Subscription and open ChatInput', async () => {
    const page = await openLoaded();
    try {
      const docs = page.locator('.graphiql-doc-explorer');
      const roots = await docs.locator('.graphiql-doc-explorer-root-type + a').allTextContents();
      expect(roots).toEqual(['Query', 'Mutation', 'Subscription']);
      expect(await docs.textContent()).not.toContain('Error fetching schema');
      const response = (await page.locator('.graphiql-response').textContent({ timeout: PAGE_TIMEOUT_MS })) ?? '';
      expect(response).not.toMatch(/error|levels deep/i);

      await docs.locator('a.graphiql-doc-explorer-type-name', { hasText: /^ChatInput$/ }).first().click({ timeout: PAGE_TIMEOUT_MS });
      await page.waitForFunction(() => document.querySelector('.graphiql-doc-explorer-title')?.textContent === 'ChatInput', undefined, { timeout: PAGE_TIMEOUT_MS });
      const chatInput = (await docs.textContent()) ?? '';
      expect(chatInput).toContain('messages');
      expect(chatInput).toContain('model');
    } finally {
      await page.close();
    }
  }, TEST_TIMEOUT_MS);

  it('autocompletion offers chatStream in a subscription', async () => {
    const page = await openLoaded();
    try {
      await page.locator('.graphiql-query-editor').click({ timeout: PAGE_TIMEOUT_MS });
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      await page.keyboard.type('subscription { chat');
      await page.keyboard.press('Control+Space');
      const suggestion = page.locator('.suggest-widget .monaco-list-row', { hasText: 'chatStream' });
      await suggestion.first().waitFor({ timeout: PAGE_TIMEOUT_MS });
      // Monaco appends the field's docs to the label once its details pane has rendered ("chatStream, docs: …").
      const label = (await suggestion.first().getAttribute('aria-label')) ?? '';
      expect(label.split(',')[0]).toBe('chatStream');
    } finally {
      await page.close();
    }
  }, TEST_TIMEOUT_MS);
});

describe('GraphiQL shows a stream growing', () => {
  const CHUNKS = ['Once', ' upon', ' a', ' time', ' there', ' was'];
  let mock: WireMock;
  let streamingGw: RunningGateway;

  beforeAll(async () => {
    mock = await startWireMock(openaiFormat);
    streamingGw = await startGateway(`providers: [{ id: oai, type: openai, baseUrl: "${mock.origin}/v1", apiKey: sk-test }]\nmodels: [{ provider: oai, upstream: gpt }]\n`);
  }, 60_000);
  afterAll(async () => {
    await streamingGw?.stop();
    await mock?.close();
  });

  it('the result pane shows the text so far while the stream is still open', async () => {
    // The upstream streams a few words, then holds the stream open: the pane must show them joined, not just the last one.
    mock.script({ kind: 'hang', chunks: CHUNKS });
    const aborts = mock.abortedCount;
    const query = `subscription Story {
  chatStream(input: { model: "oai/gpt", messages: [{ role: USER, content: "Tell me a story" }] }) {
    text
    done
  }
}`;
    const page = await browser.newPage();
    const frames: string[] = [];
    page.on('websocket', (socket: WebSocket) => {
      socket.on('framereceived', ({ payload }) => frames.push(typeof payload === 'string' ? payload : payload.toString('utf8')));
    });
    try {
      await page.goto(`${streamingGw.url}?query=${encodeURIComponent(query)}`, { timeout: PAGE_TIMEOUT_MS });
      await page.locator('.graphiql-execute-button').click({ timeout: PAGE_TIMEOUT_MS });
      const pane = await waitForText(page, `"text": "${CHUNKS.join('')}"`);
      expect(pane).toContain('"done": false');

      // Every event carried the whole text so far, growing.
      const texts = frames
        .map((frame) => JSON.parse(frame) as { type: string; payload?: { data?: { chatStream?: { text: string } } } })
        .filter((message) => message.type === 'next')
        .map((message) => message.payload?.data?.chatStream?.text);
      expect(texts.at(-1)).toBe(CHUNKS.join(''));
      const lengths = texts.map((text) => text?.length ?? -1);
      expect(texts.every((text) => text !== undefined && CHUNKS.join('').startsWith(text))).toBe(true);
      expect(lengths).toEqual([...lengths].sort((x, y) => x - y));
      expect(new Set(lengths).size).toBe(lengths.length);

      // Stopping it in GraphiQL ends the upstream request.
      await page.locator('.graphiql-execute-button').click({ timeout: PAGE_TIMEOUT_MS });
      await mock.waitForAborts(aborts + 1, 10_000);
    } finally {
      await page.close();
    }
  }, TEST_TIMEOUT_MS);
});
