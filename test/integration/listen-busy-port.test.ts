import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/create-logger.js';
import { createGateway } from '../../src/gateway.js';

/*
 * A port already taken is a refusal to start, with the reason, not a crash: the graphql-ws server
 * repeats the HTTP server's errors, and with nobody listening on it the repeat threw an uncaught
 * exception (and left listen() waiting).
 */
it('refuses to listen on a busy port with EADDRINUSE, and the process carries on', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as AddressInfo;
  const gateway = await createGateway({ config: parseConfig(undefined, 'busy port', {}), logger: createLogger({ level: 'silent' }) });
  try {
    await expect(gateway.listen(port, '127.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' });
  } finally {
    await gateway.stop();
    await new Promise((resolve) => taken.close(resolve));
  }
});
