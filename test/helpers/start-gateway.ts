import { parseConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/create-logger.js';
import { createGateway, type Gateway } from '../../src/gateway.js';

export interface RunningGateway {
  gateway: Gateway;
  /** `http://127.0.0.1:<port>/graphql` */
  url: string;
  /** `ws://127.0.0.1:<port>/graphql` */
  wsUrl: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Every log line the gateway wrote, as text (JSON lines). */
  logs: string[];
  stop(): Promise<void>;
}

/**
 * Starts the real gateway on port 0 from YAML config text (undefined: the
 * embedded default), with logs captured for assertions.
 */
export async function startGateway(yaml?: string, env: Record<string, string> = {}): Promise<RunningGateway> {
  const config = parseConfig(yaml, 'test config', env);
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logs.push(line) } });
  const gateway = await createGateway({ config, logger });
  const url = await gateway.listen(0, '127.0.0.1');
  return {
    gateway,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    origin: new URL(url).origin,
    logs,
    stop: () => gateway.stop(),
  };
}
