import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

/** The demo models (`local/echo`, `local/lorem`) with a 5 ms token delay, so streams are quick. */
export function startFastGateway(): Promise<RunningGateway> {
  return startGateway(`
providers:
  - { id: local, type: local, tokenDelayMs: 5 }
`);
}
