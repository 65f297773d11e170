import { SECRETS, type Answer } from './fuzz-rig.js';

/**
 * The properties every answer must have, whatever was sent (issue 11, "Prove it"):
 * no 5xx the contract does not name, no INTERNAL_SERVER_ERROR, no stack trace or secret,
 * an answer within its time bound. Returns what is wrong (empty: nothing).
 */

/** 5xx statuses the contract names: 502 upstream fault, 503 unavailable/shutting down, 504 upstream timeout. */
const NAMED_5XX = new Set([502, 503, 504]);
/** Codes that may come with a named 5xx (GraphQL `extensions.code` or OpenAI `error.code`). */
const NAMED_5XX_CODES = /UPSTREAM_REJECTED|UPSTREAM_UNAVAILABLE|UPSTREAM_TIMEOUT|SHUTTING_DOWN|STORE_UNAVAILABLE|upstream_rejected|upstream_unavailable|upstream_timeout|shutting_down|store_unavailable/;
/** A JavaScript stack frame: `at fn (/path/file.ts:1:2)`, `at file:///…`, `at node:internal/…`. */
const STACK_FRAME = /\bat (?:[^\s()]+ )?\(?(?:file:\/\/|node:|\/)[^\s()]*:\d+(?::\d+)?\)?/;
const LEAKS: readonly [RegExp, string][] = [
  [/INTERNAL_SERVER_ERROR|"internal_error"/, 'INTERNAL_SERVER_ERROR in the body'],
  [/Maximum call stack size exceeded|RangeError|TypeError: |ReferenceError|SyntaxError: Unexpected token/, 'an internal error message in the body'],
  [STACK_FRAME, 'a stack trace in the body'],
  [/node_modules\//, 'a server path in the body'],
];

export interface CheckOptions {
  /** The time bound for this answer, in milliseconds. */
  boundMs: number;
  /** A connection ended without a response is acceptable (e.g. a body the server refused mid-upload). */
  allowNoResponse?: boolean;
}

/** Secrets that must never be echoed back, including the parts a careless message might quote. */
const SECRET_VALUES = Object.values(SECRETS);

/** Problems with one answer's text (a body, a websocket message or close reason). */
export function textProblems(text: string): string[] {
  const problems: string[] = [];
  for (const [pattern, what] of LEAKS) {
    const match = pattern.exec(text);
    if (match) problems.push(`${what}: …${text.slice(Math.max(0, match.index - 80), match.index + 120)}…`);
  }
  for (const secret of SECRET_VALUES) if (text.includes(secret)) problems.push(`a configured secret in the body (${secret.slice(0, 8)}…)`);
  return problems;
}

/** Everything wrong with one HTTP answer. */
export function answerProblems(answer: Answer, options: CheckOptions): string[] {
  // GraphiQL's page is a JavaScript bundle (error class names, bundler paths): only secrets are looked for there.
  const page = String(answer.headers['content-type'] ?? '').startsWith('text/html');
  const problems = page ? SECRET_VALUES.filter((secret) => answer.text.includes(secret)).map(() => 'a configured secret in the page') : textProblems(answer.text);
  if (answer.status === 0 && !options.allowNoResponse) problems.push(`no response: ${answer.error ?? 'connection closed'}`);
  if (answer.status >= 500) {
    if (!NAMED_5XX.has(answer.status)) problems.push(`HTTP ${answer.status} is not a status the contract names`);
    else if (!NAMED_5XX_CODES.test(answer.text)) problems.push(`HTTP ${answer.status} without a named error code: ${answer.text.slice(0, 200)}`);
  }
  if (answer.ms > options.boundMs) problems.push(`answered in ${Math.round(answer.ms)} ms (bound ${options.boundMs} ms)`);
  return problems;
}

/** Error-level log lines (pino level ≥ 50) and secrets in logs, from `logs[from…]`. */
export function logProblems(logs: readonly string[], from: number): string[] {
  const problems: string[] = [];
  for (const line of logs.slice(from)) {
    for (const secret of SECRET_VALUES) if (line.includes(secret)) problems.push(`a configured secret in a log line: ${line.slice(0, 300)}`);
    const level = /"level":(\d+)/.exec(line)?.[1];
    if (level !== undefined && Number(level) >= 50) problems.push(`an error-level log line for a client's input: ${line.slice(0, 400)}`);
  }
  return problems;
}
