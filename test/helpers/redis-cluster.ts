import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server.js';

/** A throwaway Redis Cluster: three masters, no replicas, no persistence, loopback only. */
export interface RedisCluster {
  /** Seed nodes, `127.0.0.1:<port>` each (the `redis.cluster` config). */
  nodes: string[];
  /** Stops every node and removes the temp dir. */
  stop(): Promise<void>;
}

const SERVER = process.env.REDIS_SERVER_BIN ?? 'redis-server';
const CLI = process.env.REDIS_CLI_BIN ?? 'redis-cli';
const READY_TIMEOUT_MS = 20_000;

/** Runs redis-cli with `args`; resolves with its stdout, rejects with its output on a non-zero exit. */
function cli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLI, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`redis-cli ${args.join(' ')} exited ${code}:\n${output}`))));
  });
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts three `redis-server --cluster-enabled yes` in a temp dir, joins them
 * with `redis-cli --cluster create … --cluster-replicas 0 --cluster-yes`, and
 * waits until every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'sb-cluster-'));
  const ports: number[] = [];
  for (let index = 0; index < 3; index++) ports.push(await freePort());
  const children = ports.map((port) =>
    spawn(
      SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
      { cwd: dir, stdio: ['ignore', 'ignore', 'ignore'] },
    ),
  );
  const killOnExit = () => children.forEach((child) => child.kill('SIGKILL'));
  process.on('exit', killOnExit);
  const stop = async () => {
    await Promise.all(children.map(terminate));
    process.off('exit', killOnExit);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (const port of ports) {
      while ((await cli(['-p', String(port), 'ping']).catch(() => '')).trim() !== 'PONG') {
        if (Date.now() > deadline) throw new Error(`cluster node ${port} did not start`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    await cli(['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes']);
    for (const port of ports) {
      while (!(await cli(['-p', String(port), 'cluster', 'info'])).includes('cluster_state:ok')) {
        if (Date.now() > deadline) throw new Error(`cluster node ${port} never reached cluster_state:ok`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } catch (error: unknown) {
    await stop();
    throw error;
  }
  return { nodes: ports.map((port) => `127.0.0.1:${port}`), stop };
}
