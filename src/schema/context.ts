import type { Principal } from '../auth/principal.js';
import type { HealthRegistry } from '../routing/target-health.js';
import type { AccountsService } from '../services/accounts-service.js';
import type { Call, CallRegistry } from '../services/call-registry.js';
import type { EmbeddingService } from '../services/embedding-service.js';
import type { Catalog } from '../routing/catalog.js';
import type { ChatService } from '../services/chat-service.js';
import type { UsageMeter } from '../services/usage-meter.js';
import type { UsageReports } from '../durable/usage-reports.js';

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
  /** Reports over PostgreSQL (usage ledger, audit log); absent without a database. */
  reports?: UsageReports;
  /** True when audit records go to PostgreSQL (what `auditLog` reads). */
  auditOfRecord?: boolean;
}

/** What every resolver receives, whatever the transport (Yoga's HTTP, the JSON fast lane, graphql-ws). */
export interface GatewayContext extends GatewayServices {
  /** Correlates logs, traces and the audit record with the client's request (`x-request-id`). */
  requestId: string;
  /** Aborted when the client goes away (HTTP); websocket operations end by unsubscribing instead. */
  signal?: AbortSignal;
  /**
   * The controller behind `signal`, when it is the request's own and the request is this one
   * operation (the fast lane): model calls adopt it (`calls.adopt`) instead of linking a controller
   * of their own to it. Each AbortSignal allocates ~1.6 KB and, on Node 20, outlives young-generation GCs.
   */
  requestController?: AbortController;
  /** The caller, resolved before execution (anonymous when the gateway runs open). */
  principal: Principal;
}

/** What a model call's cancellation comes from: a context, or the few fields of one a closure keeps instead of the whole. */
export type CallSource = Pick<GatewayContext, 'calls' | 'signal' | 'requestController'>;

/** The cancellation of one model call: its request's own controller when it has one, else a call linked to its signal. */
export function callFor(source: CallSource): Call {
  return source.requestController ? source.calls.adopt(source.requestController) : source.calls.open(source.signal);
}
