import { ChatDocument, type ChatInput } from '../../schema/generated/graphql.js';
import { postGraphQL } from '../helpers/graphql-clients.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

/** USD per million tokens: 1,000 micro-USD a token, so every cost is an exact integer of micro-dollars. */
export const PRICE = 1_000;
export const MODEL = 'mock/gpt';
export const ADMIN_KEY = 'sbk_durable-admin-0123456789abcdef';
export const USER_KEY = 'sbk_durable-user-0123456789abcdefgh';
export const MESSAGES = [{ role: 'USER' as const, content: 'How many tokens is this?' }];

export const bearer = (secret: string) => ({ headers: { authorization: `Bearer ${secret}` } });
export const chatInput = (extra: Partial<ChatInput> = {}): { input: ChatInput } => ({ input: { model: MODEL, messages: MESSAGES, ...extra } });

/** Gateway YAML with a mock upstream, admin + user keys, and optional Redis and database blocks. */
export function durableYaml(options: { upstream: string; redis?: string; database?: string; userLimits?: string; extra?: string }): string {
  return `
server: { shutdownGraceMs: 0 }
providers: [{ id: mock, type: openai, baseUrl: "${options.upstream}/v1", apiKey: test-key }]
models: [{ provider: mock, upstream: gpt, pricing: { input: ${PRICE}, output: ${PRICE} } }]
cache: { completions: { mode: off } }
${options.redis ? `redis: ${options.redis}` : ''}
${options.database ? `database: ${options.database}` : ''}
auth:
  keys:
    - { id: admin, secret: "${ADMIN_KEY}", scopes: [admin, models, chat] }
    - { id: user, secret: "${USER_KEY}", scopes: [chat, models], limits: ${options.userLimits ?? '{}'} }
${options.extra ?? ''}
`;
}

/** Runs `tasks` with at most `concurrency` in flight; results in task order. */
export async function runPool<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

/** Polls `read` every 50 ms until `done(value)` or `timeoutMs`; returns the last value. */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

/** One chat through `gw` as `secret`; returns the HTTP result. */
export function chat(gw: RunningGateway, secret: string, extra: Partial<ChatInput> = {}) {
  return postGraphQL(gw.url, ChatDocument, chatInput(extra), bearer(secret));
}

export { startGateway, type RunningGateway };
