import type { Principal } from '../auth/principal.js';
import type { HealthRegistry } from '../routing/target-health.js';
import type { AccountsService } from '../services/accounts-service.js';
import type { CallRegistry } from '../services/call-registry.js';
import type { EmbeddingService } from '../services/embedding-service.js';
import type { Catalog } from '../services/catalog.js';
import type { ChatService } from '../services/chat-service.js';
import type { UsageMeter } from '../services/usage-meter.js';

/** Long-lived services the resolvers call; built once by the composition root. */
export interface GatewayServices {
  catalog: Catalog;
  chat: ChatService;
  health: HealthRegistry;
  usage: UsageMeter;
  accounts: AccountsService;
  embeddings: EmbeddingService;
  /** Operations in flight, with their cancellation; shutdown aborts those left when its grace ends. */
  calls: CallRegistry;
}

/** What every resolver receives. Yoga adds `request` (the fetch Request) for HTTP; websocket operations have none. */
export interface GatewayContext extends GatewayServices {
  request?: Request;
  /** The caller, resolved before execution (anonymous when the gateway runs open). */
  principal: Principal;
}
