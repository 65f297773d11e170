import type { SuccessScenario, WireFormat } from '../../helpers/scenario.js';

/**
 * The Gemini API, as generativelanguage.googleapis.com sends it: a
 * GenerateContentResponse, or with `?alt=sse` one `data:` frame per chunk (CRLF
 * framing, set by the fixture) and no terminator.
 */
const RESPONSE_ID = 'gemini-mock-response-1';

/** Gemini's canonical error status names, by HTTP status. */
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

type Part = Record<string, unknown>;

function response(model: string, parts: Part[], extra: { finishReason?: string; usage?: Record<string, unknown> } = {}) {
  return {
    candidates: [
      {
        content: { parts, role: 'model' },
        ...(extra.finishReason ? { finishReason: extra.finishReason } : {}),
        index: 0,
      },
    ],
    ...(extra.usage ? { usageMetadata: extra.usage } : {}),
    modelVersion: model,
    responseId: RESPONSE_ID,
  };
}

function frame(body: unknown): string {
  return `data: ${JSON.stringify(body)}`;
}

function usageOf(scenario: SuccessScenario) {
  const { promptTokens, completionTokens } = scenario.usage;
  return {
    promptTokenCount: promptTokens,
    candidatesTokenCount: completionTokens,
    totalTokenCount: promptTokens + completionTokens,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
  };
}

/** Intermediate chunks carry a running usage without candidate tokens, as Gemini's do. */
function runningUsage(promptTokens: number) {
  return { promptTokenCount: promptTokens, totalTokenCount: promptTokens };
}

/** Each call is one whole functionCall part; Gemini 2.5+ signs the first one. */
function callParts(scenario: Extract<SuccessScenario, { kind: 'tool-calls' }>): Part[] {
  return scenario.calls.map((call, index) => ({
    functionCall: { name: call.name, args: JSON.parse(call.argumentChunks.join('')) as unknown },
    ...(index === 0 ? { thoughtSignature: 'bW9jay1zaWduYXR1cmU=' } : {}),
  }));
}

function finishOf(scenario: SuccessScenario): string {
  return scenario.kind === 'text' && scenario.finishReason === 'length' ? 'MAX_TOKENS' : 'STOP';
}

export const googleFormat: WireFormat = {
  isStream: (path) => path.includes(':streamGenerateContent'),
  modelOf: (path) => decodeURIComponent(/\/models\/([^:/?]+)/.exec(path)?.[1] ?? 'unknown'),
  completion(scenario, model) {
    const parts = scenario.kind === 'text' ? [{ text: scenario.chunks.join('') }] : callParts(scenario);
    return response(model, parts, { finishReason: finishOf(scenario), usage: usageOf(scenario) });
  },
  partialFrames(chunks, model, promptTokens = 3) {
    return chunks.map((text) => frame(response(model, [{ text }], { usage: runningUsage(promptTokens) })));
  },
  streamFrames(scenario, model) {
    const last = { finishReason: finishOf(scenario), usage: usageOf(scenario) };
    const running = { usage: runningUsage(scenario.usage.promptTokens) };
    const parts: Part[] = scenario.kind === 'text' ? scenario.chunks.map((text) => ({ text })) : callParts(scenario);
    if (parts.length === 0) parts.push({ text: '' });
    return parts.map((part, index) => frame(response(model, [part], index === parts.length - 1 ? last : running)));
  },
  terminator: () => [],
  errorFrame: (message) => frame({ error: { code: 503, message, status: 'UNAVAILABLE' } }),
  errorBody(status, message) {
    const name = STATUS_NAMES[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
    return { error: { code: status, message, status: name } };
  },
};
