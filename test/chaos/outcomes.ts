import type { FormattedExecutionResult } from 'graphql';
import { postGraphQL, subscribeSse } from '../helpers/graphql-clients.js';

/*
 * Every request a chaos test makes ends in one recorded outcome: a success, or a named error
 * code. Anything else (a 500, a masked error, a hang, a dropped connection) is recorded too,
 * as UNDOCUMENTED, so a test can list exactly what went wrong.
 */

export interface Outcome {
  what: string;
  /** 'ok', a stable error code, or 'UNDOCUMENTED: …'. */
  result: string;
  status?: number;
  ms: number;
}

const STACK = /\bat [^\s(]+ \(?(?:file:|node:|\/)/;

export const CHAT = 'mutation Chat($input: ChatInput!) { chat(input: $input) { message { content } usage { totalTokens } } }';
export const STREAM = 'subscription Stream($input: ChatInput!) { chatStream(input: $input) { delta done } }';
export const chatInput = (model: string, content = 'still there?') => ({ input: { model, messages: [{ role: 'USER', content }] } });

function classifyErrors(errors: readonly { extensions?: Record<string, unknown> }[] | undefined, documented: ReadonlySet<string>): string | undefined {
  const code = errors?.[0]?.extensions?.code;
  if (code === undefined) return undefined;
  return typeof code === 'string' && documented.has(code) ? code : `UNDOCUMENTED: code ${String(code)}`;
}

/** One `Mutation.chat` over HTTP; never throws. */
export async function chatOutcome(url: string, key: string, model: string, documented: ReadonlySet<string>): Promise<Outcome> {
  const started = performance.now();
  const what = `chat ${model}`;
  try {
    const { status, body } = await postGraphQL<{ chat: { message: { content: string | null } } }, unknown>(url, CHAT, chatInput(model), {
      headers: { authorization: `Bearer ${key}` },
      signal: AbortSignal.timeout(15_000),
    });
    const ms = performance.now() - started;
    if (STACK.test(JSON.stringify(body))) return { what, result: 'UNDOCUMENTED: stack trace', status, ms };
    const failed = classifyErrors(body.errors, documented);
    if (failed) return { what, result: failed, status, ms };
    return { what, result: body.data?.chat.message.content ? 'ok' : `UNDOCUMENTED: ${JSON.stringify(body).slice(0, 200)}`, status, ms };
  } catch (error: unknown) {
    return { what, result: `UNDOCUMENTED: ${error instanceof Error ? error.message : String(error)}`, ms: performance.now() - started };
  }
}

/** One `chatStream` over SSE, read to its end; `ok` needs every delta and one `done`. */
export async function streamOutcome(url: string, key: string, model: string, expectedText: string, documented: ReadonlySet<string>): Promise<Outcome> {
  const started = performance.now();
  const what = `stream ${model}`;
  const results: FormattedExecutionResult<{ chatStream: { delta: string | null; done: boolean } }>[] = [];
  try {
    for await (const result of subscribeSse<{ chatStream: { delta: string | null; done: boolean } }, unknown>(url, STREAM, chatInput(model), {
      headers: { authorization: `Bearer ${key}` },
      signal: AbortSignal.timeout(15_000),
    })) {
      results.push(result);
    }
  } catch (error: unknown) {
    return { what, result: `UNDOCUMENTED: ${error instanceof Error ? error.message : String(error)}`, ms: performance.now() - started };
  }
  const ms = performance.now() - started;
  if (STACK.test(JSON.stringify(results))) return { what, result: 'UNDOCUMENTED: stack trace', ms };
  const failed = classifyErrors(results.find((result) => result.errors)?.errors, documented);
  if (failed) return { what, result: failed, ms };
  const text = results.map((result) => result.data?.chatStream.delta ?? '').join('');
  const done = results.filter((result) => result.data?.chatStream.done).length;
  return { what, result: text === expectedText && done === 1 ? 'ok' : `UNDOCUMENTED: text "${text}", ${done} done events`, ms };
}

/** Outcomes grouped as `{ "<what> → <result>": count }`, for one readable assertion. */
export function tally(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { what, result } of outcomes) counts[`${what} → ${result}`] = (counts[`${what} → ${result}`] ?? 0) + 1;
  return counts;
}

export const undocumented = (outcomes: readonly Outcome[]) => outcomes.filter((outcome) => outcome.result.startsWith('UNDOCUMENTED'));

/** Retries `attempt` every 50 ms until it returns true; resolves with the time it took, or rejects after `timeoutMs`. */
export async function timeUntil(attempt: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await attempt()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
