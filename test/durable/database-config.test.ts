import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig } from '../../src/config/load-config.js';
import { describeDurability } from '../../src/durable/describe-durability.js';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('database config', () => {
  it('DATABASE_URL turns the database on with defaults; database.url in the file wins', () => {
    const fromEnv = parseConfig(undefined, 'embedded', { DATABASE_URL: 'postgres://u@db:5432/sb' });
    expect(fromEnv.database).toEqual({ url: 'postgres://u@db:5432/sb', poolSize: 10, ledger: { batchSize: 500, flushIntervalMs: 200, maxBuffered: 100_000 }, epochCheckMs: 2_000 });
    const fromFile = parseConfig('database: { url: "postgresql://file/sb", poolSize: 3 }', 'test', { DATABASE_URL: 'postgres://env/sb' });
    expect(fromFile.database?.url).toBe('postgresql://file/sb');
    expect(fromFile.database?.poolSize).toBe(3);
    expect(parseConfig(undefined, 'embedded', {}).database).toBeUndefined();
  });

  it('refuses a bad URL, a bad bound, and the postgres audit sink without a database, naming the field', () => {
    expect(configError(() => parseConfig(undefined, 'embedded', { DATABASE_URL: 'mysql://x' })).message).toContain('DATABASE_URL');
    expect(configError(() => parseConfig('database: { url: "postgres://x/y", ledger: { maxBuffered: 0 } }', 'test', {})).message).toContain('database.ledger.maxBuffered');
    expect(configError(() => parseConfig('audit: { sink: postgres }', 'test', {})).message).toContain('audit.sink');
  });

  it('the start-up line names what is not durable', () => {
    const audit = parseConfig(undefined, 'embedded', {}).audit;
    expect(describeDurability({ audit }).message).toMatch(/^not durable .*process's memory only/);
    expect(describeDurability({ audit, redis: { url: 'redis://x', keyPrefix: 'sb:' } }).message).toMatch(/Redis only/);
    expect(describeDurability({ audit, database: parseConfig(undefined, 'e', { DATABASE_URL: 'postgres://x/y' }).database! }).level).toBe('info');
  });
});
