import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answersPing, freePort } from '../helpers/redis-server.js';

/**
 * A redis-server that can be killed (SIGKILL, no goodbye) and started again on the same port,
 * either with its data (append-only file, fsync on every write) or empty.
 */
export interface ChaosRedis {
  url: string;
  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts again on the same port; `withData: false` wipes the append-only file first. */
  start(options: { withData: boolean }): Promise<void>;
  /** Kills it and removes its data directory. */
  close(): Promise<void>;
}

const BINARY = process.env.REDIS_SERVER_BIN ?? 'redis-server';

export async function startChaosRedis(): Promise<ChaosRedis> {
  const port = await freePort();
  let dir = mkdtempSync(join(tmpdir(), 'sb-chaos-redis-'));
  let child: ChildProcess | undefined;
  const killOnExit = () => child?.kill('SIGKILL');
  process.on('exit', killOnExit);

  async function launch(): Promise<void> {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--loglevel', 'warning'];
    const started = spawn(BINARY, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let output = '';
    started.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2_000)));
    child = started;
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(port))) {
      if (started.exitCode !== null) throw new Error(`redis-server exited while starting: ${output}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer PING: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async function kill(): Promise<void> {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGKILL');
    await exited;
  }

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill,
    async start({ withData }) {
      if (!withData) {
        rmSync(dir, { recursive: true, force: true });
        dir = mkdtempSync(join(tmpdir(), 'sb-chaos-redis-'));
      }
      await launch();
    },
    async close() {
      await kill();
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
