import { parseArgs } from 'node:util';
import { ConfigError } from './config/config-error.js';
import { loadConfig } from './config/load-config.js';
import { createLogger } from './create-logger.js';
import { createGateway } from './gateway.js';
import { wantsOtlpTraces } from './observability/tracing/wants-otlp-traces.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' } }, allowPositionals: false });
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'info' });
  let config;
  try {
    config = await loadConfig({ ...(values.config ? { configPath: values.config } : {}), env: process.env, cwd: process.cwd() });
  } catch (error: unknown) {
    if (error instanceof ConfigError) {
      process.stderr.write(`switchboard: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  // OpenTelemetry traces over OTLP when the standard OTEL_* variables ask for them.
  // The OTel SDK and exporter load only when asked for (~17 MB of RSS otherwise spent on nothing).
  const tracerProvider = wantsOtlpTraces(process.env)
    ? (await import('./observability/tracing/create-tracer-provider.js')).createTracerProvider(process.env)
    : undefined;
  const gateway = await createGateway({ config, logger, ...(tracerProvider ? { tracerProvider } : {}) });
  const url = await gateway.listen();
  logger.info(
    {
      config: config.source,
      providers: config.providers.map((provider) => provider.id),
      models: config.models.length,
      routes: config.routes.length,
    },
    `Switchboard listening on ${url} (GraphiQL in a browser, graphql-ws and SSE on the same path)`,
  );
  if (config.auth.keys.length === 0 && !config.auth.jwt) {
    logger.warn(
      'OPEN ACCESS: no API keys or JWT issuer are configured, so anyone who can reach this port can use every configured provider. Add auth.keys to the config to require keys.',
    );
  }
  if (config.hostNotice) logger.warn({ host: config.server.host }, config.hostNotice);
  if (tracerProvider) logger.info('tracing: exporting spans over OTLP (OTEL_* environment variables)');
  if (!config.redis) logger.info('state (limits, usage, keys) is in memory: run one replica, or set REDIS_URL to share it');

  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal, graceMs: config.server.shutdownGraceMs }, 'shutting down: draining in-flight operations');
    gateway
      .stop()
      // Flush the spans still batched before exiting.
      .then(() => tracerProvider?.shutdown())
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`switchboard: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
