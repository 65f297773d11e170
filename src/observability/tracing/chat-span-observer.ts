import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { AttemptTarget, ChatObserver, CompletionRecord, RequestObservation } from '../../services/chat-observer.js';
import type { Attempt } from '../../services/chat-types.js';

/**
 * One `chat <model>` span (kind CLIENT) per completion, after the OpenTelemetry
 * GenAI semantic conventions, with a child span per upstream attempt.
 */
export function createChatSpanObserver(tracer: Tracer): ChatObserver {
  return {
    requestStarted(request): RequestObservation {
      const { body } = request;
      const attributes: Attributes = {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': request.requested,
        'switchboard.request_id': request.requestId,
        'switchboard.streaming': request.streaming,
      };
      if (body.temperature !== undefined) attributes['gen_ai.request.temperature'] = body.temperature;
      if (body.topP !== undefined) attributes['gen_ai.request.top_p'] = body.topP;
      if (body.maxTokens !== undefined) attributes['gen_ai.request.max_tokens'] = body.maxTokens;
      const span = tracer.startSpan(`chat ${request.requested}`, { kind: SpanKind.CLIENT, attributes }, context.active());
      const parent = trace.setSpan(context.active(), span);
      // Provider types by provider id, and the target that answered.
      const providerTypes = new Map<string, string>();
      const open = new Set<Span>();
      let answeredBy: AttemptTarget | undefined;

      return {
        attemptStarted(target) {
          providerTypes.set(target.provider, target.providerType);
          const attemptSpan = tracer.startSpan(
            `chat ${target.upstream}`,
            {
              kind: SpanKind.CLIENT,
              attributes: {
                'gen_ai.operation.name': 'chat',
                'gen_ai.provider.name': target.providerType,
                'gen_ai.system': target.providerType,
                'gen_ai.request.model': target.upstream,
                'switchboard.model': target.model,
                'switchboard.provider': target.provider,
              },
            },
            parent,
          );
          open.add(attemptSpan);
          return (attempt: Attempt) => {
            if (!open.delete(attemptSpan)) return;
            attemptSpan.setAttribute('switchboard.attempt.outcome', attempt.outcome);
            attemptSpan.setAttribute('switchboard.attempt.latency_ms', attempt.latencyMs);
            if (attempt.outcome === 'success') {
              answeredBy = target;
              attemptSpan.setStatus({ code: SpanStatusCode.OK });
            } else {
              const code = attempt.errorCode ?? attempt.outcome.toUpperCase();
              if (attempt.errorCode) attemptSpan.setAttribute('switchboard.attempt.error_code', attempt.errorCode);
              attemptSpan.setAttribute('error.type', code);
              attemptSpan.setStatus({ code: SpanStatusCode.ERROR, message: code });
            }
            attemptSpan.end();
          };
        },
        finished(record: CompletionRecord) {
          for (const leftover of open) leftover.end();
          open.clear();
          span.setAttributes(finishAttributes(record, answeredBy, providerTypes));
          if (record.outcome === 'failed') {
            const code = record.errorCode ?? 'INTERNAL_SERVER_ERROR';
            span.setAttribute('error.type', code);
            span.setStatus({ code: SpanStatusCode.ERROR, message: code });
          } else if (record.outcome === 'success') {
            span.setStatus({ code: SpanStatusCode.OK });
          }
          span.end();
        },
      };
    },
  };
}

function finishAttributes(record: CompletionRecord, answeredBy: AttemptTarget | undefined, providerTypes: ReadonlyMap<string, string>): Attributes {
  const attributes: Attributes = {
    'switchboard.outcome': record.outcome,
    'switchboard.cached': record.cached,
    'switchboard.latency_ms': record.latencyMs,
    'switchboard.attempts': record.attempts.length,
  };
  if (record.model) {
    attributes['switchboard.model'] = record.model;
    attributes['gen_ai.response.model'] = answeredBy?.model === record.model ? answeredBy.upstream : record.model;
  }
  const providerType = answeredBy?.providerType ?? (record.provider ? providerTypes.get(record.provider) : undefined);
  if (record.provider) attributes['switchboard.provider'] = record.provider;
  if (providerType) {
    attributes['gen_ai.provider.name'] = providerType;
    attributes['gen_ai.system'] = providerType;
  }
  if (record.finishReason) attributes['gen_ai.response.finish_reasons'] = [record.finishReason];
  if (record.usage) {
    attributes['gen_ai.usage.input_tokens'] = record.usage.promptTokens;
    attributes['gen_ai.usage.output_tokens'] = record.usage.completionTokens;
    // Registry names (OpenTelemetry GenAI conventions), set only when non-zero as they recommend.
    if (record.usage.reasoningTokens > 0) attributes['gen_ai.usage.reasoning.output_tokens'] = record.usage.reasoningTokens;
    if (record.usage.cachedPromptTokens > 0) attributes['gen_ai.usage.cache_read.input_tokens'] = record.usage.cachedPromptTokens;
    attributes['switchboard.usage.estimated'] = record.usage.estimated;
    if (record.usage.costUsd !== null) attributes['switchboard.cost_usd'] = record.usage.costUsd;
  }
  if (record.timeToFirstTokenMs !== null) attributes['switchboard.time_to_first_token_ms'] = record.timeToFirstTokenMs;
  return attributes;
}
