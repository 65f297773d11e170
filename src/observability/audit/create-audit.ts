import type { Cluster, Redis } from 'ioredis';
import type { AuditConfig } from '../../config/config-schema.js';
import type { Logger } from '../../create-logger.js';
import type { ChatObserver } from '../../services/chat-observer.js';

/** One audit record per completion, to stdout or a Redis Stream. */
export interface Audit {
  observer: ChatObserver | undefined;
  /** Writes what is buffered. */
  flush(): Promise<void>;
}

export interface AuditDeps {
  config: AuditConfig;
  logger: Logger;
  redis?: { client: Redis | Cluster; keyPrefix: string };
}

/** STUB: replaced by the audit implementation. */
export function createAudit(_deps: AuditDeps): Audit {
  return { observer: undefined, flush: async () => undefined };
}
