import type { GatewayConfig } from '../config/config-schema.js';

/**
 * The start-up line that says what survives a restart: with a database,
 * where the system of record is; without one, what would be lost and where
 * it lives instead.
 */
export function describeDurability(config: Pick<GatewayConfig, 'database' | 'redis' | 'audit'>): { level: 'info' | 'warn'; message: string } {
  if (config.database) {
    const audit = config.audit.sink === 'auto' || config.audit.sink === 'postgres' ? 'audit log' : `audit to ${config.audit.sink}`;
    return { level: 'info', message: `durable state in PostgreSQL: runtime API keys, usage ledger, ${audit}; Redis/memory restored from it when it comes back empty` };
  }
  const where = config.redis ? 'Redis only (a Redis restarted empty or flushed loses them)' : "this process's memory only (a restart loses them)";
  return {
    level: 'warn',
    message: `not durable (no database configured): runtime API keys, budget spend, usage counters and the audit trail live in ${where}; set database.url or DATABASE_URL`,
  };
}
