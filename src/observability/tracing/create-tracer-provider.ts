import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

import { wantsOtlpTraces } from './wants-otlp-traces.js';

export { wantsOtlpTraces };

const DEFAULT_SERVICE_NAME = 'switchboard';

/**
 * A tracer provider exporting over OTLP/HTTP in batches, configured by the
 * standard OTEL_* variables (endpoint, headers, sampler, resource attributes),
 * or undefined when they do not ask for traces. Not registered globally.
 */
export function createTracerProvider(env: Readonly<Record<string, string | undefined>>): BasicTracerProvider | undefined {
  if (!wantsOtlpTraces(env)) return undefined;
  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME?.trim() || DEFAULT_SERVICE_NAME }));
  return new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
}
