import type { Agent as UndiciAgent } from 'undici';
// undici's index loads all of undici (its fetch, cookies, WebSocket, caches), and its cookies
// module reads the global `Headers`, which makes Node load its own bundled copy of undici as well:
// with that copy, ~5 MB of RSS for code the gateway never runs. Only the connection pool is used
// here, and undici is pinned to an exact version, so its file path is stable.
import AgentClass from 'undici/lib/dispatcher/agent.js';

/** undici's keep-alive connection pool, loaded without the rest of undici. */
export const Agent: typeof UndiciAgent = AgentClass;
export type Agent = UndiciAgent;
