import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createBatchWriter } from '../../src/durable/create-batch-writer.js';

describe('createBatchWriter', () => {
  it('counts the rows of a write still in flight as buffered (a database that hangs has stored nothing)', async () => {
    let release!: () => void;
    const writes: number[][] = [];
    const writer = createBatchWriter<number>({
      name: 'test',
      logger: pino({ level: 'silent' }),
      batchSize: 4,
      flushIntervalMs: 5,
      write: (rows) => {
        writes.push(rows);
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    for (let row = 0; row < 6; row++) writer.push(row);
    // The first batch is taken by a write that does not answer.
    while (writes.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(writes[0]).toEqual([0, 1, 2, 3]);
    expect(writer.buffered).toBe(6);
    release();
    // The rest goes in a second write, which hangs too: its rows still count.
    while (writes.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(writes[1]).toEqual([4, 5]);
    expect(writer.buffered).toBe(2);
    release();
    await writer.close();
    expect(writer.buffered).toBe(0);
  });
});
