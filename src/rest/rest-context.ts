import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../auth/principal.js';
import type { Logger } from '../create-logger.js';
import type { GatewayServices } from '../schema/context.js';

/** One authenticated REST request, as a handler receives it. */
export interface RestContext {
  req: IncomingMessage;
  res: ServerResponse;
  principal: Principal;
  requestId: string;
  services: Pick<GatewayServices, 'chat' | 'embeddings' | 'catalog' | 'calls'>;
  maxBodyBytes: number;
  /** How long a request body may take to arrive, in milliseconds (0: node's own timeout only). */
  requestTimeoutMs?: number;
  logger: Logger;
}
