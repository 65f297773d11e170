import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createCallRegistry } from '../../src/services/call-registry.js';

describe('createCallRegistry', () => {
  it('links a call to its parent signal and unlinks it on close', () => {
    const calls = createCallRegistry();
    const parent = new AbortController();
    const call = calls.open(parent.signal);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    expect(calls.size).toBe(1);
    call.close();
    call.close();
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
    expect(calls.size).toBe(0);
  });

  it('aborts with the parent’s reason, and at once when the parent already aborted', () => {
    const calls = createCallRegistry();
    const parent = new AbortController();
    const call = calls.open(parent.signal);
    parent.abort(new Error('client left'));
    expect(call.signal.aborted).toBe(true);
    expect((call.signal.reason as Error).message).toBe('client left');
    expect(calls.open(parent.signal).signal.aborted).toBe(true);
  });

  it('aborts every open call on shutdown, and none that were closed', () => {
    const calls = createCallRegistry();
    const open = [calls.open(), calls.open(new AbortController().signal)];
    const closed = calls.open();
    closed.close();
    calls.abortAll(new Error('shutting down'));
    expect(open.every((call) => call.signal.aborted)).toBe(true);
    expect(closed.signal.aborted).toBe(false);
    expect(calls.size).toBe(0);
  });

  it('adopts a controller as the call itself: tracked until closed, aborted by shutdown, nothing linked to it', () => {
    const calls = createCallRegistry();
    const controller = new AbortController();
    const call = calls.adopt(controller);
    expect(call.signal).toBe(controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(calls.size).toBe(1);
    call.close();
    expect(calls.size).toBe(0);
    expect(controller.signal.aborted).toBe(false);

    const running = calls.adopt(new AbortController());
    calls.abortAll(new Error('shutting down'));
    expect((running.signal.reason as Error).message).toBe('shutting down');
    const cancelled = calls.adopt(new AbortController());
    cancelled.abort(new Error('unsubscribed'));
    expect((cancelled.signal.reason as Error).message).toBe('unsubscribed');
  });

  it('lets the calls of one operation adopt its one controller: each tracked until it closes', () => {
    const calls = createCallRegistry();
    const request = new AbortController();
    const first = calls.adopt(request);
    const second = calls.adopt(request);
    expect(calls.size).toBe(2);
    first.close();
    expect(calls.size).toBe(1);
    // The operation's other call is still in flight: shutdown must reach it.
    calls.abortAll(new Error('shutting down'));
    expect((second.signal.reason as Error).message).toBe('shutting down');
    second.close();
    expect(calls.size).toBe(0);
  });

  it('stays flat over many calls (no per-call state left behind)', () => {
    const calls = createCallRegistry();
    const parent = new AbortController();
    for (let index = 0; index < 10_000; index++) calls.open(parent.signal).close();
    expect(calls.size).toBe(0);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
  });
});
