import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/** One streaming target: where to POST, and how to recognise the first token and a complete answer. */
export interface StreamTarget {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** Matches the accumulated body once the first event carrying text has arrived. */
  firstToken: RegExp;
  /** Every one of these must be in a complete, successful answer. */
  mustContain: string[];
}

/** Per-stream timings in ms (time to first token-carrying event, whole stream), plus failures. */
export interface StreamResult {
  ttfe: number[];
  total: number[];
  failures: number;
  firstFailure?: string;
  wallMs: number;
}

interface Timing {
  ttfe: number;
  total: number;
}

function oneStream(target: StreamTarget, agent: Agent): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let ttfe = -1;
    let text = '';
    const req = request(
      target.url,
      { method: 'POST', agent, headers: { ...target.headers, 'content-length': String(Buffer.byteLength(target.body)) } },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (data: string) => {
          text += data;
          // Answers are a few KB: re-testing the whole text until the first hit is cheap.
          if (ttfe < 0 && target.firstToken.test(text)) ttfe = performance.now() - start;
        });
        res.on('end', () => {
          const total = performance.now() - start;
          const missing = target.mustContain.find((part) => !text.includes(part));
          if (res.statusCode !== 200 || ttfe < 0 || missing !== undefined) {
            reject(new Error(`HTTP ${res.statusCode}, missing ${JSON.stringify(missing)}: ${text.slice(0, 300)}`));
          } else resolve({ ttfe, total });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(target.body);
  });
}

/**
 * Runs `count` streams against `target`, `concurrency` at a time, over
 * node:http with a keep-alive agent (cheaper per stream than fetch, so the
 * client adds little to what is measured).
 */
export async function probeStreams(target: StreamTarget, count: number, concurrency: number): Promise<StreamResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const result: StreamResult = { ttfe: [], total: [], failures: 0, wallMs: 0 };
  let issued = 0;
  const worker = async () => {
    while (issued < count) {
      issued++;
      try {
        const timing = await oneStream(target, agent);
        result.ttfe.push(timing.ttfe);
        result.total.push(timing.total);
      } catch (error: unknown) {
        result.failures++;
        result.firstFailure ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  result.wallMs = performance.now() - start;
  agent.destroy();
  return result;
}
