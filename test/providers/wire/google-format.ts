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

/** Thoughts are billed as output but counted apart: `candidatesTokenCount` excludes them. */
function usageOf(scenario: SuccessScenario) {
  const { promptTokens, completionTokens, reasoningTokens, cachedPromptTokens } = scenario.usage;
  return {
    promptTokenCount: promptTokens,
    candidatesTokenCount: completionTokens - (reasoningTokens ?? 0),
    totalTokenCount: promptTokens + completionTokens,
    ...(reasoningTokens === undefined ? {} : { thoughtsTokenCount: reasoningTokens }),
    ...(cachedPromptTokens === undefined
      ? {}
      : { cachedContentTokenCount: cachedPromptTokens, cacheTokensDetails: [{ modality: 'TEXT', tokenCount: cachedPromptTokens }] }),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
  };
}

/** Intermediate chunks carry a running usage without candidate tokens, as Gemini's do. */
function runningUsage(promptTokens: number) {
  return { promptTokenCount: promptTokens, totalTokenCount: promptTokens };
}

/** The signature Gemini 2.5+ puts on the first function call even when no thoughts were asked for. */
const DEFAULT_SIGNATURE = 'bW9jay1zaWduYXR1cmU=';

/** Thought summaries (`includeThoughts`): text parts marked `thought: true`, before the answer. */
function thoughtParts(scenario: SuccessScenario): Part[] {
  return (scenario.reasoning?.chunks ?? []).map((text) => ({ text, thought: true }));
}

/**
 * The answer's parts: each call as one whole functionCall part, the first one signed; or the
 * `texts`, the last one carrying the scenario's signature (where Gemini puts it when no call is made).
 */
function answerParts(scenario: SuccessScenario, texts: string[]): Part[] {
  if (scenario.kind === 'tool-calls') {
    return scenario.calls.map((call, index) => ({
      functionCall: { name: call.name, args: JSON.parse(call.argumentChunks.join('')) as unknown },
      ...(index === 0 ? { thoughtSignature: scenario.reasoning?.signature ?? DEFAULT_SIGNATURE } : {}),
    }));
  }
  const signature = scenario.reasoning?.signature;
  return texts.map((text, index) => ({ text, ...(signature && index === texts.length - 1 ? { thoughtSignature: signature } : {}) }));
}

function finishOf(scenario: SuccessScenario): string {
  return scenario.kind === 'text' && scenario.finishReason === 'length' ? 'MAX_TOKENS' : 'STOP';
}

export const googleFormat: WireFormat = {
  isStream: (path) => path.includes(':streamGenerateContent'),
  modelOf: (path) => decodeURIComponent(/\/models\/([^:/?]+)/.exec(path)?.[1] ?? 'unknown'),
  completion(scenario, model) {
    const parts = [...thoughtParts(scenario), ...answerParts(scenario, scenario.kind === 'text' ? [scenario.chunks.join('')] : [])];
    return response(model, parts, { finishReason: finishOf(scenario), usage: usageOf(scenario) });
  },
  partialFrames(chunks, model, promptTokens = 3) {
    return chunks.map((text) => frame(response(model, [{ text }], { usage: runningUsage(promptTokens) })));
  },
  streamFrames(scenario, model) {
    const last = { finishReason: finishOf(scenario), usage: usageOf(scenario) };
    const running = { usage: runningUsage(scenario.usage.promptTokens) };
    const parts = [...thoughtParts(scenario), ...answerParts(scenario, scenario.kind === 'text' ? scenario.chunks : [])];
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
