import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs. Anything that could hold a secret is redacted by path, as a net
 * under the rule that secrets are never handed to the logger in the first place.
 */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'switchboard' },
      redact: {
        paths: ['apiKey', '*.apiKey', '*.*.apiKey', 'headers.authorization', '*.headers.authorization', 'secret', '*.secret'],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}
