import { describe, expect, it } from 'vitest';
import { delay } from '../../src/providers/cancel-signal.js';
import { AttemptAbort } from '../../src/routing/attempt-abort.js';

/** The same script run on an AbortController's signal and on an AttemptAbort: what each listener saw. */
function run(make: () => { signal: { aborted: boolean; reason: unknown; addEventListener(type: 'abort', l: () => void): void; removeEventListener(type: 'abort', l: () => void): void }; abort(reason?: unknown): void }) {
  const seen: string[] = [];
  const { signal, abort } = make();
  const a = () => seen.push('a');
  const b = () => seen.push('b');
  const c = () => seen.push('c');
  signal.addEventListener('abort', a);
  signal.addEventListener('abort', b);
  signal.addEventListener('abort', a); // twice: called once
  signal.addEventListener('abort', c);
  signal.removeEventListener('abort', b);
  signal.removeEventListener('abort', () => undefined); // never added: nothing happens
  seen.push(`before:${signal.aborted}`);
  const reason = new Error('timed out');
  abort(reason);
  abort(new Error('again')); // once only
  signal.addEventListener('abort', () => seen.push('late')); // after the abort: never called
  seen.push(`after:${signal.aborted}:${(signal.reason as Error).message}`);
  return seen;
}

describe('AttemptAbort: an abort signal without an EventTarget', () => {
  it('behaves as an AbortController and its signal do', () => {
    const native = run(() => {
      const controller = new AbortController();
      return { signal: controller.signal, abort: (reason) => controller.abort(reason) };
    });
    const light = run(() => {
      const attempt = new AttemptAbort();
      return { signal: attempt, abort: (reason) => attempt.abort(reason) };
    });
    expect(light).toEqual(native);
    expect(light).toEqual(['before:false', 'a', 'c', 'after:true:timed out']);
  });

  it('keeps aborted and reason read-only to its holders, as an AbortSignal does', () => {
    const attempt = new AttemptAbort();
    expect(() => {
      (attempt as unknown as { aborted: boolean }).aborted = true;
    }).toThrow(TypeError);
    expect(attempt.aborted).toBe(false);
  });

  it('throws its reason once aborted, and aborts with an AbortError when given none', () => {
    const attempt = new AttemptAbort();
    expect(() => attempt.throwIfAborted()).not.toThrow();
    attempt.abort();
    expect(() => attempt.throwIfAborted()).toThrow(expect.objectContaining({ name: 'AbortError' }));
  });

  it('runs every listener even when one throws, and reports that error on its own', async () => {
    const attempt = new AttemptAbort();
    const seen: string[] = [];
    const reported = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
    attempt.addEventListener('abort', () => {
      throw new Error('listener failed');
    });
    attempt.addEventListener('abort', () => seen.push('second'));
    attempt.abort(new Error('stop'));
    expect(seen).toEqual(['second']);
    expect(((await reported) as Error).message).toBe('listener failed');
  });
});

describe('delay', () => {
  it('waits, and leaves no listener behind', async () => {
    const attempt = new AttemptAbort();
    const started = performance.now();
    await delay(20, attempt);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    expect((attempt as unknown as { listeners: unknown[] | undefined }).listeners ?? []).toHaveLength(0);
  });

  it('rejects with the reason as soon as the signal aborts, or at once when it already has', async () => {
    const attempt = new AttemptAbort();
    const waiting = delay(10_000, attempt);
    attempt.abort(new Error('client left'));
    await expect(waiting).rejects.toThrow('client left');
    await expect(delay(1, attempt)).rejects.toThrow('client left');
  });
});
