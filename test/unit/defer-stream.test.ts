import { describe, expect, it } from 'vitest';
import { deferStream } from '../../src/services/chat/defer-stream.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

describe('deferStream', () => {
  it('opens on the first next(), then hands each event straight through', async () => {
    let opened = 0;
    async function* inner() {
      yield 1;
      yield 2;
    }
    const source = inner();
    const stream = deferStream(() => {
      opened++;
      return source;
    });
    expect(opened).toBe(0);
    expect(await stream.next()).toEqual({ done: false, value: 1 });
    expect(opened).toBe(1);
    // After opening, next() is the inner stream's own promise: nothing added per event.
    const pending = stream.next();
    expect(await pending).toEqual({ done: false, value: 2 });
    expect((await stream.next()).done).toBe(true);
  });

  it('rejects the first next() when opening fails, and is over after it', async () => {
    const failure = new Error('refused');
    const stream = deferStream<number>(() => {
      throw failure;
    });
    await expect(stream.next()).rejects.toBe(failure);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('opens nothing when returned before the first next()', async () => {
    let opened = false;
    const stream = deferStream<number>(() => {
      opened = true;
      throw new Error('not reached');
    });
    expect(await stream.return(undefined)).toEqual({ done: true, value: undefined });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(opened).toBe(false);
  });

  it('closes what it opens when returned while opening, after the next() already waiting', async () => {
    const gate = deferred<void>();
    const log: string[] = [];
    async function* inner() {
      try {
        log.push('started');
        yield 1;
        yield 2;
      } finally {
        log.push('finally');
      }
    }
    const stream = deferStream(async () => {
      await gate.promise;
      return inner();
    });
    const first = stream.next();
    const closed = stream.return(undefined);
    gate.resolve();
    expect(await first).toEqual({ done: false, value: 1 });
    expect(await closed).toEqual({ done: true, value: undefined });
    expect(log).toEqual(['started', 'finally']);
  });
});
