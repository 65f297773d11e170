import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

const DEFAULT_SERVICE_NAME = 'switchboard';

/** Whether the standard OTEL_* variables ask for OTLP trace export. */
export function wantsOtlpTraces(env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (exporters.includes('otlp')) return true;
  // An explicit other choice (`none`, `console`…) wins over a configured endpoint.
  if (exporters.length > 0) return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

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
