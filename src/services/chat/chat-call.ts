import type { Principal } from '../../auth/principal.js';
import type { RoutePlan } from '../../routing/plan-routes.js';
import type { Admission } from '../limits-service.js';

/** Who calls, and when to give up. */
export interface ChatCall {
  principal: Principal;
  /** Correlates logs, traces and the audit record with the client's request. */
  requestId: string;
  /** Aborted when the client goes away or the server's shutdown grace ends. */
  signal: AbortSignal;
  /**
   * Limits already taken for this call by `admitOperation` (with its siblings of
   * the same operation); without one, the call takes its own.
   */
  ticket?: ChatTicket;
}

/** One call's admission, taken ahead of the call with the rest of its operation. */
export interface ChatTicket {
  plan: RoutePlan;
  admission: Admission;
}
